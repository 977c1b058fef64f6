import { UsageError, type Command } from '../command.ts';
import { runScript } from './bench.ts';

const usage = `
usage: ./scripts/omen jit-benchmark --data DIR [--kind ensemble|gbdt|logistic] [--project NAME]...

Trains the trainer-coordinator's JIT model on every <project>/<project>_k_feature.csv(.gz) under
DIR with the ISSTA'21 protocol (rows by date; first 80% train, last 20% test; early stopping and
the decision threshold use only the newest 20% of the training rows) and prints per-project test
AUC next to the published LApredict and DeepJIT AUCs (null for projects without one).
Last stdout line: {"projects":{"<p>":{"auc":…,"lapredict":…,"deepjit":…,…}},"mean_auc":…}

  --data DIR      e.g. ../shared/data/jit/issta21 (a single project folder or CSV also works)
  --kind K        model kind (default ensemble = log1p-LR + GBDT averaged in log-odds)
  --project NAME  only this project (repeatable)
`;

export const jitBenchmarkCommand: Command = {
  name: 'jit-benchmark',
  summary: 'train + evaluate the JIT defect model on ISSTA\'21 projects vs published AUCs',
  usage,
  async run(argv) {
    if (!argv.includes('--data') && !argv.some((a) => a.startsWith('--data='))) throw new UsageError('--data DIR is required');
    return runScript('services/trainer-coordinator/bench/jit-benchmark.ts', argv);
  },
};
