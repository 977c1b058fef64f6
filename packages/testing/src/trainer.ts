import * as grpc from '@grpc/grpc-js';
import type { trainerV1 } from '@omen/contracts';

/**
 * Every event of a training run until the trainer ends its WatchRun stream (the last one
 * carries the run's final state). Rejects on a stream error or after `deadlineMs`.
 */
export function watchRun(
  client: trainerV1.TrainerClient,
  runId: string,
  deadlineMs = 300_000,
): Promise<trainerV1.RunEvent__Output[]> {
  return new Promise((resolve, reject) => {
    const events: trainerV1.RunEvent__Output[] = [];
    const stream = client.WatchRun({ run_id: runId }, new grpc.Metadata(), { deadline: Date.now() + deadlineMs });
    stream.on('data', (e: trainerV1.RunEvent__Output) => events.push(e));
    stream.on('error', reject);
    stream.on('end', () => resolve(events));
  });
}
