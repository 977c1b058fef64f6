// TrainerModelSource's pure part: reassembling a GetArtifact stream into verified bytes (the
// mapping of failed calls is @omen/model-registry's trainerError, tested there).
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { trainerV1 } from '@omen/contracts';
import { OmenError } from '@omen/errors';
import { ArtifactIntegrityError, type ModelVersionRecord } from '@omen/model-registry';
import { assembleArtifact } from '../../src/adapters/trainer-model-source.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const BYTES = randomBytes(10_000);
const RECORD: ModelVersionRecord = {
  name: 'jit',
  version: 'v3',
  sha256: sha(BYTES),
  size: BYTES.length,
  featureSet: { name: 'jit_change_metrics', version: 1 },
  featureNames: ['la', 'ld'],
  reference: { la: 2.5, ld: 1 },
  labels: { run: 'r1' },
  lineage: { source: 'trained', codeVersion: 'abc', algorithm: 'gbdt', params: { numTrees: 60 } },
};

type Chunk = trainerV1.ArtifactChunk__Output;
const header = (over: Partial<trainerV1.ArtifactHeader__Output> = {}, record: unknown = RECORD): Chunk => ({
  part: 'header',
  header: {
    version: null,
    record_json: JSON.stringify(record),
    sha256: RECORD.sha256,
    size_bytes: String(BYTES.length),
    chunk_bytes: 4096,
    ...over,
  },
});
const data = (b: Uint8Array): Chunk => ({ part: 'data', data: Buffer.from(b) });
function chunks(bytes: Uint8Array, size: number): Chunk[] {
  const out: Chunk[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(data(bytes.subarray(at, at + size)));
  return out;
}
// Each message arrives on a later tick, as from the network.
async function* stream(messages: Chunk[], onPull?: () => void): AsyncGenerator<Chunk> {
  for (const m of messages) {
    await Promise.resolve();
    onPull?.();
    yield m;
  }
}
const champion = { name: 'jit', selector: { alias: 'champion' } };

describe('assembleArtifact', () => {
  it('joins the chunks, whatever their sizes, into the record with its bytes', async () => {
    for (const size of [1, 999, 4096, BYTES.length]) {
      const artifact = await assembleArtifact(stream([header(), ...chunks(BYTES, size)]), champion);
      const { bytes, ...record } = artifact;
      expect(record).toEqual(RECORD);
      expect(Buffer.from(bytes).equals(BYTES)).toBe(true);
    }
  });

  it('refuses bytes that do not hash to the record, naming both hashes', async () => {
    const flipped = Buffer.from(BYTES);
    flipped[1234] = flipped[1234]! ^ 0x01;
    const err = await assembleArtifact(stream([header(), ...chunks(flipped, 4096)]), champion).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactIntegrityError);
    expect(err).toMatchObject({ code: 'DATA_LOSS', expected: RECORD.sha256, actual: sha(flipped) });
    expect((err as Error).message).toBe(
      `artifact jit/v3 as received from the trainer has sha256 ${sha(flipped)}, expected ${RECORD.sha256}: refusing a corrupted or substituted artifact`,
    );
  });

  it('refuses a truncated stream, one longer than announced, and sizes that disagree', async () => {
    const cases: Array<[Chunk[], RegExp]> = [
      [[header(), ...chunks(BYTES.subarray(0, 8192), 4096)], /jit\/v3 ended after 8192 of 10000 bytes/],
      [[header()], /jit\/v3 ended after 0 of 10000 bytes/],
      [
        [header(), ...chunks(Buffer.concat([BYTES, Buffer.from([0])]), 4096)],
        /more than the 10000 bytes it announced for jit\/v3/,
      ],
      [
        [header({ size_bytes: '9999' }), ...chunks(BYTES.subarray(0, 9999), 4096)],
        /announces 9999 bytes, its record 10000/,
      ],
      [[header({ size_bytes: '0' })], /announces 0 bytes/],
    ];
    for (const [messages, message] of cases) {
      const err = await assembleArtifact(stream(messages), champion).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OmenError);
      expect(err).toMatchObject({ code: 'DATA_LOSS' });
      expect((err as Error).message).toMatch(message);
    }
  });

  it('refuses streams out of order or about another model, and a bad record', async () => {
    const { size: _size, ...unsized } = RECORD;
    const cases: Array<[Chunk[], RegExp, { name: string; selector: { alias: string } | { version: string } }?]> = [
      [[], /stream for jit@champion ended before its header/],
      [[data(BYTES)], /stream for jit@champion began without a header/],
      [[header(), data(BYTES.subarray(0, 10)), header()], /jit\/v3 has a second header/],
      [[header({ sha256: 'ab'.repeat(32) }), ...chunks(BYTES, 4096)], /announces sha256 abab.*, its record/],
      [
        [header({}, { ...RECORD, name: 'other' }), ...chunks(BYTES, 4096)],
        /asked the trainer for jit@champion, got other\/v3/,
      ],
      [
        [header(), ...chunks(BYTES, 4096)],
        /asked the trainer for jit\/v2, got jit\/v3/,
        { name: 'jit', selector: { version: 'v2' } },
      ],
      [[header({ record_json: '{"name":' })], /record of jit@champion is not valid JSON/],
      [
        [header({}, { name: 'jit', version: 'v3' })],
        /record of jit@champion lacks name, version, sha256 or featureSet/,
      ],
      // Without a recorded size the header's is the one checked.
      [[header({ size_bytes: '10001' }, unsized), ...chunks(BYTES, 4096)], /ended after 10000 of 10001 bytes/],
    ];
    for (const [messages, message, request] of cases) {
      const err = await assembleArtifact(stream(messages), request ?? champion).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'DATA_LOSS' });
      expect((err as Error).message).toMatch(message);
    }
  });

  it('refuses an artifact larger than allowed before reading its bytes', async () => {
    let pulled = 0;
    const err = await assembleArtifact(
      stream([header(), ...chunks(BYTES, 4096)], () => pulled++),
      champion,
      5000,
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'FAILED_PRECONDITION',
      message: 'jit/v3 is 10000 bytes, more than this source accepts (5000)',
    });
    expect(pulled).toBe(1);
  });
});
