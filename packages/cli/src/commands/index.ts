import type { Command } from '../command.ts';
import { auditCommand } from './audit.ts';
import { backfillCommand } from './backfill.ts';
import { benchCommand } from './bench.ts';
import { contractsCommand } from './contracts.ts';
import { demoCommand } from './demo.ts';
import { experimentsCommand } from './experiments.ts';
import { driftCommand } from './drift.ts';
import { featurizerCommand } from './featurizer.ts';
import { jitBenchmarkCommand } from './jit-benchmark.ts';
import { migrateCommand } from './migrate.ts';
import { modelsCommand } from './models.ts';
import { planCommand } from './plan.ts';
import { predictCommand } from './predict.ts';
import { reportCommand } from './report.ts';
import { servicesCommand } from './services.ts';
import { stackCommand } from './stack.ts';
import { topicsCommand } from './topics.ts';
import { trainCommand } from './train.ts';

// Every verb, in the order `./scripts/omen --help` lists them. Add a verb by adding its file
// here; each verb's file owns its options and usage text.
export const commands: readonly Command[] = [
  demoCommand,
  stackCommand,
  servicesCommand,
  topicsCommand,
  migrateCommand,
  contractsCommand,
  jitBenchmarkCommand,
  benchCommand,
  planCommand,
  backfillCommand,
  featurizerCommand,
  auditCommand,
  trainCommand,
  modelsCommand,
  experimentsCommand,
  driftCommand,
  predictCommand,
  reportCommand,
];
