import { describe, expect, it } from 'vitest';
import { modelEventPayload, parseModelEvent } from '../../src/events.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const sha = 'ab'.repeat(32);

describe('parseModelEvent', () => {
  it('reads back what modelEventPayload writes', () => {
    const payload = modelEventPayload({
      model: 'jit-defect',
      version: 'v3',
      sha256: sha,
      alias: 'challenger',
      previousVersion: 'v2',
      at: '2026-01-01T00:00:00Z',
    });
    expect(parseModelEvent(bytes(JSON.stringify(payload)))).toEqual({
      model: 'jit-defect',
      version: 'v3',
      alias: 'challenger',
      sha256: sha,
    });
  });

  it('defaults the alias to champion and lower-cases the sha256', () => {
    expect(parseModelEvent(JSON.stringify({ model: 'm', version: '1', sha256: sha.toUpperCase() }))).toEqual({
      model: 'm',
      version: '1',
      alias: 'champion',
      sha256: sha,
    });
  });

  it('names what is wrong with a malformed message', () => {
    expect(parseModelEvent(bytes('{"model":'))).toBe('payload is not JSON');
    expect(parseModelEvent(bytes('[1]'))).toBe('payload is not a JSON object');
    expect(parseModelEvent(bytes('{"version":"1"}'))).toBe('payload has no "model" string');
    expect(parseModelEvent(bytes('{"model":"m","version":""}'))).toBe('payload has no "version" string');
    expect(parseModelEvent(bytes('{"model":"m","version":"1","sha256":"abc"}'))).toBe(
      '"sha256" is not 64 hex characters',
    );
  });
});
