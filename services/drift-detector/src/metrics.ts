import type { Counter, Gauge, Metrics } from '@omen/telemetry';

export interface DriftMetrics {
  /** Latest value of each test over all repositories, by model, feature, statistic and target. */
  statistic: Gauge<'model' | 'feature' | 'statistic' | 'target'>;
  /** 1 when the model's latest evaluated window drifted (any test, any repo), else 0. */
  detected: Gauge<'model'>;
  /** Records consumed, by topic and outcome (added, duplicate, late, unmatched). */
  records: Counter<'topic' | 'outcome'>;
  /** Reports published, by model and whether they drifted. */
  reports: Counter<'model' | 'drifted'>;
  /** drift.alert messages, by model and outcome (published, cooldown, failed). */
  alerts: Counter<'model' | 'outcome'>;
}

export function driftMetrics(m: Metrics): DriftMetrics {
  return {
    statistic: m.gauge(
      'omen_drift_statistic',
      'Latest drift statistic over all repositories (PSI, KS D, chi-squared, JS distance), by model, feature, statistic and target.',
      ['model', 'feature', 'statistic', 'target'],
    ),
    detected: m.gauge(
      'omen_drift_detected',
      "1 when the model's latest evaluated window drifted in any test, else 0.",
      ['model'],
    ),
    records: m.counter(
      'omen_drift_records_total',
      'Records consumed by topic and outcome (added, duplicate, late, unmatched: no reference or another model).',
      ['topic', 'outcome'],
    ),
    reports: m.counter('omen_drift_reports_total', 'Drift reports published, by model and drifted (true/false).', [
      'model',
      'drifted',
    ]),
    alerts: m.counter(
      'omen_drift_alerts_total',
      'drift.alert messages by model and outcome (published, cooldown, failed).',
      ['model', 'outcome'],
    ),
  };
}
