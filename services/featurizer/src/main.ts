// featurizer: commits → Kamei change metrics, code metrics and defect labels, into ClickHouse
// (offline), Redis (online) and Kafka (features.commits.v1, labels.commits.v1).
import { runFeaturizer } from './app.ts';

await runFeaturizer();
