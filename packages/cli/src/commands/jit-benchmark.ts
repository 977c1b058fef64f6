import { readStackEnv } from '@omen/stack';
import { UsageError, type Command } from '../command.ts';
import { servicePorts } from '../local-services.ts';
import { runScript } from './bench.ts';

const usage = `
usage: ./scripts/omen jit-benchmark --data DIR [--kind auto|ensemble|gbdt|logistic] [--project NAME]...
       ./scripts/omen jit-benchmark --git PATH --repo ID [--gap-days N] [--test-fraction F] [--compare-features] [--json]

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

With --git, your own repository through the running mesh (./scripts/omen stack up; services up):
backfill --git through ingest, the featurizer's features and SZZ labels in ClickHouse; it waits
until the audit says complete, then splits by commit time — newest F (default 0.2) test, judged
by every label known now; training commits end N days (default 90) before the test start,
labelled only with what was known at the test start, because a bug is found months after its
commit — selects the model like a training run (auto) and prints rows, fix commits, bug-inducing
rate, AUC, PR-AUC, Recall@20%Effort, Popt, and LApredict (LR on la) on the same split.
  --ingest ADDR   ingest's gRPC address (default: the local services' ingest)
  --skip-replay   evaluate what the store holds (after an earlier replay of the same repository)
  --stall-s N     give up when the featurized count has not moved for N s (default 300)
  --compare-features  also Kamei-only vs + code metrics vs + hashed message tokens on the same
                  split (report only: feature_sets in the JSON)
`;

export const jitBenchmarkCommand: Command = {
  name: 'jit-benchmark',
  summary: "train + evaluate the JIT defect model on ISSTA'21 projects vs the best published AUC",
  usage,
  async run(argv) {
    const has = (flag: string): boolean => argv.includes(flag) || argv.some((a) => a.startsWith(`${flag}=`));
    if (has('--git')) {
      if (!has('--repo')) throw new UsageError('--git needs --repo ID');
      const env = { ...process.env, ...readStackEnv() };
      const ingest = has('--ingest')
        ? []
        : ['--ingest', process.env['INGEST_GRPC_ADDR'] ?? `127.0.0.1:${servicePorts('ingest').grpc}`];
      return runScript('services/trainer-coordinator/bench/jit-own-repo.ts', [...argv, ...ingest], env);
    }
    if (!has('--data')) throw new UsageError('--data DIR or --git PATH is required');
    return runScript('services/trainer-coordinator/bench/jit-benchmark.ts', argv);
  },
};
