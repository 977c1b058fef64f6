import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  readSync,
} from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What `.omen/stack/run/<engine>.pid` holds. */
export interface PidRecord {
  readonly pid: number;
  /** Part of the command line that identifies the process, so a reused pid is not taken for ours. */
  readonly marker: string;
  /** Where it serves, once ready (null while starting). */
  readonly address: string | null;
  readonly startedAt: string;
}

export function readPidFile(file: string): PidRecord | null {
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as Partial<PidRecord>;
    if (typeof rec.pid !== 'number' || typeof rec.marker !== 'string') return null;
    return { pid: rec.pid, marker: rec.marker, address: rec.address ?? null, startedAt: rec.startedAt ?? '' };
  } catch {
    return null;
  }
}

export function writePidFile(file: string, rec: PidRecord): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(rec)}\n`);
  renameSync(`${file}.tmp`, file);
}

/**
 * Alive and still the process we started: signal 0 succeeds, it is not a zombie, and (where
 * /proc exists) its command line contains the marker.
 */
export function isOurProcess(rec: Pick<PidRecord, 'pid' | 'marker'>): boolean {
  try {
    process.kill(rec.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${rec.pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return false;
    return readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(rec.marker);
  } catch {
    return !existsSync('/proc/self');
  }
}

export interface SpawnSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Starts a process in its own session (it outlives the CLI and Ctrl-C in the CLI's terminal),
 * stdout and stderr appended to `logFile` after a header line.
 */
export function spawnDetached(spec: SpawnSpec, logFile: string): number {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  try {
    writeFileSync(fd, `${LOG_HEADER} ${new Date().toISOString()}: ${spec.command} ${spec.args.join(' ')}\n`);
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

const LOG_HEADER = '===== omen stack: starting';

/** The last `lines` lines of a log written since the last start. */
export function logTail(file: string, lines = 30): string {
  if (!existsSync(file)) return `(no log at ${file})`;
  const size = statSync(file).size;
  const len = Math.min(size, 64 * 1024);
  const buf = Buffer.alloc(len);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, len, size - len);
  } finally {
    closeSync(fd);
  }
  let text = buf.toString('utf8');
  const at = text.lastIndexOf(LOG_HEADER);
  if (at >= 0) text = text.slice(at);
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  // Detached: the engine leads its own process group, so helpers it forked go down with it.
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Whether any process of the group `pid` leads is alive (a cluster supervisor's nodes included). */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * SIGTERM to its process group, then SIGKILL after `graceMs`. Resolves true when it had to kill.
 * Done when the whole group is gone, not only the process recorded: a cluster's supervisor exits
 * at once, but a Redis replica writing its first AOF after a full resync refuses SIGTERM ("Writing
 * initial AOF, can't exit") and would keep its port for the next `up`.
 */
export async function stopProcess(rec: PidRecord, graceMs: number): Promise<boolean> {
  if (!isOurProcess(rec)) return false;
  const alive = () => isOurProcess(rec) || groupAlive(rec.pid);
  signalGroup(rec.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!alive()) return false;
    await sleep(100);
  }
  signalGroup(rec.pid, 'SIGKILL');
  for (let i = 0; i < 50 && alive(); i++) await sleep(100);
  return true;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (inUse: boolean): void => {
      socket.destroy();
      resolve(inUse);
    };
    socket.setTimeout(1000, () => done(true));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * A cross-process lock by exclusive file creation: two `stack up` runs at once (a test script and
 * an engineer) would otherwise both start a broker. A lock left by a dead process is taken over.
 */
export async function withFileLock<T>(file: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let content: string;
      try {
        content = readFileSync(file, 'utf8').trim();
      } catch {
        continue; // released between our create and our read
      }
      const holder = Number(content);
      let alive = Number.isInteger(holder) && holder > 0;
      if (alive) {
        try {
          process.kill(holder, 0);
        } catch (e) {
          alive = (e as NodeJS.ErrnoException).code === 'EPERM';
        }
      }
      // An empty file may be a holder between create and write: give it one more round.
      if (!alive && content !== '') {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`another omen stack command (pid ${holder}) holds ${file}; waited ${timeoutMs} ms`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
