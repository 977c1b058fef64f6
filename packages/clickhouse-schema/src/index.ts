// omen's ClickHouse schema as versioned migrations, in one place.
//
//   const report = await migrate(createClickHouse({ url }));            // at every service start
//   await migrate(ch, { names: { predictions: 'predictions_canary' } }); // a renamed table
//
// One server by default; with CLICKHOUSE_CLUSTER=<cluster> every table becomes replicated local
// tables plus a Distributed table under the logical name (see ddl.ts for the layout).
export { LOCAL_SUFFIX, logicalNames, mutationTarget, renderMigration, renderStep, replicationPath } from './ddl.ts';
export type {
  AddColumnStep,
  Migration,
  RenderTarget,
  Statement,
  Step,
  TableEngine,
  TableStep,
  ViewStep,
} from './ddl.ts';
export { FEATURE_VIEW_SETS, MIGRATIONS, PREDICTIONS_SORTING_KEY, featureViewName } from './migrations.ts';
export {
  MIGRATIONS_TABLE,
  MigrationChecksumError,
  migrate,
  migrationChecksum,
  migrationScope,
  renderTarget,
  validateMigrations,
} from './runner.ts';
export type { MigrateOptions, MigrateReport, MigrationOutcome, MigrationStatus } from './runner.ts';
