// The installed command (bin/omen.js) against a real trainer-coordinator started here as its own
// process: `TRAINER_ADDR=… omen models list --json`, the remote use the README documents.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import { LocalModelRegistry } from '@omen/model-registry';
import { randomName, stackEnv, startServiceProcess, type ServiceProcess } from '@omen/testing';

const run = promisify(execFile);
const BIN = new URL('../../bin/omen.js', import.meta.url).pathname;
const table = (prefix: string): string => randomName(prefix).replace(/-/g, '_');
const mirror = { versions: table('model-versions'), aliasEvents: table('model-alias-events') };

let root: string;
let trainer: ServiceProcess;

/** `omen ARGS` as a user runs it: its own process, only the environment given (no repo bootstrap). */
async function omen(
  args: string[],
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: root, ...env },
      cwd: root,
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

beforeAll(async () => {
  const engines = stackEnv('CLICKHOUSE_URL', 'NATS_URL');
  root = await mkdtemp(path.join(tmpdir(), 'omen-cli-'));
  const registry = new LocalModelRegistry(path.join(root, 'registry'));
  const featureSet = { name: 'jit_change_metrics', version: 1 };
  await registry.publish('jit-defect', 'v1', new TextEncoder().encode('not onnx: the registry stores bytes'), {
    featureSet,
    aliases: ['champion'],
  });
  await registry.publish('jit-defect', 'v2', new TextEncoder().encode('a second version'), {
    featureSet,
    aliases: ['challenger'],
  });
  trainer = await startServiceProcess(
    'trainer-coordinator',
    {
      ADMIN_TOKEN: 'test-admin-token-0123456789',
      CLICKHOUSE_URL: engines.CLICKHOUSE_URL,
      NATS_URL: engines.NATS_URL,
      TRAINER_REGISTRY_DIR: path.join(root, 'registry'),
      TRAINER_STATE_DIR: path.join(root, 'state'),
      TRAINER_IMPORT_DIR: path.join(root, 'import'),
      TRAINER_FEATURES_TABLE: table('features'),
      TRAINER_LABELS_TABLE: table('labels'),
      TRAINER_MIRROR_VERSIONS_TABLE: mirror.versions,
      TRAINER_MIRROR_ALIAS_EVENTS_TABLE: mirror.aliasEvents,
      TRAINER_ALERT_SUBJECT: `test.${randomName('alert')}`,
      TRAINER_DRIFT_SUBJECT: `test.${randomName('drift')}`,
      TRAINER_TRIGGER_DRIFT: 'false',
    },
    { timeoutMs: 200_000 },
  );
}, 240_000);

afterAll(async () => {
  await trainer?.stop();
  const ch = createClickHouse({ url: stackEnv('CLICKHOUSE_URL').CLICKHOUSE_URL });
  for (const t of Object.values(mirror)) await ch.command(sql`DROP TABLE IF EXISTS ${ident(t)}`);
  await ch.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('omen models list against a running trainer', () => {
  it("--json prints the trainer's ListModels answer (TRAINER_ADDR from the environment)", async () => {
    const res = await omen(['models', 'list', '--json'], { TRAINER_ADDR: trainer.address });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const models = JSON.parse(res.stdout) as {
      model_name: string;
      production_version: string;
      challenger_version: string;
      latest_version: string;
      version_count: number;
    }[];
    expect(models.map((m) => m.model_name)).toEqual(['jit-defect']);
    expect(models[0]).toMatchObject({
      production_version: 'v1',
      challenger_version: 'v2',
      latest_version: 'v2',
      version_count: 2,
    });
  });

  it('the table names the champion and the challenger; --addr wins over TRAINER_ADDR', async () => {
    const res = await omen(['models', 'list', '--addr', trainer.address], { TRAINER_ADDR: '127.0.0.1:1' });
    expect(res.code).toBe(0);
    const [header, row] = res.stdout.trim().split('\n');
    expect(header?.split(/\s+/)).toEqual(['MODEL', 'CHAMPION', 'CHALLENGER', 'LATEST', 'VERSIONS', 'UPDATED']);
    expect(row?.split(/\s+/).slice(0, 5)).toEqual(['jit-defect', 'v1', 'v2', 'v2', '2']);
  });

  it('a trainer that is not there is one line naming the status and the address, exit 1', async () => {
    const res = await omen(['models', 'list'], { TRAINER_ADDR: '127.0.0.1:1' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^omen models: ListModels: UNAVAILABLE: .*\(is the trainer-coordinator up at 127\.0\.0\.1:1\? \.\/scripts\/omen services up\)\n$/,
    );
  });

  it('--version needs nothing but Node', async () => {
    const res = await omen(['--version'], {});
    expect(res).toMatchObject({ code: 0, stdout: expect.stringMatching(/^omen \d+\.\d+\.\d+\n$/) as unknown });
  });
});
