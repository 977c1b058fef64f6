import { describe, expect, it } from 'vitest';
import { checkContracts } from '../../src/index.ts';

describe('generated code', () => {
  // A schema or proto change without `./scripts/omen contracts generate` fails here.
  it('equals a fresh generation from protos/ and schemas/', async () => {
    const diffs = await checkContracts();
    expect(diffs, 'run ./scripts/omen contracts generate and commit src/generated').toEqual([]);
  });
});
