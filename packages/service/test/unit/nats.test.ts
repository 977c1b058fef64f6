import { describe, expect, it } from 'vitest';
import { parseJsonObject } from '../../src/nats.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('parseJsonObject', () => {
  it('gives the object of a JSON object message', () => {
    expect(parseJsonObject(bytes('{"model":"jit-defect","version":"v3"}'))).toEqual({
      model: 'jit-defect',
      version: 'v3',
    });
  });

  it('says why anything else is not one, without throwing', () => {
    expect(parseJsonObject(bytes('{"model":'))).toBe('payload is not JSON');
    expect(parseJsonObject(bytes(''))).toBe('payload is not JSON');
    for (const other of ['null', '42', '"text"', '[1,2]'])
      expect(parseJsonObject(bytes(other))).toBe('payload is not a JSON object');
  });
});
