import { recordTrace, type AvroProducer } from '@omen/kafka';
import type { CommitLabel } from '../domain/labels.ts';
import type { FeatureRow } from '../domain/rows.ts';

export interface KafkaSinkTopics {
  features: string;
  labels: string;
}

/**
 * Publishes features and labels, keyed by repository (so a repository's records keep their
 * order) with their deterministic event ids as the idempotency header.
 */
/** The key a consumed commit's trace is registered under (`withRecordTraces`) and found by. */
export function commitTraceKey(c: { repo_id: string; sha: string }): string {
  return `${c.repo_id}@${c.sha}`;
}

export function kafkaPublisher(producer: AvroProducer, topics: KafkaSinkTopics) {
  return async (features: readonly FeatureRow[], labels: readonly CommitLabel[]): Promise<void> => {
    await Promise.all([
      features.length > 0
        ? producer.send(
            topics.features,
            features.map((f) => ({
              key: f.repo_id,
              value: f,
              eventId: f.event_id,
              eventTime: f.event_time,
              trace: recordTrace(commitTraceKey(f)),
            })),
          )
        : undefined,
      labels.length > 0
        ? producer.send(
            topics.labels,
            labels.map((l) => ({
              key: l.repo_id,
              value: l,
              eventId: l.event_id,
              eventTime: l.label_known_at,
              trace: recordTrace(commitTraceKey(l)),
            })),
          )
        : undefined,
    ]);
  };
}
