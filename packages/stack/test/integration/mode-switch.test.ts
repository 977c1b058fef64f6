// `stack up --cluster` stops the single-node ClickHouse, Redis and NATS of ours (one mode at a
// time): only when asked (`--switch`, switchMode). Without it the up is refused, naming what runs,
// and nothing is stopped or started. A stack of its own (own home, own Redis port) so the
// developer's engines are not touched; the refusal comes before any cluster node would start.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FailedPreconditionError } from '@omen/errors';
import { stackDown, stackStatus, stackUp } from '../../src/index.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as { port: number };
  await new Promise((res) => server.close(res));
  return port;
}

const home = mkdtempSync(join(tmpdir(), 'omen-stack-switch-'));
const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '', OMEN_REDIS_PORT: String(await freePort()) };

afterAll(async () => {
  await stackDown({ home, env }).catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
}, 120_000);

describe('up of the other mode while ours runs', () => {
  it('is refused without switchMode, naming the running engine, and stops nothing', async () => {
    const single = await stackUp({ home, env, engines: ['redis'] });
    expect(single.engines.map((e) => [e.name, e.state])).toEqual([['redis', 'started']]);
    const pid = single.engines[0]!.pid;

    const refused = await stackUp({ home, env, cluster: true }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(FailedPreconditionError);
    expect((refused as Error).message).toMatch(/^redis of the single-node stack is running: .*--switch/);

    const after = await stackStatus({ home, env, cluster: false });
    const redis = after.engines.find((e) => e.name === 'redis');
    expect([redis?.state, redis?.pid]).toEqual(['running', pid]);
    // Nothing of the cluster was started.
    const cluster = await stackStatus({ home, env, cluster: true });
    expect(cluster.engines.filter((e) => e.state === 'running' || e.state === 'started')).toEqual([]);
  }, 120_000);
});
