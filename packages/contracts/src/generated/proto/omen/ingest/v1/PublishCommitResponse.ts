// Original file: protos/omen/ingest/v1/ingest.proto


export interface PublishCommitResponse {
  /**
   * The deterministic event id, "<repo_id>:<sha>".
   */
  'event_id'?: (string);
  'topic'?: (string);
  'partition'?: (number);
  /**
   * Kafka offset of the record, as a decimal string (64-bit).
   */
  'offset'?: (string);
  /**
   * True when an earlier call (or webhook) already stored this event: nothing was published
   * now, and partition is -1 and offset empty because the first position is not known here.
   */
  'duplicate'?: (boolean);
}

export interface PublishCommitResponse__Output {
  /**
   * The deterministic event id, "<repo_id>:<sha>".
   */
  'event_id': (string);
  'topic': (string);
  'partition': (number);
  /**
   * Kafka offset of the record, as a decimal string (64-bit).
   */
  'offset': (string);
  /**
   * True when an earlier call (or webhook) already stored this event: nothing was published
   * now, and partition is -1 and offset empty because the first position is not known here.
   */
  'duplicate': (boolean);
}
