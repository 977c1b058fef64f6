// Original file: protos/omen/drift/v1/drift.proto

import type { WindowPerformance as _omen_drift_v1_WindowPerformance, WindowPerformance__Output as _omen_drift_v1_WindowPerformance__Output } from '../../../omen/drift/v1/WindowPerformance.ts';

export interface ListPerformanceResponse {
  'windows'?: (_omen_drift_v1_WindowPerformance)[];
}

export interface ListPerformanceResponse__Output {
  'windows': (_omen_drift_v1_WindowPerformance__Output)[];
}
