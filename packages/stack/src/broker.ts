import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allTopics, type TopicManifest } from '@omen/topics';
import { FailedPreconditionError } from '@omen/errors';

export const BROKER_SOURCE = 'packages/stack/native/omen-kafka-broker.c';
export const BROKER_BINARY = 'omen-kafka-broker';

/**
 * The line file the C broker reads, dead-letter topics included: `name partitions groups` per
 * topic, groups comma-separated or `-` — the groups whose commits decide what a full partition
 * may delete.
 */
export function brokerTopicLines(manifest: TopicManifest): string {
  return allTopics(manifest)
    .map((t) => `${t.name} ${t.partitions} ${t.consumers.length > 0 ? t.consumers.join(',') : '-'}\n`)
    .join('');
}

/** The patched librdkafka the broker links (see packages/stack/native/README.md). */
const LIBRDKAFKA_BUILD = 'packages/stack/native/build-librdkafka.sh';
const LIBRDKAFKA_PATCH = 'packages/stack/native/librdkafka-2.0.2-omen.patch';

function sha256Of(...files: string[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(readFileSync(file));
  return hash.digest('hex');
}

/**
 * Builds the patched static librdkafka into `<binDir>/librdkafka-2.0.2-omen` when missing or when
 * the build script or the patch changed (sha256 stamp beside it): about 40 s, once per checkout.
 * @returns the install directory and the stamp, which the broker's own stamp includes
 */
function ensureLibrdkafka(root: string, binDir: string): { dir: string; stamp: string } {
  const script = join(root, LIBRDKAFKA_BUILD);
  const dir = join(binDir, 'librdkafka-2.0.2-omen');
  const stampFile = `${dir}.sha256`;
  const want = sha256Of(script, join(root, LIBRDKAFKA_PATCH));
  if (
    existsSync(join(dir, 'lib', 'librdkafka.a')) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8').trim() === want
  ) {
    return { dir, stamp: want };
  }
  mkdirSync(binDir, { recursive: true });
  process.stderr.write(
    "[omen] building librdkafka 2.0.2 with omen's mock-cluster patch from Debian's source package (first start only)\n",
  );
  try {
    execFileSync('bash', [script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new FailedPreconditionError(`building the dev broker's librdkafka failed (${LIBRDKAFKA_BUILD}):\n${stderr}`, {
      cause: err,
    });
  }
  writeFileSync(stampFile, `${want}\n`);
  return { dir, stamp: want };
}

/**
 * Builds `<binDir>/omen-kafka-broker` from the C source, statically linked against the patched
 * librdkafka, when it is missing or the source (or the library) changed since the last build,
 * recorded in a sha256 stamp beside the binary.
 * @returns the binary's path and whether this call compiled it
 */
export function ensureBroker(root: string, binDir: string): { path: string; built: boolean } {
  const source = join(root, BROKER_SOURCE);
  const binary = join(binDir, BROKER_BINARY);
  const stamp = `${binary}.sha256`;
  const lib = ensureLibrdkafka(root, binDir);
  const libs = readFileSync(join(lib.dir, 'lib', 'libs.txt'), 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  const flags = [`-I${join(lib.dir, 'include')}`, join(lib.dir, 'lib', 'librdkafka.a'), ...libs];
  const want = createHash('sha256')
    .update(readFileSync(source))
    .update(lib.stamp)
    .update(flags.join(' '))
    .digest('hex');
  if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want)
    return { path: binary, built: false };
  // Into a temporary name of this process first: a running broker keeps its inode, a failed
  // build leaves the previous binary in place, and two test workers do not write one file.
  const tmp = `${binary}.${process.pid}.tmp`;
  try {
    execFileSync('gcc', ['-O2', '-Wall', '-o', tmp, source, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new FailedPreconditionError(`building the dev Kafka broker failed (gcc ${source}):\n${stderr}`, {
      cause: err,
    });
  }
  renameSync(tmp, binary);
  writeFileSync(stamp, `${want}\n`);
  return { path: binary, built: true };
}
