import { parseArgs } from 'node:util';
import type * as grpc from '@grpc/grpc-js';
import { loadGrpcObject, type featurizerV1 } from '@omen/contracts';
import { callUnary, createClient } from '@omen/grpc';
import { UsageError, type Command } from '../command.ts';
import { localAdminToken, servicePorts } from '../local-services.ts';
import { runRecoveryStep } from './audit.ts';
import { runBackfillScript } from './backfill.ts';
import { statusName } from './models.ts';

const usage = `
usage: ./scripts/omen featurizer rebuild --repo ID (--git PATH | --jsonl FILE) [--accept-gap] [--force]
                                         [--ingest ADDR] [--featurizer ADDR]

Rebuilds one repository's featurizer state and features from its full history, in order, after
commits were lost (README "When commits were lost"):
  0. asks the featurizer for partitions of its commits topic stopped at a gap (records deleted
     before it read them; policy stop, health NOT_SERVING). If there are any, nothing happens
     unless --accept-gap is given: then each is moved past its gap (admin RPC AcceptOffsetGap,
     logged by the featurizer with this command as the reason) so the featurizer reads the rest
     of the log. Every repository on such a partition was computed on the gap: rebuild each;
  1. waits until the featurizer has read every record in its topics (no lag), so nothing older
     is applied to the cleared state ahead of the replay (--force skips the wait);
  2. clears the repository's history in Redis (issue records stay, and the commits bug issues
     name become pending links again, so issue labels come back with the replay);
  3. republishes the whole history through ingest past its dedup window (backfill --republish):
     the featurizer applies it oldest first and its new rows replace the old ones in ClickHouse
     (ReplacingMergeTree, newer computed_at) and Redis;
  4. waits until the featurizer has read it all; supersedes each SZZ label the rebuilt history
     disagrees with (one only the run on the gap produced: blame over an incomplete history) with
     the rebuilt answer, 1 ms newer, on the labels topic and in ClickHouse (labels are never
     deleted), and deletes the code findings the replay no longer finds (computed from file texts
     the gap left incomplete); then runs the audit (exit 1 if still incomplete).
Ingest and the featurizer must be running. ID is the repository id the events carry
(github:owner/name, gitlab:group/project, git:NAME) and is passed to backfill as --repo.

  --accept-gap        move stopped partitions of the commits topic past their gaps (step 0)
  --featurizer ADDR   the featurizer's gRPC address (default $FEATURIZER_ADDR, else 127.0.0.1:${servicePorts('featurizer').grpc});
                      the admin token comes from ADMIN_TOKEN, else .omen/admin-token
Exit codes: 0 rebuilt and the audit complete, 1 failed or still incomplete (or a gap not
accepted), 2 usage.
`;

/** One line per refusal, as the other verbs print gRPC failures. */
async function featurizerCall<Res>(
  client: grpc.Client,
  address: string,
  method: string,
  request: unknown,
): Promise<Res> {
  try {
    return await callUnary<Res>(client, method, request);
  } catch (err) {
    const e = err as grpc.ServiceError;
    if (typeof e.code !== 'number') throw err;
    throw new Error(
      `${method}: ${statusName(e.code)}: ${e.details}${e.code === (14 as grpc.status) ? ` (is the featurizer up at ${address}?)` : ''}`,
    );
  }
}

/**
 * Step 0: the featurizer's partitions stopped at a gap in the commits topic. A gap is accepted
 * only when the operator said so (--accept-gap), one partition at a time at the offset it
 * stopped at, so a gap that appears meanwhile is never accepted unseen.
 * @returns 0 to go on, 1 when a gap stands
 */
