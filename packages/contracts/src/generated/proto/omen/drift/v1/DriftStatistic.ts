// Original file: protos/omen/drift/v1/drift.proto

export const DriftStatistic = {
  DRIFT_STATISTIC_UNSPECIFIED: 'DRIFT_STATISTIC_UNSPECIFIED',
  /**
   * Population stability index.
   */
  DRIFT_STATISTIC_PSI: 'DRIFT_STATISTIC_PSI',
  /**
   * Two-sample Kolmogorov-Smirnov D.
   */
  DRIFT_STATISTIC_KS: 'DRIFT_STATISTIC_KS',
  /**
   * Chi-squared test of a categorical or binned distribution.
   */
  DRIFT_STATISTIC_CHI2: 'DRIFT_STATISTIC_CHI2',
  /**
   * Jensen-Shannon distance.
   */
  DRIFT_STATISTIC_JS: 'DRIFT_STATISTIC_JS',
  DRIFT_STATISTIC_WASSERSTEIN: 'DRIFT_STATISTIC_WASSERSTEIN',
} as const;

export type DriftStatistic =
  | 'DRIFT_STATISTIC_UNSPECIFIED'
  | 0
  /**
   * Population stability index.
   */
  | 'DRIFT_STATISTIC_PSI'
  | 1
  /**
   * Two-sample Kolmogorov-Smirnov D.
   */
  | 'DRIFT_STATISTIC_KS'
  | 2
  /**
   * Chi-squared test of a categorical or binned distribution.
   */
  | 'DRIFT_STATISTIC_CHI2'
  | 3
  /**
   * Jensen-Shannon distance.
   */
  | 'DRIFT_STATISTIC_JS'
  | 4
  | 'DRIFT_STATISTIC_WASSERSTEIN'
  | 5

export type DriftStatistic__Output = typeof DriftStatistic[keyof typeof DriftStatistic]
