import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@omen/config';
import { inferenceConfigSchema } from '../../src/config.ts';

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(inferenceConfigSchema, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return 'accepted';
}

describe('inference configuration: where models come from', () => {
  it('reads the registry directory unless a trainer address is given', () => {
    const c = loadConfig(inferenceConfigSchema, {});
    expect(c.INFERENCE_TRAINER_ADDR).toBeUndefined();
    expect(c.INFERENCE_TRAINER_TIMEOUT).toBe(120_000);
    const remote = loadConfig(inferenceConfigSchema, {
      INFERENCE_TRAINER_ADDR: 'trainer-coordinator:50051',
      INFERENCE_TRAINER_TIMEOUT: '30s',
    });
    expect(remote.INFERENCE_TRAINER_ADDR).toBe('trainer-coordinator:50051');
    expect(remote.INFERENCE_TRAINER_TIMEOUT).toBe(30_000);
  });

  it('has no artifact cache unless INFERENCE_ARTIFACT_CACHE_DIR names a directory', () => {
    expect(loadConfig(inferenceConfigSchema, {}).INFERENCE_ARTIFACT_CACHE_DIR).toBeUndefined();
    expect(
      loadConfig(inferenceConfigSchema, { INFERENCE_ARTIFACT_CACHE_DIR: '/var/cache/omen-models' })
        .INFERENCE_ARTIFACT_CACHE_DIR,
    ).toBe('/var/cache/omen-models');
  });

  it('refuses an address that is not host:port, and a short token, naming the variable but not the token', () => {
    expect(refusal({ INFERENCE_TRAINER_ADDR: 'http://trainer:50051' })).toMatch(/INFERENCE_TRAINER_ADDR.*host:port/);
    expect(refusal({ INFERENCE_TRAINER_ADDR: 'trainer' })).toMatch(/INFERENCE_TRAINER_ADDR/);
    const message = refusal({ INFERENCE_TRAINER_TOKEN: 'short-secret' });
    expect(message).toMatch(/INFERENCE_TRAINER_TOKEN/);
    expect(message).not.toContain('short-secret');
  });
});
