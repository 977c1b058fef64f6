import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, stackDown, stackUp } from '@omen/stack';
import { UsageError, type Command } from '../command.ts';
import { localAdminToken, servicesDown, servicesUp } from '../local-services.ts';
import { formatServices, servicesOk } from './services.ts';

const usage = `
usage: ./scripts/omen demo [--down]

The main job, on one machine: brings the embedded engines up (./scripts/omen stack up), starts
every service (./scripts/omen services up), waits until each reports SERVING on
grpc.health.v1, and prints where everything listens. Idempotent: what runs is left running.

  --down   stop the services, then the engines
`;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'start the engines and every service, wait for SERVING, print where everything listens',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { down: { type: 'boolean', default: false } } });
    if (positionals.length > 0) throw new UsageError(`unexpected ${positionals.join(' ')}`);
    if (values.down) {
      process.stdout.write(formatServices(await servicesDown()));
      const stack = await stackDown();
      process.stdout.write(`engines: ${stack.engines.map((e) => `${e.name} ${e.state}`).join(', ')}\n`);
      return stack.ok ? 0 : 1;
    }
    process.stdout.write('== engines\n');
    const stack = await stackUp();
    for (const e of stack.engines) {
      process.stdout.write(`${e.name.padEnd(16)} ${e.state.padEnd(9)} ${e.address ?? '-'}\n`);
      if (e.state === 'failed' || e.state === 'unhealthy') process.stdout.write(`  ${e.detail ?? ''}\n${e.logTail ?? ''}\n`);
    }
    if (!stack.ok) return 1;
    process.stdout.write('\n== services\n');
    const services = await servicesUp();
    process.stdout.write(formatServices(services));
    const { file } = localAdminToken();
    process.stdout.write(
      `\nengine addresses: ${relative(repoRoot(), stack.envFile)}   admin token: ${relative(repoRoot(), file)}\n` +
        'stop everything: ./scripts/omen demo --down\n',
    );
    return servicesOk(services) ? 0 : 1;
  },
};
