import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.ts';
import { localAdminToken, servicesDown, servicesStatus, servicesUp, type LocalService } from '../local-services.ts';

export function formatServices(services: readonly LocalService[]): string {
  const rows = services.map((s) => [
    s.name,
    s.state,
    s.grpc ?? '-',
    s.metrics ?? '-',
    s.pid === null ? '-' : String(s.pid),
  ]);
  const header = ['SERVICE', 'STATE', 'GRPC', 'METRICS', 'PID'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cols: readonly string[]): string =>
    cols
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(header)];
  for (const [i, s] of services.entries()) {
    out.push(line(rows[i] ?? []));
    if (s.detail) out.push(...s.detail.split('\n').map((l) => `    ${l}`));
  }
  return `${out.join('\n')}\n`;
}

export function servicesOk(services: readonly LocalService[]): boolean {
  return services.every((s) => s.state === 'serving' || s.state === 'absent');
}

const usage = `
usage: ./scripts/omen services up|down|status [--json]

Runs every service under services/ as a detached local process against the engines of
./scripts/omen stack up (.omen/stack.env). gRPC on 127.0.0.1:50051.. and /metrics on :9461..,
in the order ingest, featurizer, trainer-coordinator, inference, drift-detector, ab-router,
scm-checks
(OMEN_GRPC_PORT_BASE and OMEN_METRICS_PORT_BASE move them). Logs: .omen/services/logs/.
The admin token the services require on admin RPCs is in .omen/admin-token.

  up      start what is not running, wait until each reports SERVING on grpc.health.v1
  down    SIGTERM each (graceful shutdown), SIGKILL after 20 s
  status  state, addresses and pid of each
`;

export const servicesCommand: Command = {
  name: 'services',
  summary: 'start, stop or inspect the seven services as local processes',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false } },
    });
    const [verb, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ')}`);
    let result: LocalService[];
    switch (verb) {
      case 'up':
        localAdminToken();
        result = await servicesUp();
        break;
      case 'down':
        result = await servicesDown();
        break;
      case 'status':
        result = await servicesStatus();
        break;
      default:
        throw new UsageError(verb === undefined ? 'missing up, down or status' : `unknown action "${verb}"`);
    }
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatServices(result));
    return verb === 'down' || servicesOk(result) ? 0 : 1;
  },
};
