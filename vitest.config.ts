import { defineConfig } from 'vitest/config';

// TEST_MODE picks the set: unit (pure logic, no engines), integration (real engines started by
// ./scripts/omen stack up), or all. An unknown mode is a mistake, not "run nothing".
const mode = process.env['TEST_MODE'] ?? 'all';
const sets: Record<string, string[]> = {
  unit: ['{packages,services}/*/test/unit/**/*.test.ts'],
  integration: ['{packages,services}/*/test/integration/**/*.test.ts'],
  all: ['{packages,services}/*/test/{unit,integration}/**/*.test.ts'],
};
const include = sets[mode];
if (!include) throw new Error(`TEST_MODE must be one of ${Object.keys(sets).join(', ')}; got "${mode}"`);

export default defineConfig({
  test: {
    include,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: integration files share the engines, so two at a time is the useful maximum.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
