import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, stringify } from 'yaml';

/** What the base compose file is checked with (check.ts's checkCompose: passed in, not imported, as check.ts calls this). */
export type ComposeCheck = (composeYaml: string, composeDir: string) => string[];

type Rec = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});

/** `docker compose -f base -f override`: per service, environment and depends_on merged, other keys replaced. */
function overlay(base: Rec, override: Rec): Rec {
  const out: Rec = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (key !== 'services' && key !== 'volumes') {
      out[key] = value;
      continue;
    }
    const merged: Rec = { ...rec(base[key]) };
    for (const [name, def] of Object.entries(rec(value))) {
      const was = rec(merged[name]);
      const next: Rec = { ...was };
      for (const [k, v] of Object.entries(rec(def))) {
        next[k] =
          (k === 'environment' || k === 'depends_on') && !Array.isArray(v) && !Array.isArray(was[k])
            ? { ...rec(was[k]), ...rec(v) }
            : v;
      }
      merged[name] = next;
    }
    out[key] = merged;
  }
  return out;
}

/**
 * The shards of `remote_servers` → `omen` in the cluster config, with their replicas' hosts.
 * A regular expression, not an XML library: the file is ours, of a fixed shape, and this only
 * reads the topology back (no XML parser is among the dependencies, and one would add nothing).
 */
function clusterShards(xml: string, name = 'omen'): { internalReplication: boolean; hosts: string[] }[] {
  const cluster = new RegExp(`<remote_servers>[\\s\\S]*?<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1] ?? '';
  return [...cluster.matchAll(/<shard>([\s\S]*?)<\/shard>/g)].map((m) => ({
    internalReplication: /<internal_replication>true<\/internal_replication>/.test(m[1] ?? ''),
    hosts: [...(m[1] ?? '').matchAll(/<host>([^<]+)<\/host>/g)].map((h) => h[1] ?? ''),
  }));
}

/**
 * The ClickHouse part of compose/cluster.yaml over docker-compose.yaml: the merge passes every check the
 * base passes, and the cluster is whole: 2 shards × 2 replicas with internal_replication whose
 * hosts are exactly the ClickHouse services, each node's `{shard}`/`{replica}` macros matching
 * where remote_servers lists it (unique per shard), ZooKeeper a service, every node mounting the
 * config, `omen_nodes` listing each server as a shard of its own, and every omen service on
 * CLICKHOUSE_CLUSTER=omen at a node of the cluster.
 */
export function checkComposeClickHouseCluster(
  check: { readonly compose: ComposeCheck; readonly services: readonly string[] },
  baseYaml: string,
  overrideYaml: string,
  composeDir: string,
  configXml?: string,
): string[] {
  const where = 'compose/cluster.yaml';
  const merged = overlay(rec(parse(baseYaml, { merge: true })), rec(parse(overrideYaml, { merge: true })));
  const problems = check
    .compose(stringify(merged, { aliasDuplicateObjects: false }), composeDir)
    .map((p) => p.replace(/^compose:/, `${where}:`));
  const services = rec(merged['services']);
  const configPath = resolve(composeDir, 'clickhouse-cluster/cluster.xml');
  const xml = configXml ?? (existsSync(configPath) ? readFileSync(configPath, 'utf8') : '');
  if (xml === '') return [...problems, `${where}: ${configPath} is missing`];

  const shards = clusterShards(xml);
  if (shards.length !== 2 || shards.some((s) => s.hosts.length !== 2)) {
    problems.push(
      `${where}: cluster omen must have 2 shards of 2 replicas, has ${JSON.stringify(shards.map((s) => s.hosts))}`,
    );
  }
  if (shards.some((s) => !s.internalReplication))
    problems.push(`${where}: every shard of omen needs internal_replication true (replicated tables)`);
  // The migrations alter Distributed tables ON CLUSTER an entry with every server a shard of its own.
  const eachNode = clusterShards(xml, 'omen_nodes');
  const omenHosts = shards.flatMap((s) => s.hosts).sort();
  if (
    eachNode.some((s) => s.hosts.length !== 1) ||
    JSON.stringify(eachNode.flatMap((s) => s.hosts).sort()) !== JSON.stringify(omenHosts)
  ) {
    problems.push(
      `${where}: cluster omen_nodes must list every server of omen as a shard of its own (the migrations' ALTERs of Distributed tables), has ${JSON.stringify(eachNode.map((s) => s.hosts))}`,
    );
  }
  if (!/<distributed_ddl>\s*<path>[^<]+<\/path>/.test(xml))
    problems.push(`${where}: cluster.xml has no distributed_ddl path (ON CLUSTER DDL would hang)`);
  for (const zk of [...xml.matchAll(/<zookeeper>[\s\S]*?<host>([^<]+)<\/host>/g)].map((m) => m[1] ?? '')) {
    if (!services[zk]) problems.push(`${where}: ZooKeeper host ${zk} is not a service`);
  }

  const nodes = Object.entries(services).filter(([, s]) =>
    str(rec(s)['image']).startsWith('clickhouse/clickhouse-server'),
  );
  const listed = shards.flatMap((s, i) => s.hosts.map((host) => ({ host, shard: String(i + 1).padStart(2, '0') })));
  const names = nodes.map(([name]) => name).sort();
  if (JSON.stringify(names) !== JSON.stringify(listed.map((l) => l.host).sort())) {
    problems.push(
      `${where}: ClickHouse services ${names.join(', ')} differ from the hosts of cluster omen ${listed.map((l) => l.host).join(', ')}`,
    );
  }
  const replicasPerShard = new Map<string, string[]>();
  for (const [name, svc] of nodes) {
    const s = rec(svc);
    const env = rec(s['environment']);
    const at = listed.find((l) => l.host === name);
    if (at && env['OMEN_CH_SHARD'] !== at.shard)
      problems.push(
        `${where}: ${name} has shard macro ${String(env['OMEN_CH_SHARD'])}, remote_servers lists it in shard ${at.shard}`,
      );
    if (env['OMEN_CH_HOST'] !== name)
      problems.push(`${where}: ${name} must set OMEN_CH_HOST=${name} (the host its replicas fetch parts from)`);
    const replicas = replicasPerShard.get(String(env['OMEN_CH_SHARD'])) ?? [];
    if (typeof env['OMEN_CH_REPLICA'] !== 'string' || replicas.includes(env['OMEN_CH_REPLICA']))
      problems.push(`${where}: ${name} needs a replica macro unique in its shard`);
    replicas.push(String(env['OMEN_CH_REPLICA']));
    replicasPerShard.set(String(env['OMEN_CH_SHARD']), replicas);
    if (
      !(s['volumes'] as unknown[] | undefined)?.some((v) =>
        String(v).startsWith('./clickhouse-cluster/cluster.xml:/etc/clickhouse-server/config.d/'),
      )
    ) {
      problems.push(`${where}: ${name} does not mount ./clickhouse-cluster/cluster.xml into config.d`);
    }
  }
  for (const name of check.services) {
    const env = rec(rec(services[name])['environment']);
    if (env['CLICKHOUSE_CLUSTER'] !== 'omen') problems.push(`${where}: ${name} must set CLICKHOUSE_CLUSTER=omen`);
    const host = /^https?:\/\/([^:/]+)/.exec(str(env['CLICKHOUSE_URL']))?.[1] ?? '';
    if (!names.includes(host))
      problems.push(`${where}: ${name}'s CLICKHOUSE_URL ${String(env['CLICKHOUSE_URL'])} is not a node of the cluster`);
  }
  return problems;
}
