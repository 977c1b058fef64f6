// `./scripts/omen backfill`: replays a history through ingest. Run by the CLI verb in a process
// of its own (packages/cli/src/commands/backfill.ts), so ingest's dependencies stay out of the CLI.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isShaPrefix } from '@omen/ids';
import { repoRefFromName } from '../domain/normalize.ts';
import { progressReporter } from './progress.ts';
import { runBackfill } from './run.ts';
import { gitSource, jsonlSource } from './source.ts';

const usage = `
usage: ./scripts/omen backfill (--git PATH | --jsonl FILE) --repo NAME [--rev REV] [--ingest ADDR]
                               [--batch N] [--checkpoint FILE] [--restart]
                               [--republish [--from SHA] [--to SHA]]
./scripts/omen backfill --help explains each option.
`;

class Usage extends Error {}

function parse(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      git: { type: 'string' },
      jsonl: { type: 'string' },
      repo: { type: 'string' },
      rev: { type: 'string' },
      ingest: { type: 'string' },
      batch: { type: 'string' },
      checkpoint: { type: 'string' },
      restart: { type: 'boolean', default: false },
      republish: { type: 'boolean', default: false },
      from: { type: 'string' },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  return values;
}

export async function main(argv: readonly string[]): Promise<number> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (err) {
    process.stderr.write(`omen backfill: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${usage.trim()}\n`);
    return 0;
  }
  try {
    if ((values.git === undefined) === (values.jsonl === undefined))
      throw new Usage('give exactly one of --git PATH or --jsonl FILE');
    if (values.repo === undefined) throw new Usage('--repo NAME is required');
    const repo = repoRefFromName(values.repo, 'git');
    if ('error' in repo) throw new Usage(repo.error);
    const batch = values.batch === undefined ? 500 : Number(values.batch);
    if (!Number.isInteger(batch) || batch < 1 || batch > 10_000)
      throw new Usage(`--batch must be an integer 1..10000, got "${values.batch}"`);
    const path = (values.git ?? values.jsonl)!;
    if (!existsSync(path)) throw new Usage(`${path} does not exist`);
    if (values.git !== undefined && !statSync(path).isDirectory()) throw new Usage(`--git ${path} is not a directory`);
    if (values.jsonl !== undefined && !statSync(path).isFile()) throw new Usage(`--jsonl ${path} is not a file`);
    const source = values.git !== undefined ? gitSource(path, repo, values.rev) : jsonlSource(path, repo);
    for (const [flag, sha] of [
      ['--from', values.from],
      ['--to', values.to],
    ] as const) {
      if (sha !== undefined && !isShaPrefix(sha))
        throw new Usage(`${flag} must be a commit sha (7 to 64 lower-case hex characters), got "${sha}"`);
    }
    if ((values.from !== undefined || values.to !== undefined) && !values.republish)
      throw new Usage('--from and --to go with --republish');
    const adminToken = process.env['ADMIN_TOKEN'];
    if (values.republish && !adminToken)
      throw new Usage(
        '--republish needs the admin token in ADMIN_TOKEN (./scripts/omen backfill sets it from .omen/admin-token)',
      );

    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = (): void => {
      interrupts++;
      if (interrupts === 1) {
        process.stderr.write(
          '\ninterrupted: finishing the batch in flight and saving the checkpoint (Ctrl-C again to quit now)\n',
        );
        controller.abort();
      } else {
        process.exit(130);
      }
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    const result = await runBackfill({
      source,
      repoId: repo.id,
      ingest: values.ingest ?? process.env['INGEST_GRPC_ADDR'] ?? '127.0.0.1:50051',
      checkpointDir: join(process.env['OMEN_HOME'] ?? join(process.cwd(), '.omen'), 'backfill'),
      ...(values.checkpoint ? { checkpointFile: values.checkpoint } : {}),
      restart: values.restart,
      ...(values.republish ? { republish: true, adminToken } : {}),
      ...(values.from !== undefined ? { from: values.from } : {}),
      ...(values.to !== undefined ? { to: values.to } : {}),
      batchSize: batch,
      signal: controller.signal,
      progress: progressReporter(process.stderr),
    });
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    if (result.status === 'interrupted')
      process.stderr.write(
        `stopped at commit ${result.position}; run the same command again to resume (${result.checkpointFile})\n`,
      );
    if (result.status === 'failed')
      process.stderr.write(
        `backfill failed: ${result.error}\nprogress is saved in ${result.checkpointFile}; re-run to resume\n`,
      );
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.status === 'complete' ? 0 : result.status === 'interrupted' ? 130 : 1;
  } catch (err) {
    if (err instanceof Usage) {
      process.stderr.write(`omen backfill: ${err.message}\n${usage}`);
      return 2;
    }
    throw err;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`omen backfill: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
