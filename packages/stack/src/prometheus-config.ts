import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface PrometheusConfigOptions {
  /** Directory of file_sd target files (`*.json`), each a list of `{ targets, labels }`. */
  readonly targetsDir: string;
  /** The alert rules file (compose/prometheus/rules.yaml), evaluated here as in production. */
  readonly rulesFile: string;
  /** @default '2s' — short, so a test sees a counter move within seconds */
  readonly scrapeInterval?: string;
}

/**
 * The embedded Prometheus's configuration: the services it scrapes come from file-based
 * discovery (their ports are chosen at start: fixed by `services up`, random in tests), the
 * rules are the repository's own, and there is no Alertmanager here (firing alerts are visible
 * on /api/v1/alerts).
 */
export function prometheusConfigYaml(options: PrometheusConfigOptions): string {
  const interval = options.scrapeInterval ?? '2s';
  return stringify({
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: [options.rulesFile],
    scrape_configs: [
      {
        job_name: 'omen',
        // The services label every series with `service`; keep theirs over the target file's.
        honor_labels: true,
        file_sd_configs: [{ files: [`${options.targetsDir}/*.json`], refresh_interval: '5s' }],
      },
    ],
  });
}

/** One scrape target of the embedded Prometheus: `host:port` serving `/metrics`. */
export interface ScrapeTarget {
  readonly address: string;
  /** Extra labels on its series, e.g. `{ instance_of: 'ingest' }`. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Writes (through a rename, so Prometheus never reads half a file) the target file `name.json`
 * for the embedded Prometheus; returns a function that removes it again.
 */
export function writePrometheusTargets(targetsDir: string, name: string, targets: readonly ScrapeTarget[]): () => void {
  if (!/^[A-Za-z0-9_.-]+$/.test(name))
    throw new Error(`target file name must be letters, digits, '.', '_' or '-'; got ${JSON.stringify(name)}`);
  mkdirSync(targetsDir, { recursive: true });
  const file = join(targetsDir, `${name}.json`);
  const body = targets.map((t) => ({ targets: [t.address], labels: { ...t.labels } }));
  writeFileSync(`${file}.tmp`, `${JSON.stringify(body, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return () => rmSync(file, { force: true });
}