async function passGaps(repo: string, accept: boolean, addr: string | undefined): Promise<number> {
  const address = addr ?? process.env['FEATURIZER_ADDR'] ?? `127.0.0.1:${servicePorts('featurizer').grpc}`;
  const token = process.env['ADMIN_TOKEN'] ?? localAdminToken().token;
  const commitsTopic = process.env['FEATURIZER_TOPIC_COMMITS'] ?? 'scm.commits.v1';
  const { Featurizer } = loadGrpcObject('featurizer').omen.featurizer.v1;
  const client = createClient(Featurizer, address, { deadlineMs: 30_000, token });
  try {
    const { gaps } = await featurizerCall<featurizerV1.ListOffsetGapsResponse__Output>(
      client,
      address,
      'ListOffsetGaps',
      {},
    );
    for (const gap of gaps)
      process.stderr.write(`the featurizer stopped ${gap.topic}/${gap.partition}: ${gap.reason}\n`);
    const ours = gaps.filter((g) => g.topic === commitsTopic);
    if (ours.length < gaps.length)
      process.stderr.write(
        `gaps outside ${commitsTopic} are not a rebuild's to accept (lost issue events come back only from their source)\n`,
      );
    if (ours.length === 0) return 0;
    if (!accept) {
      process.stderr.write(
        'nothing changed. To go on without the lost records and rebuild from the full history, run again with --accept-gap;\n' +
          'every repository on those partitions was computed on the gap and needs a rebuild (./scripts/omen audit --repo ID says which).\n',
      );
      return 1;
    }
    for (const g of ours) {
      const { gap } = await featurizerCall<featurizerV1.AcceptOffsetGapResponse__Output>(
        client,
        address,
        'AcceptOffsetGap',
        {
          topic: g.topic,
          partition: g.partition,
          expected_offset: g.expected_offset,
          reason: `featurizer rebuild --repo ${repo} --accept-gap`,
        },
      );
      process.stderr.write(
        `accepted: ${g.topic}/${g.partition} goes on from offset ${gap?.log_start ?? '?'} without offsets ${g.expected_offset}.. (${gap?.skipped ?? g.skipped} records)\n`,
      );
    }
    return 0;
  } finally {
    client.close();
  }
}

async function rebuild(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      repo: { type: 'string' },
      git: { type: 'string' },
      jsonl: { type: 'string' },
      force: { type: 'boolean', default: false },
      ingest: { type: 'string' },
      'accept-gap': { type: 'boolean', default: false },
      featurizer: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.repo === undefined || !/^[a-z]+:\S+$/.test(values.repo))
    throw new UsageError('--repo ID is required, as the events carry it (github:owner/name, git:NAME, ...)');
  if ((values.git === undefined) === (values.jsonl === undefined))
    throw new UsageError('give exactly one of --git PATH or --jsonl FILE');
  const source = values.git !== undefined ? ['--git', values.git] : ['--jsonl', values.jsonl!];
  const step = (n: string, what: string): void => {
    process.stderr.write(`rebuild ${values.repo} [${n}/4] ${what}\n`);
  };
  step('0', 'looking for partitions the featurizer stopped at a gap');
  try {
    const gaps = await passGaps(values.repo, values['accept-gap'], values.featurizer);
    if (gaps !== 0) return gaps;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  step('1-2', 'waiting for the featurizer to catch up, then clearing the state');
  const reset = await runRecoveryStep(['reset', '--repo', values.repo, ...(values.force ? ['--force'] : [])]);
  if (reset !== 0) return reset;
  step('3', 'republishing the whole history through ingest');
  const republished = await runBackfillScript([
    ...source,
    '--repo',
    values.repo,
    '--republish',
    ...(values.ingest ? ['--ingest', values.ingest] : []),
  ]);
  if (republished !== 0) {
    process.stderr.write(
      'the republish did not finish: the state is cleared and partly rebuilt; run the same command again\n',
    );
    return republished;
  }
  step(
    '4',
    'waiting for the featurizer to apply it, superseding SZZ labels and findings only the gap run produced, then auditing',
  );
  const waited = await runRecoveryStep(['wait']);
  if (waited !== 0) return waited;
  const relabeled = await runRecoveryStep(['relabel', '--repo', values.repo]);
  if (relabeled !== 0) return relabeled;
  return runRecoveryStep(['audit', '--repo', values.repo, ...(values.git !== undefined ? ['--git', values.git] : [])]);
}

export const featurizerCommand: Command = {
  name: 'featurizer',
  summary: 'featurizer operations: rebuild one repository from its full history',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== 'rebuild')
      throw new UsageError(
        sub === undefined ? 'give an operation (rebuild)' : `unknown operation "${sub}" (have: rebuild)`,
      );
    try {
      return await rebuild(rest);
    } catch (err) {
      if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
        throw new UsageError(err.message);
      throw err;
    }
  },
};
