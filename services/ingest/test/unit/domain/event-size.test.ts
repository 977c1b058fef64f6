import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { avroType } from '@omen/contracts';
import { avroSizeBound, fitCommitEvent } from '../../../src/domain/event-size.ts';
import type { CommitEvent, FileChange } from '../../../src/domain/events.ts';
import { historyToEvent } from '../../../src/domain/jsonl.ts';

const repo = { id: 'github:acme/big', name: 'acme/big', provider: 'github' as const };
const encoded = (e: CommitEvent): number => 5 + avroType('commit').toBuffer(e).length;

function event(files: FileChange[], message = 'change'): CommitEvent {
  const e = historyToEvent(
    {
      sha: 'a'.repeat(40),
      parents: ['b'.repeat(40)],
      author_id: 'x',
      committer_id: 'x',
      author_time: 1,
      commit_time: 2,
      message,
      files: [],
    },
    repo,
  );
  return { ...e, files };
}

/** A text file whose hunk adds `lines` lines of `width` characters. */
function added(path: string, lines: number, width = 60): FileChange {
  const added_lines = Array.from({ length: lines }, (_, i) => ({ number: i + 1, content: `${i}`.padEnd(width, 'x') }));
  return {
    path,
    old_path: null,
    status: 'added',
    lines_added: lines,
    lines_deleted: 0,
    binary: false,
    hunks: [{ old_start: 0, old_lines: 0, new_start: 1, new_lines: lines, deleted_lines: [], added_lines }],
  };
}

describe('avroSizeBound', () => {
  it('is never below the real Confluent-framed Avro size of a commit event', () => {
    const line = fc.record({
      number: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      content: fc.string({ unit: 'grapheme', maxLength: 80 }),
    });
    const file = fc.record({
      path: fc.string({ minLength: 1, maxLength: 60 }),
      old_path: fc.option(fc.string({ minLength: 1, maxLength: 60 })),
      status: fc.constantFrom('added', 'modified', 'deleted', 'renamed', 'unknown'),
      lines_added: fc.nat(),
      lines_deleted: fc.nat(),
      binary: fc.boolean(),
      hunks: fc.option(
        fc.array(
          fc.record({
            old_start: fc.nat(),
            old_lines: fc.nat(),
            new_start: fc.nat(),
            new_lines: fc.nat(),
            deleted_lines: fc.array(line, { maxLength: 5 }),
            added_lines: fc.array(line, { maxLength: 5 }),
          }),
          { maxLength: 4 },
        ),
      ),
    });
    fc.assert(
      fc.property(
        fc.array(file, { maxLength: 8 }),
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        (files, message) => {
          const e = event(files, message);
          expect(avroSizeBound(e)).toBeGreaterThanOrEqual(encoded(e));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('fitCommitEvent', () => {
  it('leaves an event under the limit as it is', () => {
    const e = event([added('a.js', 10)]);
    expect(fitCommitEvent(e, 900 * 1024)).toEqual({ event: e, hunksDropped: 0, bytes: avroSizeBound(e), fits: true });
  });

  it('drops the hunks of the largest files first, keeping every path and line count, until it fits', () => {
    // A vendored 2 MB bundle, a 300 KB generated file and a small edit: over a 1 MB broker.
    const e = event([added('src/app.js', 20), added('vendor/bundle.js', 30_000), added('gen/schema.js', 5_000)]);
    expect(encoded(e)).toBeGreaterThan(1_048_576);
    const fitted = fitCommitEvent(e, 900 * 1024);
    expect(fitted.fits).toBe(true);
    expect(fitted.hunksDropped).toBe(1);
    expect(encoded(fitted.event)).toBeLessThanOrEqual(900 * 1024);
    expect(fitted.event.files.map((f) => [f.path, f.lines_added, f.lines_deleted, f.status, f.hunks === null])).toEqual(
      [
        ['src/app.js', 20, 0, 'added', false],
        ['vendor/bundle.js', 30_000, 0, 'added', true],
        ['gen/schema.js', 5_000, 0, 'added', false],
      ],
    );
  });

  it('says a commit does not fit when its file list alone is over the limit', () => {
    const files = Array.from({ length: 20_000 }, (_, i) => ({
      ...added(`generated/very/deep/directory/module-${i}.js`, 1),
      hunks: null,
    }));
    const fitted = fitCommitEvent(event(files), 900 * 1024);
    expect(fitted.fits).toBe(false);
    expect(fitted.bytes).toBeGreaterThan(900 * 1024);
  });
});
