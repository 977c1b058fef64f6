import { describe, expect, it } from 'vitest';
import { MIGRATIONS, featureViewName, logicalNames } from '@omen/clickhouse-schema';
import { commitFeatureSets, fileFeatureSet } from '../../src/domain/rows.ts';

// A feature set the featurizer writes without a view in the schema's migrations would leave
// analysts without its columns: adding a set means adding a migration.
describe('feature views', () => {
  it('exist in the schema migrations for every set the featurizer writes', () => {
    const defined = new Set(MIGRATIONS.flatMap(logicalNames));
    for (const set of [...commitFeatureSets, fileFeatureSet])
      expect(defined.has(featureViewName(set)), featureViewName(set)).toBe(true);
  });
});
