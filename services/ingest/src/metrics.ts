import type { Counter, Histogram, Metrics } from '@omen/telemetry';

/** Every series ingest exports, created once per service registry. */
export interface IngestMetrics {
  /** Webhook deliveries by provider, event and how they were answered. */
  webhooks: Counter<'provider' | 'event' | 'outcome'>;
  /** Deliveries of event types omen does not use (answered 202). */
  ignored: Counter<'provider' | 'event'>;
  /** Events by kind and whether they were published or dropped as duplicates. */
  events: Counter<'kind' | 'outcome'>;
  /** Enrichment calls by source and outcome (ok, not_found, failed, unavailable). */
  enrichment: Counter<'source' | 'outcome'>;
  /** Push commits published without line counts (no enrichment source, or it failed). */
  unenriched: Counter<'provider' | 'reason'>;
  /** Truncated push webhooks by how ingest completed them (complete, partial, no_client, failed, new_branch, too_large). */
  pushCompletions: Counter<'provider' | 'outcome'>;
  /** Commits of truncated pushes that were not published: the range is a backfill's to fill. */
  pushCommitsMissing: Counter<'provider'>;
  /**
   * Commits over the event size limit, by outcome: `hunks_dropped` (published with the largest
   * files' hunks left out, line counts kept) or `refused` (over it even without hunks).
   */
  oversize: Counter<'outcome'>;
  /** Seconds from accepted payload to Kafka acknowledgement, by path. */
  publishSeconds: Histogram<'path'>;
  /** Seconds spent enriching one commit, by source. */
  enrichSeconds: Histogram<'source'>;
}

export function ingestMetrics(metrics: Metrics): IngestMetrics {
  return {
    webhooks: metrics.counter('omen_ingest_webhooks_total', 'Webhook deliveries by provider, event type and outcome', [
      'provider',
      'event',
      'outcome',
    ]),
    ignored: metrics.counter('omen_ingest_ignored_total', 'Webhook deliveries of event types omen does not use', [
      'provider',
      'event',
    ]),
    events: metrics.counter('omen_ingest_events_total', 'Events by kind: published to Kafka or dropped as duplicates', [
      'kind',
      'outcome',
    ]),
    enrichment: metrics.counter('omen_ingest_enrichment_total', 'Commit enrichment calls by source and outcome', [
      'source',
      'outcome',
    ]),
    unenriched: metrics.counter('omen_ingest_commits_unenriched_total', 'Push commits published without line counts', [
      'provider',
      'reason',
    ]),
    pushCompletions: metrics.counter(
      'omen_ingest_push_completions_total',
      'Truncated push webhooks by how their missing commits were handled',
      ['provider', 'outcome'],
    ),
    pushCommitsMissing: metrics.counter(
      'omen_ingest_push_commits_missing_total',
      'Commits of truncated push webhooks left unpublished (backfill the range)',
      ['provider'],
    ),
    oversize: metrics.counter(
      'omen_ingest_commits_oversize_total',
      'Commits over INGEST_MAX_EVENT_BYTES: published without some hunks, or refused',
      ['outcome'],
    ),
    publishSeconds: metrics.histogram(
      'omen_ingest_publish_duration_seconds',
      'From a validated payload to the Kafka acknowledgement',
      ['path'],
    ),
    enrichSeconds: metrics.histogram(
      'omen_ingest_enrich_duration_seconds',
      'Time to enrich one commit from the SCM API or mirror',
      ['source'],
    ),
  };
}
