import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@omen/config';
import { driftConfigSchema } from '../../src/config.ts';

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(driftConfigSchema, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return 'accepted';
}

describe('drift-detector configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig(driftConfigSchema, {});
    expect([
      c.DRIFT_PSI_THRESHOLD,
      c.DRIFT_KS_ALPHA,
      c.DRIFT_CHI2_ALPHA,
      c.DRIFT_JS_THRESHOLD,
      c.DRIFT_WASSERSTEIN_THRESHOLD,
    ]).toEqual([0.2, 0.05, 0.05, 0.1, 0.1]);
    expect([
      c.DRIFT_NUMERIC_TEST,
      c.DRIFT_CATEGORICAL_TEST,
      c.DRIFT_SMALL_REFERENCE_ROWS,
      c.DRIFT_SHARE,
      c.DRIFT_CORRECTION,
    ]).toEqual(['auto', 'auto', 1000, 0.5, 'bh']);
    expect([c.DRIFT_WINDOW, c.DRIFT_ALLOWED_LATENESS, c.DRIFT_MIN_SAMPLES]).toEqual([3_600_000, 300_000, 100]);
    expect(c.DRIFT_MODELS).toEqual(['jit-defect']);
    expect(c.DRIFT_ALERT_SUBJECT).toBe('drift.alert');
    expect(c.DRIFT_TRAINER_ADDR).toBeUndefined();
  });

  it('refuses out-of-range thresholds and bad names, naming the variable and the bound', () => {
    expect(refusal({ DRIFT_KS_ALPHA: '1.5' })).toMatch(/DRIFT_KS_ALPHA.*0\.\.1/);
    expect(refusal({ DRIFT_PSI_THRESHOLD: 'high' })).toMatch(/DRIFT_PSI_THRESHOLD/);
    expect(refusal({ DRIFT_WINDOW: '10ms' })).toMatch(/DRIFT_WINDOW/);
    expect(refusal({ DRIFT_MIN_SAMPLES: '0' })).toMatch(/DRIFT_MIN_SAMPLES/);
    expect(refusal({ DRIFT_TABLE: 'drift; DROP TABLE x' })).toMatch(/DRIFT_TABLE.*plain table name/);
    expect(refusal({ DRIFT_TRAINER_ADDR: 'http://trainer:50051' })).toMatch(/DRIFT_TRAINER_ADDR.*host:port/);
    const message = refusal({ DRIFT_TRAINER_TOKEN: 'short-secret' });
    expect(message).toMatch(/DRIFT_TRAINER_TOKEN/);
    expect(message).not.toContain('short-secret');
  });
});
