// Original file: protos/omen/drift/v1/drift.proto

import type { DriftReport as _omen_drift_v1_DriftReport, DriftReport__Output as _omen_drift_v1_DriftReport__Output } from '../../../omen/drift/v1/DriftReport.ts';

export interface ListDriftReportsResponse {
  'reports'?: (_omen_drift_v1_DriftReport)[];
  /**
   * Empty when there are no more pages.
   */
  'next_page_token'?: (string);
}

export interface ListDriftReportsResponse__Output {
  'reports': (_omen_drift_v1_DriftReport__Output)[];
  /**
   * Empty when there are no more pages.
   */
  'next_page_token': (string);
}
