import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isOurProcess, logTail, spawnDetached, stopProcess, withFileLock } from '../../src/process.ts';

// Internals, tested directly: they decide whether `down` may signal a pid, so a mistake here
// would stop someone else's process.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'omen-process-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('isOurProcess', () => {
  it('recognises a live process only when its command line carries the marker', () => {
    expect(isOurProcess({ pid: process.pid, marker: 'node' })).toBe(true);
    expect(isOurProcess({ pid: process.pid, marker: 'definitely-not-in-our-cmdline' })).toBe(false);
    expect(isOurProcess({ pid: 2 ** 22 + 1, marker: 'node' })).toBe(false);
  });
});

describe('spawnDetached and stopProcess', () => {
  it('starts a process that logs to the file and stops it with SIGTERM', async () => {
    const log = join(dir, 'sleeper.log');
    const marker = `omen-test-${process.pid}-${Date.now()}`;
    const pid = spawnDetached({ command: 'sh', args: ['-c', 'echo started; sleep 60', marker], cwd: dir }, log);
    const rec = { pid, marker, address: null, startedAt: '' };
    // Its own output line, not the log header (which repeats the command).
    const started = () => logTail(log).split('\n').includes('started');
    for (let i = 0; i < 400 && !started(); i++) await sleep(50);
    expect(started()).toBe(true);
    expect(isOurProcess(rec)).toBe(true);
    expect(await stopProcess(rec, 5000)).toBe(false);
    expect(isOurProcess(rec)).toBe(false);
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    const marker = `omen-stubborn-${process.pid}-${Date.now()}`;
    // A process that ignores SIGTERM: a node one-liner with a handler, ready once it says so.
    const script = `process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);`;
    const pid = spawnDetached(
      { command: process.execPath, args: ['-e', script, marker], cwd: dir },
      join(dir, 'stubborn.log'),
    );
    // SIGTERM before the handler is installed would end it: wait for its own line (the log's
    // header repeats the command, which contains the word too).
    const saidReady = () => logTail(join(dir, 'stubborn.log')).split('\n').includes('ready');
    for (let i = 0; i < 400 && !saidReady(); i++) await sleep(50);
    expect(saidReady()).toBe(true);
    const rec = { pid, marker, address: null, startedAt: '' };
    expect(await stopProcess(rec, 300)).toBe(true);
    expect(isOurProcess(rec)).toBe(false);
  });
});

describe('logTail', () => {
  it('shows only what the latest start wrote', () => {
    const log = join(dir, 'e.log');
    writeFileSync(log, '===== omen stack: starting 1\nold failure\n===== omen stack: starting 2\nline a\nline b\n');
    expect(logTail(log)).toBe('===== omen stack: starting 2\nline a\nline b');
    appendFileSync(log, Array.from({ length: 50 }, (_, i) => `n${i}`).join('\n'));
    expect(logTail(log, 3)).toBe('n47\nn48\nn49');
  });

  it('says when there is no log', () => {
    expect(logTail(join(dir, 'missing.log'))).toMatch(/^\(no log at /);
  });
});

describe('withFileLock', () => {
  it('runs holders one after another', async () => {
    const lock = join(dir, 'l.lock');
    const events: string[] = [];
    const hold = (id: string) =>
      withFileLock(lock, 5000, async () => {
        events.push(`${id}+`);
        await sleep(100);
        events.push(`${id}-`);
      });
    await Promise.all([hold('a'), hold('b')]);
    expect([events.slice(0, 2), events.slice(2)].map((p) => p[0]?.[0] === p[1]?.[0])).toEqual([true, true]);
  });

  it('takes over a lock whose holder is dead', async () => {
    const lock = join(dir, 'l.lock');
    writeFileSync(lock, String(2 ** 22 + 1));
    expect(await withFileLock(lock, 1000, () => Promise.resolve('got it'))).toBe('got it');
  });
});
