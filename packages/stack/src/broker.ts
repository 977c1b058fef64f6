import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allTopics, type TopicManifest } from '@omen/topics';
import { FailedPreconditionError } from '@omen/errors';

export const BROKER_SOURCE = 'packages/stack/native/omen-kafka-broker.c';
export const BROKER_BINARY = 'omen-kafka-broker';

/** The line file the C broker reads: `name partitions` per topic, dead-letter topics included. */
export function brokerTopicLines(manifest: TopicManifest): string {
  return allTopics(manifest)
    .map((t) => `${t.name} ${t.partitions}\n`)
    .join('');
}

function pkgConfig(): string[] {
  try {
    return execFileSync('pkg-config', ['--cflags', '--libs', 'rdkafka'], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
  } catch (err) {
    throw new FailedPreconditionError('pkg-config cannot find rdkafka: install librdkafka-dev and pkg-config (scripts/lib/bootstrap.sh does)', { cause: err });
  }
}

/**
 * Builds `<binDir>/omen-kafka-broker` from the C source when it is missing or the source (or the
 * compiler flags) changed since the last build, recorded in a sha256 stamp beside the binary.
 * @returns the binary's path and whether this call compiled it
 */
export function ensureBroker(root: string, binDir: string): { path: string; built: boolean } {
  const source = join(root, BROKER_SOURCE);
  const binary = join(binDir, BROKER_BINARY);
  const stamp = `${binary}.sha256`;
  const flags = pkgConfig();
  const want = createHash('sha256').update(readFileSync(source)).update(flags.join(' ')).digest('hex');
  if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return { path: binary, built: false };
  mkdirSync(binDir, { recursive: true });
  try {
    // Into a temporary name first: a running broker keeps its inode, and a failed build leaves
    // the previous binary in place.
    execFileSync('gcc', ['-O2', '-Wall', '-o', `${binary}.tmp`, source, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new FailedPreconditionError(`building the dev Kafka broker failed (gcc ${source}):\n${stderr}`, { cause: err });
  }
  renameSync(`${binary}.tmp`, binary);
  writeFileSync(stamp, `${want}\n`);
  return { path: binary, built: true };
}
