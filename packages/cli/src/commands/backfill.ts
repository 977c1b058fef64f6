import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command } from '../command.ts';
import { localAdminToken, servicePorts } from '../local-services.ts';

// The work lives in services/ingest (it streams to ingest's gRPC API); this verb only runs it in a
// process of its own, so ingest's dependencies stay out of the CLI's graph.
const SCRIPT = fileURLToPath(new URL('../../../../services/ingest/src/backfill/cli.ts', import.meta.url));

/**
 * Runs the backfill script with the terminal's stdio. Ctrl-C reaches both processes (one process
 * group); this one ignores it and waits, so the script can finish its batch, save the
 * checkpoint and exit 130 before the shell prompt returns.
 */
export function runBackfillScript(args: readonly string[]): Promise<number> {
  // A republish needs the admin token; the local mesh's is handed over in the environment, never on the command line.
  const base =
    args.includes('--republish') && !process.env['ADMIN_TOKEN']
      ? { ...process.env, ADMIN_TOKEN: localAdminToken().token }
      : process.env;
  // The local mesh's ingest wherever OMEN_GRPC_PORT_BASE put it (as every other verb finds its service).
  const env = { ...base, INGEST_GRPC_ADDR: base['INGEST_GRPC_ADDR'] ?? `127.0.0.1:${servicePorts('ingest').grpc}` };
  return new Promise((resolve, reject) => {
    const ignore = (): void => undefined;
    process.on('SIGINT', ignore);
    process.on('SIGTERM', ignore);
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { stdio: 'inherit', env });
    const done = (): void => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', ignore);
    };
    child.once('error', (err) => {
      done();
      reject(err);
    });
    child.once('exit', (code, signal) => {
      done();
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}

const usage = `
usage: ./scripts/omen backfill (--git PATH | --jsonl FILE) --repo NAME [options]

Replays a repository's history through ingest (gRPC PublishCommits), the path live events take:
the same validation, the same dedup, so re-running publishes nothing twice. Ingest must be running
(./scripts/omen services up, or services/ingest/src/main.ts).

  --git PATH        a local clone: walks git log oldest first with numstat and zero-context diffs
  --jsonl FILE      a history export, one commit per line (the express-commits.jsonl.gz format), gzip or not
  --repo NAME       repository id: github:owner/name, gitlab:group/project, or a bare name (git:NAME)
  --rev REV         with --git: what to walk (default HEAD)
  --ingest ADDR     ingest's gRPC address (default $INGEST_GRPC_ADDR or the local ingest, 127.0.0.1:50051)
  --batch N         commits per stream and per checkpoint (default 500)
  --checkpoint FILE where progress is kept (default .omen/backfill/<source>-<hash>.json)
  --restart         ignore the checkpoint and start from the first commit
  --republish       publish even what ingest's dedup window already holds: the way back after the
                    log lost records (README "When commits were lost"). Needs the admin token
                    (ADMIN_TOKEN, else .omen/admin-token); ignores the checkpoint. Downstream stays
                    idempotent: the featurizer applies a sha once, so commits it has are not counted twice
  --from SHA        with --republish: first commit to send (source order; a prefix of 7+ characters)
  --to SHA          with --republish: last commit to send

Ctrl-C finishes the batch in flight, saves the checkpoint and exits 130; run the same command
again to resume. Progress is a bar on a terminal, plain lines otherwise; the last stdout line is
the result as JSON. Exit codes: 0 done, 1 failed, 2 usage, 130 interrupted.
`;

export const backfillCommand: Command = {
  name: 'backfill',
  summary: 'replay a git repository or a JSONL history through ingest (resumable)',
  usage,
  run: (argv) => runBackfillScript(argv),
};
