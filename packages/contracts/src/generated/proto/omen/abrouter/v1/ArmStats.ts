// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { MetricSummary as _omen_abrouter_v1_MetricSummary, MetricSummary__Output as _omen_abrouter_v1_MetricSummary__Output } from '../../../omen/abrouter/v1/MetricSummary.ts';
import type { Long } from '@grpc/proto-loader';

export interface ArmStats {
  'arm'?: (string);
  'units'?: (number | string | Long);
  'metrics'?: (_omen_abrouter_v1_MetricSummary)[];
}

export interface ArmStats__Output {
  'arm': (string);
  'units': (string);
  'metrics': (_omen_abrouter_v1_MetricSummary__Output)[];
}
