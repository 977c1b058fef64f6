import { OmenError } from '@omen/errors';

/** Kafka refuses longer topic names. */
export const MAX_TOPIC_NAME_LENGTH = 249;
/** What separates a topic from its consumer group in a dead-letter topic's name. */
export const DLQ_INFIX = '.dlq.';
/** Consumer group names as the manifest accepts them: they end up inside topic names. */
export const GROUP_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
// Kafka's own rule for topic names (kafka.common.Topic): letters, digits, '.', '_', '-'.
const KAFKA_TOPIC_PATTERN = /^[A-Za-z0-9._-]+$/;

export class TopicNameError extends OmenError<'INVALID_ARGUMENT'> {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/**
 * The dead-letter topic where `group` puts the records of `topic` it cannot decode or process:
 * `<topic>.dlq.<group>`.
 * @throws TopicNameError when either part is not usable inside a Kafka topic name
 */
export function dlqTopic(topic: string, group: string): string {
  if (!KAFKA_TOPIC_PATTERN.test(topic))
    throw new TopicNameError(`topic "${topic}" is not a valid Kafka topic name (letters, digits, ".", "_", "-")`);
  if (topic.includes(DLQ_INFIX)) throw new TopicNameError(`topic "${topic}" is already a dead-letter topic`);
  if (!GROUP_PATTERN.test(group))
    throw new TopicNameError(`consumer group "${group}" must match ${String(GROUP_PATTERN)}`);
  const name = `${topic}${DLQ_INFIX}${group}`;
  if (name.length > MAX_TOPIC_NAME_LENGTH)
    throw new TopicNameError(`dead-letter topic "${name}" is longer than Kafka's ${MAX_TOPIC_NAME_LENGTH} characters`);
  return name;
}

/** The inverse of {@link dlqTopic}: `{ topic, group }` for a dead-letter topic name, else null. */
export function parseDlqTopic(name: string): { topic: string; group: string } | null {
  const at = name.lastIndexOf(DLQ_INFIX);
  if (at <= 0) return null;
  const topic = name.slice(0, at);
  const group = name.slice(at + DLQ_INFIX.length);
  return GROUP_PATTERN.test(group) ? { topic, group } : null;
}
