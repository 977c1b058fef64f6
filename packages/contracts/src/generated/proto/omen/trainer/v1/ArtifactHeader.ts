// Original file: protos/omen/trainer/v1/trainer.proto

import type { ModelVersion as _omen_trainer_v1_ModelVersion, ModelVersion__Output as _omen_trainer_v1_ModelVersion__Output } from '../../../omen/trainer/v1/ModelVersion.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * The first message of GetArtifact.
 */
export interface ArtifactHeader {
  /**
   * The version as GetModel describes it, without reference_stats_json and evaluation_json
   * (record_json has them).
   */
  'version'?: (_omen_trainer_v1_ModelVersion | null);
  /**
   * The registry's record of the version as stored (@omen/model-registry ModelVersionRecord,
   * JSON): every field, including those ModelVersion does not carry (the reference medians
   * contributions are measured from, the full lineage). What a ModelSource hands out.
   */
  'record_json'?: (string);
  /**
   * sha256 (hex) of the bytes that follow; equal to the record's.
   */
  'sha256'?: (string);
  /**
   * Number of bytes that follow, over all chunks.
   */
  'size_bytes'?: (number | string | Long);
  /**
   * Most bytes in one chunk of this stream.
   */
  'chunk_bytes'?: (number);
}

/**
 * The first message of GetArtifact.
 */
export interface ArtifactHeader__Output {
  /**
   * The version as GetModel describes it, without reference_stats_json and evaluation_json
   * (record_json has them).
   */
  'version': (_omen_trainer_v1_ModelVersion__Output | null);
  /**
   * The registry's record of the version as stored (@omen/model-registry ModelVersionRecord,
   * JSON): every field, including those ModelVersion does not carry (the reference medians
   * contributions are measured from, the full lineage). What a ModelSource hands out.
   */
  'record_json': (string);
  /**
   * sha256 (hex) of the bytes that follow; equal to the record's.
   */
  'sha256': (string);
  /**
   * Number of bytes that follow, over all chunks.
   */
  'size_bytes': (string);
  /**
   * Most bytes in one chunk of this stream.
   */
  'chunk_bytes': (number);
}
