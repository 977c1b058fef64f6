import { describe, expect, it } from 'vitest';
import { trainInWorker, trainModel, TrainWorkerError } from '../../src/domain/index.ts';
import { qtSlice } from '../helpers/fixtures.ts';

describe('trainInWorker', () => {
  it('trains on a worker thread and returns exactly what trainModel returns in-process', async () => {
    const d = qtSlice();
    const params = { gbdt: { numTrees: 40, seed: 11 } };
    const remote = await trainInWorker('ensemble', d, params);
    const local = trainModel('ensemble', d, params);
    const { durationMs, ...rest } = remote;
    expect(durationMs).toBeGreaterThan(0);
    expect(rest).toEqual(local);
    // The caller's arrays were copied, not transferred away.
    expect(d.x.length).toBe(4000 * 14);
  });

  it('rejects with the training error’s code and message', async () => {
    const d = qtSlice();
    const err = await trainInWorker('gbdt', { ...d, y: d.y.slice(0, 10) }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainWorkerError);
    expect((err as TrainWorkerError).code).toBe('DATASET_SHAPE');
    expect((err as TrainWorkerError).message).toMatch(/expected rows \(10\)/);
  });

  it('can be aborted', async () => {
    const controller = new AbortController();
    const job = trainInWorker(
      'gbdt',
      qtSlice(),
      { gbdt: { numTrees: 1000, earlyStoppingRounds: 0 } },
      { signal: controller.signal },
    );
    controller.abort();
    await expect(job).rejects.toMatchObject({ code: 'TRAIN_ABORTED' });
  });
});
