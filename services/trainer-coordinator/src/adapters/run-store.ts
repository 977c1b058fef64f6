// Runs on disk, one JSON file each (`<state dir>/runs/<id>.json`, written atomically), so GetRun
// and ListRuns answer after a restart. A run that was in progress when the process died cannot
// resume (its worker died with it): on load it is marked failed, saying so.
import { mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { writeAtomic } from '@omen/model-registry';
import { TERMINAL_STATES, type RunRecord } from '../run-record.ts';

export class RunStore {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = path.join(path.resolve(stateDir), 'runs');
  }

  async save(run: RunRecord): Promise<void> {
    await writeAtomic(path.join(this.dir, `${run.id}.json`), `${JSON.stringify(run)}\n`);
  }

  /** Every stored run; ones left unfinished by a previous process come back failed (and are saved so). */
  async loadAll(now: Date): Promise<RunRecord[]> {
    await mkdir(this.dir, { recursive: true });
    const runs: RunRecord[] = [];
    for (const f of (await readdir(this.dir)).filter((n) => n.endsWith('.json'))) {
      let run: RunRecord;
      try {
        run = JSON.parse(await readFile(path.join(this.dir, f), 'utf8')) as RunRecord;
      } catch {
        continue; // a foreign or damaged file is not a run
      }
      if (!TERMINAL_STATES.has(run.state)) {
        const time = now.toISOString();
        run.error = `interrupted: the trainer-coordinator stopped while the run was ${run.state.replace('RUN_STATE_', '').toLowerCase()}`;
        run.state = 'RUN_STATE_FAILED';
        run.finishedAt = time;
        run.events.push({ state: run.state, message: run.error, progress: 1, time });
        await this.save(run);
      }
      runs.push(run);
    }
    return runs.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}
