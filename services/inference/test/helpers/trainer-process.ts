// The real trainer-coordinator as its own process (main.ts, as deployed), for tests of what
// inference reads from it: started on free ports with only the environment a test gives,
// its JSON log lines collected, stopped with SIGTERM.
import path from 'node:path';
import { loadGrpcObject, repoRoot, type trainerV1 } from '@omen/contracts';
import { callUnary, createClient } from '@omen/grpc';
import { startServiceProcess, watchRun, type ServiceProcess } from '@omen/testing';

export type TrainerProcess = ServiceProcess;

/**
 * Starts the trainer and resolves once it answers SERVING. `env` is all it gets besides
 * PATH/HOME, the ports and TRAINER_CSV_DIR (QT_CSV's directory, so trainChampion's CSV is inside it).
 */
export function startTrainerProcess(env: Record<string, string>): Promise<TrainerProcess> {
  return startServiceProcess('trainer-coordinator', { TRAINER_CSV_DIR: path.dirname(QT_CSV), ...env });
}

/** The trainer's own test slice of the ISSTA'21 Qt change metrics (a data file, not code). */
export const QT_CSV = path.join(
  repoRoot,
  'services',
  'trainer-coordinator',
  'test',
  'fixtures',
  'qt-first-4000.csv.gz',
);

/** Trains `model` on QT_CSV in the trainer (gbdt, auto-promoted) and returns the run's last state. */
export async function trainChampion(
  address: string,
  token: string,
  model: string,
): Promise<trainerV1.Run__Output | null | undefined> {
  const { Trainer } = loadGrpcObject('trainer').omen.trainer.v1;
  const admin = createClient(Trainer, address, { token, deadlineMs: 60_000 });
  try {
    const run = await callUnary<trainerV1.Run__Output>(admin, 'StartRun', {
      model_name: model,
      row_source: `csv:${QT_CSV}`,
      algorithm: 'gbdt',
      auto_promote: true,
    });
    return (await watchRun(admin, run.run_id)).at(-1)?.run;
  } finally {
    admin.close();
  }
}
