import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBroker, repoRoot, stackPaths } from '@omen/stack';
import { waitFor } from '@omen/testing';

export interface PrivateBroker {
  brokers: string;
  /** SIGKILLs the broker: Kafka is down from here on. */
  kill(): void;
}

/**
 * A dev Kafka broker of this test's own (the stack's binary, one broker), so the test can take
 * Kafka down without touching the shared stack.
 */
export async function startPrivateBroker(cleanup: (fn: () => Promise<void>) => void): Promise<PrivateBroker> {
  const { path } = ensureBroker(repoRoot(), stackPaths().bin);
  const dir = mkdtempSync(join(tmpdir(), 'omen-ingest-broker-'));
  const bootstraps = join(dir, 'bootstraps');
  const topicsFile = join(dir, 'topics.txt');
  writeFileSync(topicsFile, '');
  const child: ChildProcess = spawn(path, [bootstraps, topicsFile, '1'], { cwd: dir, stdio: 'ignore' });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  cleanup(() => {
    kill();
    rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  });
  const brokers = await waitFor(() => existsSync(bootstraps) && readFileSync(bootstraps, 'utf8').trim(), { message: 'the private broker to start' });
  return { brokers, kill };
}
