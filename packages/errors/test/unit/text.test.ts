import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Metadata } from '@grpc/grpc-js';
import {
  MAX_ECHOED_CHARS,
  decodeMetadataValue,
  encodeMetadataValue,
  escapeText,
  quote,
  safeMessage,
} from '@omen/errors';

// What a reader of a message must never meet unescaped.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufffe\uffff]/u;
const LONE_SURROGATE = /(?:[\ud800-\udbff](?![\udc00-\udfff]))|(?:(?<![\ud800-\udbff])[\udc00-\udfff])/;

describe('escapeText / quote', () => {
  it('makes controls, bidi overrides, NUL, U+FFFF and lone surrogates visible', () => {
    expect(escapeText('x\ny')).toBe('x\\ny');
    expect(escapeText('run-\u202eexe.txt')).toBe('run-\\u{202e}exe.txt');
    expect(escapeText('a\0b\uffff')).toBe('a\\0b\\u{ffff}');
    expect(escapeText('\ud800z')).toBe('\\u{d800}z');
    expect(escapeText('back\\slash')).toBe('back\\\\slash');
  });

  it('keeps letters of every script and emoji as they are', () => {
    expect(escapeText('run-é modèle 🚀 数据')).toBe('run-é modèle 🚀 数据');
  });

  it('cuts after 128 characters and says how many were left out', () => {
    const s = escapeText('x'.repeat(1_000_000));
    expect(s).toBe(`${'x'.repeat(MAX_ECHOED_CHARS)}…(+${1_000_000 - MAX_ECHOED_CHARS} chars)`);
  });

  it('quotes, escaping the quote character', () => {
    expect(quote('a"b\n')).toBe('"a\\"b\\n"');
  });

  it('never lets an invisible character or a lone surrogate through, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const out = quote(s);
        expect(out).not.toMatch(INVISIBLE);
        expect(out).not.toMatch(LONE_SURROGATE);
        expect([...out].length).toBeLessThanOrEqual(MAX_ECHOED_CHARS * 12 + 30);
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});

describe('safeMessage', () => {
  it('is one line and capped', () => {
    expect(safeMessage('a\nb')).toBe('a\\nb');
    expect(safeMessage('y'.repeat(5000)).length).toBeLessThan(1100);
  });
});

describe('encodeMetadataValue', () => {
  it('leaves printable ASCII readable and is a value grpc-js accepts for any string', () => {
    expect(encodeMetadataValue('model/jit-v3@champion')).toBe('model/jit-v3@champion');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const encoded = encodeMetadataValue(s);
        expect(() => new Metadata().set('omen-resource', encoded)).not.toThrow();
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('round-trips well-formed text', () => {
    for (const s of ['run-é', 'x\ny', 'modèle', '100%', '🚀\u202e'])
      expect(decodeMetadataValue(encodeMetadataValue(s))).toBe(s);
  });
});
