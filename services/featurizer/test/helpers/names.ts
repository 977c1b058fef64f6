// One test's own topics, consumer group and Redis prefixes, and the featurizer environment that
// points at them, so tests running side by side on one stack never share state.
import { randomName } from '@omen/testing';

export interface FeaturizerNames {
  commits: string;
  issues: string;
  features: string;
  labels: string;
  group: string;
  state: string;
  online: string;
}

export function featurizerNames(): FeaturizerNames {
  return {
    commits: randomName('commits'),
    issues: randomName('issues'),
    features: randomName('features'),
    labels: randomName('labels'),
    group: randomName('featurizer'),
    state: randomName('fzstate'),
    online: randomName('fzonline'),
  };
}

/** The featurizer's variables for `names` and a ClickHouse database of its own. */
export function featurizerEnv(names: FeaturizerNames, database: string): Record<string, string> {
  return {
    CLICKHOUSE_DATABASE: database,
    FEATURIZER_GROUP: names.group,
    FEATURIZER_TOPIC_COMMITS: names.commits,
    FEATURIZER_TOPIC_ISSUES: names.issues,
    FEATURIZER_TOPIC_FEATURES: names.features,
    FEATURIZER_TOPIC_LABELS: names.labels,
    FEATURIZER_STATE_PREFIX: names.state,
    FEATURIZER_ONLINE_PREFIX: names.online,
  };
}
