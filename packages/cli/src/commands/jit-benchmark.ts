import { UsageError, type Command } from '../command.ts';
import { runScript } from './bench.ts';

const usage = `
usage: ./scripts/omen jit-benchmark --data DIR [--kind auto|ensemble|gbdt|logistic] [--project NAME]...

Trains the trainer-coordinator's JIT model on every <project>/<project>_k_feature.csv(.gz) under
DIR with the ISSTA'21 protocol (rows by date; first 80% train, last 20% test). The choice of
model (auto), early stopping and the decision threshold use only the newest 20% of the training
rows, exactly as a training run does. For a project it knows by name it prints the published
AUCs (LApredict, DeepJIT, CC2Vec, LR-JIT; DBN-JIT is not in ../shared) and whether ours beats the
best of them; for others it says it has none.
Last stdout line: {"projects":{"<p>":{"auc":…,"winner":…,"validation_auc":{…},"best_published":…,
"beats_best_published":…,…}},"mean_auc":…,"mean_best_published":…,"beats_best_published_on_all":…}

  --data DIR      e.g. ../shared/data/jit/issta21 (a single project folder or CSV also works)
  --kind K        auto (default: LApredict on la, LR on la/lt, LR, GBDT or their blend, whichever
                  scores best on the validation slice) or one model kind
  --project NAME  only this project (repeatable)
`;

export const jitBenchmarkCommand: Command = {
  name: 'jit-benchmark',
  summary: 'train + evaluate the JIT defect model on ISSTA\'21 projects vs the best published AUC',
  usage,
  async run(argv) {
    if (!argv.includes('--data') && !argv.some((a) => a.startsWith('--data='))) throw new UsageError('--data DIR is required');
    return runScript('services/trainer-coordinator/bench/jit-benchmark.ts', argv);
  },
};
