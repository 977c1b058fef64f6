/**
 * ingest: where source-control activity enters omen. Webhooks (GitHub, GitLab) and gRPC
 * (`omen.ingest.v1.Ingest`) in; Avro commits, pull requests and issues out to Kafka.
 *
 *   const app = await startIngest(loadConfig(ingestConfigSchema), { logger, metrics });
 *   // POST `${app.httpUrl}/webhooks/github`, gRPC on app.grpcPort
 */
export { startIngest, enricherFrom } from './app.ts';
export type { IngestApp, IngestAppDeps } from './app.ts';
export { ingestConfigSchema } from './config.ts';
export type { IngestConfig } from './config.ts';
export { readGitLog, showCommit } from './adapters/git.ts';
export { GitLogParser, gitConfigArgs, gitLogDiffArgs } from './domain/gitlog.ts';
export { parseHistoryLine, historyToEvent, historyLine } from './domain/jsonl.ts';
export { repoRefFromName } from './domain/normalize.ts';
export type { RepoRef } from './domain/events.ts';
export { githubSignature } from './domain/signature.ts';
export type { CommitDetail } from './domain/enrich.ts';
export type { CommitEvent, PullRequestEvent, IssueEvent } from './domain/events.ts';
