import type { Dataset } from '../dataset.ts';
import type { TrainAlgorithm, TrainParams, TrainResult } from '../training/train-model.ts';

export interface TrainRequest {
  readonly kind: TrainAlgorithm;
  readonly dataset: Dataset;
  readonly params: TrainParams;
}

export type TrainReply =
  | { readonly ok: true; readonly result: TrainResult; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly error: {
        readonly name: string;
        readonly message: string;
        readonly code?: string;
        readonly stack?: string;
      };
    };
