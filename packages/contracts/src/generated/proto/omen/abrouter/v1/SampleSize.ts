// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { Long } from '@grpc/proto-loader';

export interface SampleSize {
  'metric'?: (string);
  'treatment'?: (number | string | Long);
  'control'?: (number | string | Long);
}

export interface SampleSize__Output {
  'metric': (string);
  'treatment': (string);
  'control': (string);
}
