import { describe, expect, it } from 'vitest';
import { parseDriftAlert, parseDriftAlertAnswer } from '../../src/drift-alert.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('parseDriftAlert', () => {
  it("reads the detector's alert, and the older model_name / model_version spelling", () => {
    expect(parseDriftAlert(bytes(JSON.stringify({ model: 'jit', version: '3', reason: 'psi 0.4' })))).toEqual({
      model: 'jit',
      version: '3',
      reason: 'psi 0.4',
    });
    expect(parseDriftAlert(bytes(JSON.stringify({ model_name: 'jit', model_version: '2' })))).toEqual({
      model: 'jit',
      version: '2',
    });
  });

  it('says what is wrong instead of throwing', () => {
    expect(parseDriftAlert(bytes(JSON.stringify({ version: '3' })))).toBe('payload has no "model" string');
    expect(parseDriftAlert(bytes(JSON.stringify({ model: '' })))).toBe('payload has no "model" string');
    expect(typeof parseDriftAlert(bytes('{'))).toBe('string');
  });
});

describe('parseDriftAlertAnswer', () => {
  it("reads the trainer's started run and its refusals", () => {
    expect(parseDriftAlertAnswer(bytes(JSON.stringify({ status: 'started', runId: 'run-7' })))).toEqual({
      status: 'started',
      runId: 'run-7',
    });
    expect(parseDriftAlertAnswer(bytes(JSON.stringify({ status: 'failed', detail: 'no data' })))).toEqual({
      status: 'failed',
      detail: 'no data',
    });
  });

  it('says what is wrong with anything else', () => {
    expect(parseDriftAlertAnswer(bytes('not json'))).toBe(
      'the trainer answered the alert with something that is not JSON',
    );
    expect(parseDriftAlertAnswer(bytes(JSON.stringify({ status: 'started' })))).toBe(
      `the trainer's answer has no run id or reason: {"status":"started"}`,
    );
  });
});
