import { readStackEnv } from '@omen/stack';
import type { Command } from '../command.ts';
import { runScript } from './bench.ts';

/** The featurizer's recovery script: audit, reset and wait (services/featurizer/src/recovery/cli.ts). */
export const RECOVERY_SCRIPT = 'services/featurizer/src/recovery/cli.ts';

/** Runs a step of the recovery script with the engines' addresses of the local stack (process env first). */
export function runRecoveryStep(args: readonly string[]): Promise<number> {
  return runScript(RECOVERY_SCRIPT, args, { ...process.env, ...readStackEnv() });
}

const usage = `
usage: ./scripts/omen audit --repo ID [--git PATH] [--rev REV] [--json] [--topic-timeout-s N]

Counts one repository's commits at every stage and lists the runs of commits each one misses,
in source order (with --git) or by commit time (the commits any stage holds):
  source             git rev-list --reverse --date-order REV (the order backfill --git walks)
  scm.commits.v1     the repository's records still in the log, read from its start (a throwaway
                     group); judged from the first commit the log still holds, since retention
                     removes the oldest records (informational)
  featurizer state   commits applied to the history in Redis
  features           jit_change_metrics rows in ClickHouse
  labels             commits with a label (informational: only fixes and SZZ-blamed commits get one)
  predictions        stream-mode predictions of featurized commits (informational)
and the commits whose history metrics were computed before one of their parents was featurized
(on a gap), and the offsets of the commits topic the log deleted before the featurizer's group
read them (LOST: any repository on that partition may miss commits; the featurizer stops there).
The last line says complete or INCOMPLETE; --json prints the report as one JSON line.

  --repo ID          repository id as the events carry it (github:owner/name, git:NAME, ...)
  --git PATH         a clone of the repository: its history is the reference
  --rev REV          with --git: what to walk (default HEAD)
  --topic-timeout-s  longest wait for reading the commits topic (default 120)

Engines come from the environment, else .omen/stack.env; topic, group and key prefix from the
featurizer's variables (FEATURIZER_TOPIC_COMMITS, FEATURIZER_STATE_PREFIX, ...).
Exit codes: 0 complete, 1 a commit missing from the source, state or features, or featurized on
a gap (README "When commits were lost" says what to do), 2 usage.
`;

export const auditCommand: Command = {
  name: 'audit',
  summary: 'per stage, which commits of a repository are missing, and which were featurized on a gap',
  usage,
  run: (argv) => runRecoveryStep(['audit', ...argv]),
};
