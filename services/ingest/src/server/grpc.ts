import * as grpc from '@grpc/grpc-js';
import type { ingestV1 } from '@omen/contracts';
import {
  InvalidArgumentError,
  isOmenError,
  PermissionDeniedError,
  UnauthenticatedError,
  type ErrorCode,
} from '@omen/errors';
import { grants } from '@omen/auth';
import { callerOf, clientStream, unary, type CallContext } from '@omen/grpc';
import type { CommitEvent, IngestSource } from '../domain/events.ts';
import { commitFromProto } from '../domain/proto-commit.ts';
import { parseRepoId } from '../domain/ids.ts';
import type { RepoRef } from '../domain/events.ts';
import type { EventOutcome, IngestPipeline } from '../pipeline.ts';

export interface IngestGrpcOptions {
  pipeline: IngestPipeline;
  pseudonymKey: string;
  /** Topic commits go to, echoed in acknowledgements. */
  commitTopic: string;
  /** Valid commits of a stream published per Kafka round trip. @default 500 */
  streamBatch?: number;
}

const sources = new Set<IngestSource>(['backfill', 'git', 'api', 'producer']);

/** `omen-source` metadata says which path a client is (backfill sets "backfill"); default producer. */
function sourceOf(ctx: CallContext): IngestSource {
  const v = ctx.metadata.get('omen-source')[0];
  return typeof v === 'string' && sources.has(v as IngestSource) ? (v as IngestSource) : 'producer';
}

/**
 * Whether the call asks to republish past the dedup window (`omen-republish: true`). Only an
 * admin may: anyone else could otherwise flood the log with copies of old events. The auth
 * interceptor has verified any credential presented (PublishCommits itself is open), so the
 * caller it recorded is the one to judge.
 */
function republishOf(ctx: CallContext): boolean {
  if (ctx.metadata.get('omen-republish')[0] !== 'true') return false;
  const caller = callerOf(ctx.metadata);
  if (!caller)
    throw new UnauthenticatedError(
      'omen-republish needs an admin credential ("authorization: Bearer <token>" metadata)',
    );
  if (!grants(caller.roles, 'admin')) {
    throw new PermissionDeniedError(
      `omen-republish needs the admin role; the caller has ${caller.roles.length > 0 ? caller.roles.join(', ') : 'no role'}`,
    );
  }
  return true;
}

function repoOf(event: CommitEvent): RepoRef {
  const parsed = parseRepoId(event.repo_id);
  return { provider: parsed?.provider ?? event.provider, id: event.repo_id, name: event.repo_name };
}

function ack(outcome: EventOutcome, topic: string): ingestV1.PublishCommitResponse {
  // A duplicate was stored by an earlier call; its position is not known here.
  return {
    event_id: outcome.eventId,
    topic: outcome.record?.topic ?? topic,
    partition: outcome.record?.partition ?? -1,
    offset: outcome.record?.offset ?? '',
    duplicate: outcome.status === 'duplicate',
  };
}

/** The `omen.ingest.v1.Ingest` implementation, for `createGrpcServer().addService`. */
export function ingestHandlers(options: IngestGrpcOptions): grpc.UntypedServiceImplementation {
  const { pipeline, pseudonymKey, commitTopic } = options;
  const streamBatch = options.streamBatch ?? 500;

  const publishCommit = unary<ingestV1.PublishCommitRequest__Output, ingestV1.PublishCommitResponse>(
    async (req, ctx) => {
      const source = sourceOf(ctx);
      const republish = republishOf(ctx);
      const parsed = commitFromProto(req.commit, pseudonymKey, source);
      if (!parsed.ok) throw new InvalidArgumentError(parsed.reason, parsed.field);
      const result = await pipeline.ingest({
        repo: repoOf(parsed.event),
        commits: [{ event: parsed.event, needsEnrichment: false }],
        headers: { 'omen-source': source },
        path: 'grpc',
        republish,
      });
      return ack(result.events[0]!, commitTopic);
    },
  );

  const publishCommits = clientStream<ingestV1.PublishCommitRequest__Output, ingestV1.PublishCommitsResponse>(
    async (requests, ctx) => {
      const source = sourceOf(ctx);
      const republish = republishOf(ctx);
      const results: ingestV1.PublishResult[] = [];
      let pending: Array<{ index: number; event: CommitEvent }> = [];
      let accepted = 0;
      let rejected = 0;
      // Once Kafka is found down, the rest of the stream is refused at once instead of each
      // batch waiting out the publish timeout again.
      let down: { code: ErrorCode; message: string } | undefined;

      const fail = (index: number, eventId: string, code: string, message: string): void => {
        results[index] = { index, event_id: eventId, error: { code, message } };
        rejected++;
      };

      const flush = async (): Promise<void> => {
        const batch = pending;
        pending = [];
        if (batch.length === 0) return;
        if (down) {
          for (const p of batch) fail(p.index, p.event.event_id, down.code, down.message);
          return;
        }
        // The pipeline enriches and keys per repository; a stream may mix repositories.
        const byRepo = new Map<string, Array<{ index: number; event: CommitEvent }>>();
        for (const p of batch) {
          const group = byRepo.get(p.event.repo_id);
          if (group) group.push(p);
          else byRepo.set(p.event.repo_id, [p]);
        }
        await Promise.all(
          [...byRepo.values()].map(async (group) => {
            try {
              const result = await pipeline.ingest({
                repo: repoOf(group[0]!.event),
                commits: group.map((p) => ({ event: p.event, needsEnrichment: false })),
                headers: { 'omen-source': source },
                path: 'grpc',
                republish,
              });
              group.forEach((p, i) => {
                results[p.index] = {
                  index: p.index,
                  event_id: p.event.event_id,
                  ack: ack(result.events[i]!, commitTopic),
                };
                accepted++;
              });
            } catch (err) {
              const code: ErrorCode = isOmenError(err) ? err.code : 'INTERNAL';
              const message = isOmenError(err) ? err.message : 'internal error';
              if (code === 'UNAVAILABLE') down = { code, message };
              if (!isOmenError(err)) ctx.logger.error({ err }, 'publishing a stream batch failed');
              for (const p of group) fail(p.index, p.event.event_id, code, message);
            }
          }),
        );
      };

      let index = 0;
      for await (const req of requests) {
        const i = index++;
        const parsed = commitFromProto(req.commit, pseudonymKey, source);
        if (!parsed.ok) {
          fail(i, '', 'INVALID_ARGUMENT', parsed.reason);
          continue;
        }
        const tooLarge = pipeline.commitTooLarge(parsed.event);
        if (tooLarge) {
          fail(i, parsed.event.event_id, 'INVALID_ARGUMENT', tooLarge);
          continue;
        }
        pending.push({ index: i, event: parsed.event });
        if (pending.length >= streamBatch) await flush();
      }
      await flush();
      return { results, accepted, rejected };
    },
  );

  return { PublishCommit: publishCommit, PublishCommits: publishCommits };
}
