// ./scripts/omen runs the apt bootstrap only for the verbs that start local engines: --help,
// --version and the remote verbs must not touch dpkg or apt. dpkg-query and apt-get are replaced
// on PATH by stubs that record their call, so the test sees what the script would have run.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = new URL('../../../../scripts/omen', import.meta.url).pathname;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'omen-bootstrap-'));
  for (const tool of ['dpkg-query', 'apt-get']) {
    const stub = path.join(dir, tool);
    await writeFile(stub, `#!/bin/sh\necho "${tool} $*" >> "${dir}/calls"\nexit 1\n`);
    await chmod(stub, 0o755);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function calls(args: string[]): Promise<string> {
  await rm(path.join(dir, 'calls'), { force: true });
  await run('bash', [SCRIPT, ...args], { env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}` } }).catch(
    () => undefined,
  );
  return readFile(path.join(dir, 'calls'), 'utf8').catch(() => '');
}

describe('./scripts/omen bootstrap', () => {
  it.each([[['--help']], [['--version']], [['models', '--help']], [['train', '--help']]])(
    '%j runs no dpkg or apt',
    async (args) => {
      expect(await calls(args)).toBe('');
    },
  );

  it('stack (starts local engines) checks the Debian packages first', async () => {
    expect(await calls(['stack', '--help'])).toMatch(/^dpkg-query /);
  });
});
