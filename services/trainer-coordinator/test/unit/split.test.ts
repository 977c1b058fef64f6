import { describe, expect, it } from 'vitest';
import { carveValidation, chronologicalSplit, DatasetError, sortByTime } from '../../src/domain/index.ts';
import { makeDataset, qtSlice } from '../helpers/fixtures.ts';

describe('chronologicalSplit', () => {
  it('on real data: test is the newest 20%, validation the newest 20% of train, no test row precedes a train row', () => {
    const d = qtSlice();
    const s = chronologicalSplit(d, { testFraction: 0.2, validationFraction: 0.2 });
    const n = d.y.length;
    expect(s.report.test.rows).toBe(n - Math.floor(n * 0.8));
    expect(s.train.y.length).toBe(Math.floor(n * 0.8));
    expect(s.report.validation.rows).toBe(Math.floor(s.train.y.length * 0.2));
    expect(s.report.fit.rows + s.report.validation.rows).toBe(s.train.y.length);
    expect(s.report.fit.lastTime).toBeLessThanOrEqual(s.report.validation.firstTime);
    expect(s.report.validation.lastTime).toBeLessThanOrEqual(s.report.test.firstTime);
    expect(Math.max(...s.train.time)).toBeLessThanOrEqual(Math.min(...s.test.time));
    // Label rates are reported per part and add up to the whole.
    const positives = s.report.fit.positives + s.report.validation.positives + s.report.test.positives;
    expect(positives).toBe(d.y.reduce((a, b) => a + b, 0));
    expect(s.report.test.labelRate).toBeCloseTo(s.report.test.positives / s.report.test.rows, 12);
    // Rows keep their identity: the first test row is the row right after the training rows.
    expect(s.test.ids?.[0]).toBe(d.ids?.[s.train.y.length]);
  });

  it('re-sorts shuffled rows by time before splitting', () => {
    const times = [5, 1, 4, 2, 3, 9, 8, 7, 6, 0];
    const d = makeDataset(
      ['a'],
      times.map((t) => [t]),
      times.map((t) => t % 2),
      times,
    );
    const s = chronologicalSplit(d, { testFraction: 0.2, validationFraction: 0.25 });
    expect(s.report.resorted).toBe(true);
    expect([...s.test.time]).toEqual([8, 9]);
    expect([...s.validation.time]).toEqual([6, 7]);
    expect([...s.fit.x]).toEqual([0, 1, 2, 3, 4, 5]); // features travel with their rows
  });

  it('drops a gap of rows or of seconds between train and test', () => {
    const d = makeDataset(
      ['a'],
      Array.from({ length: 100 }, (_, i) => [i]),
      Array.from({ length: 100 }, (_, i) => i % 2),
      Array.from({ length: 100 }, (_, i) => i * 10),
    );
    const byRows = chronologicalSplit(d, { gap: { rows: 5 }, validationFraction: 0 });
    expect(byRows.train.y.length).toBe(75);
    expect(byRows.report.gapRows).toBe(5);
    // test starts at t = 800; a 100 s gap keeps training rows with t <= 700.
    const bySeconds = chronologicalSplit(d, { gap: { seconds: 100 }, validationFraction: 0 });
    expect(bySeconds.train.time[bySeconds.train.time.length - 1]).toBe(700);
    expect(bySeconds.report.gapRows).toBe(9);
  });

  it('refuses fractions out of range and splits that leave nothing', () => {
    const d = makeDataset(['a'], [[1], [2], [3]], [0, 1, 0]);
    expect(() => chronologicalSplit(d, { testFraction: 1 })).toThrow(/testFraction must be in/);
    expect(() => chronologicalSplit(d, { validationFraction: -0.1 })).toThrow(/validationFraction must be in/);
    expect(() => chronologicalSplit(d, { testFraction: 0.9 })).toThrow(DatasetError);
    expect(() => chronologicalSplit(d, { gap: { rows: 10 }, testFraction: 0.4 })).toThrow(/no training rows left/);
  });
});

describe('carveValidation / sortByTime', () => {
  it('takes validation from the end and leaves sorted input untouched', () => {
    const d = makeDataset(['a'], [[1], [2], [3], [4], [5]], [0, 1, 0, 1, 1]);
    const { fit, validation } = carveValidation(d, 0.4);
    expect([...fit.time]).toEqual([0, 1, 2]);
    expect([...validation.time]).toEqual([3, 4]);
    expect(sortByTime(d)).toEqual({ dataset: d, resorted: false });
  });
});
