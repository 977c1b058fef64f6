// Original file: protos/omen/trainer/v1/trainer.proto

import type { ModelStage as _omen_trainer_v1_ModelStage, ModelStage__Output as _omen_trainer_v1_ModelStage__Output } from '../../../omen/trainer/v1/ModelStage.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';
import type { GateResult as _omen_trainer_v1_GateResult, GateResult__Output as _omen_trainer_v1_GateResult__Output } from '../../../omen/trainer/v1/GateResult.ts';
import type { Long } from '@grpc/proto-loader';

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
  /**
   * Aliases that point at this version now ("champion", "challenger").
   */
  'aliases'?: (string)[];
  /**
   * Lineage: the trainer's git commit, algorithm, hyper-parameters, data range and row counts.
   */
  'code_version'?: (string);
  'algorithm'?: (string);
  'params'?: ({[key: string]: string});
  'data_from'?: (_google_protobuf_Timestamp | null);
  'data_to'?: (_google_protobuf_Timestamp | null);
  'train_rows'?: (number | string | Long);
  'test_rows'?: (number | string | Long);
  'label_rate'?: (number | string);
  /**
   * The gate's verdict when the version was registered.
   */
  'gate'?: (_omen_trainer_v1_GateResult | null);
  /**
   * Training reference statistics (per-feature quantiles, histograms, category frequencies,
   * prediction distribution) as JSON; what the drift detector compares against.
   */
  'reference_stats_json'?: (string);
  /**
   * Calibration table and confusion at the threshold, as JSON.
   */
  'evaluation_json'?: (string);
  'threshold'?: (number | string);
  'size_bytes'?: (number | string | Long);
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
  /**
   * Aliases that point at this version now ("champion", "challenger").
   */
  'aliases': (string)[];
  /**
   * Lineage: the trainer's git commit, algorithm, hyper-parameters, data range and row counts.
   */
  'code_version': (string);
  'algorithm': (string);
  'params': ({[key: string]: string});
  'data_from': (_google_protobuf_Timestamp__Output | null);
  'data_to': (_google_protobuf_Timestamp__Output | null);
  'train_rows': (string);
  'test_rows': (string);
  'label_rate': (number);
  /**
   * The gate's verdict when the version was registered.
   */
  'gate': (_omen_trainer_v1_GateResult__Output | null);
  /**
   * Training reference statistics (per-feature quantiles, histograms, category frequencies,
   * prediction distribution) as JSON; what the drift detector compares against.
   */
  'reference_stats_json': (string);
  /**
   * Calibration table and confusion at the threshold, as JSON.
   */
  'evaluation_json': (string);
  'threshold': (number);
  'size_bytes': (string);
}
