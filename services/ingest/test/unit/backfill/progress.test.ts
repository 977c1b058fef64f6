import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointPath, readCheckpoint, writeCheckpoint } from '../../../src/backfill/checkpoint.ts';
import { formatBar, formatDuration, progressReporter } from '../../../src/backfill/progress.ts';

describe('progress', () => {
  it('draws a bar with rate and ETA', () => {
    const line = formatBar(
      { done: 3000, total: 6000, published: 2990, duplicates: 10, rejected: 0, elapsedMs: 2000 },
      10,
    );
    expect(line).toBe('[#####.....]  50%  3,000/6,000  1,500/s  ETA 00:02  (published 2,990, dup 10, rejected 0)');
    expect(formatBar({ done: 5, total: undefined, published: 5, duplicates: 0, rejected: 0, elapsedMs: 1000 })).toBe(
      '5 commits  5/s  (published 5, dup 0, rejected 0)',
    );
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Infinity)).toBe('--:--');
  });

  it('redraws in place on a terminal and writes plain lines otherwise', () => {
    const tty: string[] = [];
    const plain: string[] = [];
    const s = { done: 1, total: 2, published: 1, duplicates: 0, rejected: 0, elapsedMs: 10 };
    progressReporter({ isTTY: true, write: (x: string) => tty.push(x) }).finish(s);
    progressReporter({ isTTY: false, write: (x: string) => plain.push(x) }).finish(s);
    expect(tty[0]).toMatch(/^\r\x1b\[2K\[/);
    expect(plain[0]).toMatch(/^\[.*\n$/);
    expect(plain[0]).not.toContain('\x1b');
  });
});

describe('checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omen-ckpt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips, and is ignored for another source, repository or a corrupt file', () => {
    const file = checkpointPath(dir, 'jsonl', 'data.jsonl', 'git:a');
    expect(file).not.toBe(checkpointPath(dir, 'jsonl', 'data.jsonl', 'git:b'));
    writeCheckpoint(file, {
      source: 'jsonl',
      path: 'data.jsonl',
      repo: 'git:a',
      position: 40,
      lastSha: 'f'.repeat(40),
      published: 40,
      duplicates: 0,
      rejected: 0,
    });
    expect(readCheckpoint(file, { source: 'jsonl', path: 'data.jsonl', repo: 'git:a' })).toMatchObject({
      position: 40,
      lastSha: 'f'.repeat(40),
    });
    expect(readCheckpoint(file, { source: 'jsonl', path: 'data.jsonl', repo: 'git:other' })).toBeUndefined();
    expect(readCheckpoint(file, { source: 'git', path: 'data.jsonl', repo: 'git:a' })).toBeUndefined();
    writeFileSync(file, '{not json');
    expect(readCheckpoint(file, { source: 'jsonl', path: 'data.jsonl', repo: 'git:a' })).toBeUndefined();
  });
});
