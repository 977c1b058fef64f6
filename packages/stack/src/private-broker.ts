import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureBroker } from './broker.ts';
import { repoRoot, stackPaths } from './paths.ts';

export interface PrivateBrokerOptions {
  /**
   * The broker's knobs (`OMEN_KAFKA_PARTITION_MAX_BYTES`, `OMEN_KAFKA_WHEN_FULL`, …; see
   * packages/stack/native/README.md), on top of this process's environment.
   */
  env?: Record<string, string>;
  /** Topics created at start, `name partitions groups` lines as the stack writes them. @default none */
  topicLines?: string;
  /** @default 1 */
  brokerCount?: number;
}

export interface PrivateBroker {
  brokers: string;
  /** SIGKILLs the broker: Kafka is down from here on. */
  kill(): void;
  /** What the broker wrote to stderr so far (its full-partition warnings, for one). */
  stderr(): string;
}

/**
 * A dev Kafka broker of the caller's own (the stack's binary), so a test can take Kafka down or
 * give it tiny limits without touching the shared stack. `cleanup` registers its teardown
 * (vitest's onTestFinished or afterAll fit).
 */
export async function startPrivateBroker(
  cleanup: (fn: () => Promise<void>) => void,
  options: PrivateBrokerOptions = {},
): Promise<PrivateBroker> {
  const { path } = ensureBroker(repoRoot(), stackPaths().bin);
  const dir = mkdtempSync(join(tmpdir(), 'omen-private-broker-'));
  const bootstraps = join(dir, 'bootstraps');
  const topicsFile = join(dir, 'topics.txt');
  writeFileSync(topicsFile, options.topicLines ?? '');
  const child: ChildProcess = spawn(path, [bootstraps, topicsFile, String(options.brokerCount ?? 1)], {
    cwd: dir,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  cleanup(() => {
    kill();
    rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  });
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(50)) {
    if (child.exitCode !== null) throw new Error(`the private broker exited with ${child.exitCode}: ${stderr}`);
    const brokers = existsSync(bootstraps) ? readFileSync(bootstraps, 'utf8').trim() : '';
    if (brokers) return { brokers, kill, stderr: () => stderr };
  }
  kill();
  throw new Error(`the private broker did not start within 15 s: ${stderr}`);
}
