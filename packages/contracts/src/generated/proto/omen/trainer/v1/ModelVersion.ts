// Original file: protos/omen/trainer/v1/trainer.proto

import type { ModelStage as _omen_trainer_v1_ModelStage, ModelStage__Output as _omen_trainer_v1_ModelStage__Output } from '../../../omen/trainer/v1/ModelStage.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';

export interface ModelVersion {
  'model_name'?: (string);
  'version'?: (string);
  'stage'?: (_omen_trainer_v1_ModelStage);
  /**
   * Artifact format, "onnx".
   */
  'format'?: (string);
  /**
   * sha256 of the artifact, hex; the artifact store is content-addressed by it.
   */
  'artifact_sha256'?: (string);
  /**
   * Where the artifact is stored (file path or object-store URI).
   */
  'artifact_uri'?: (string);
  'feature_set'?: (string);
  'feature_set_version'?: (number);
  /**
   * Model input order: feature names as the ONNX input expects them.
   */
  'feature_names'?: (string)[];
  'metrics'?: ({[key: string]: number | string});
  /**
   * Run that trained the version; empty for imported models.
   */
  'run_id'?: (string);
  'created_at'?: (_google_protobuf_Timestamp | null);
  'promoted_at'?: (_google_protobuf_Timestamp | null);
  'metadata'?: ({[key: string]: string});
}

export interface ModelVersion__Output {
  'model_name': (string);
  'version': (string);
  'stage': (_omen_trainer_v1_ModelStage__Output);
  /**
   * Artifact format, "onnx".
   */
  'format': (string);
  /**
   * sha256 of the artifact, hex; the artifact store is content-addressed by it.
   */
  'artifact_sha256': (string);
  /**
   * Where the artifact is stored (file path or object-store URI).
   */
  'artifact_uri': (string);
  'feature_set': (string);
  'feature_set_version': (number);
  /**
   * Model input order: feature names as the ONNX input expects them.
   */
  'feature_names': (string)[];
  'metrics': ({[key: string]: number});
  /**
   * Run that trained the version; empty for imported models.
   */
  'run_id': (string);
  'created_at': (_google_protobuf_Timestamp__Output | null);
  'promoted_at': (_google_protobuf_Timestamp__Output | null);
  'metadata': ({[key: string]: string});
}
