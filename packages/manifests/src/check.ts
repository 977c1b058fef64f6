import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

/**
 * compose/ and deploy/ cannot be run here (no Docker engine, no cluster), so they are checked
 * statically against what the code expects: every service is there, gets every engine address,
 * probes gRPC health, and the lag-based autoscaler watches a consumer group that really exists
 * in topics.yaml. A manifest that drifts from the code fails the unit tests.
 */

export const SERVICES = ['ingest', 'featurizer', 'trainer-coordinator', 'inference', 'drift-detector', 'ab-router'] as const;
export const ENGINE_VARIABLES = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'CLICKHOUSE_URL', 'REDIS_URL', 'NATS_URL'] as const;

/**
 * Services that call another omen service, by the address variable they are given and the
 * token variable they send: with GRPC_REQUIRE_AUTH on everywhere, an address without its token
 * is a mesh where every such call is refused.
 */
export const SERVICE_CLIENTS: Readonly<Record<string, ReadonlyArray<{ address: string; token: string }>>> = {
  inference: [
    { address: 'INFERENCE_TRAINER_ADDR', token: 'INFERENCE_TRAINER_TOKEN' },
    { address: 'FEATURIZER_ADDR', token: 'INFERENCE_FEATURIZER_TOKEN' },
  ],
  'drift-detector': [{ address: 'DRIFT_TRAINER_ADDR', token: 'DRIFT_TRAINER_TOKEN' }],
  'ab-router': [{ address: 'INFERENCE_ADDR', token: 'INFERENCE_TOKEN' }],
};

type Doc = Record<string, unknown>;

/** Problems with a service's auth settings, given what its environment sets (undefined: unset). */
function authProblems(where: string, service: string, value: (variable: string) => unknown): string[] {
  const problems: string[] = [];
  if (String(value('GRPC_REQUIRE_AUTH')) !== 'true') problems.push(`${where}: ${service} must set GRPC_REQUIRE_AUTH=true (artifacts and predictions need a credential)`);
  for (const { address, token } of SERVICE_CLIENTS[service] ?? []) {
    if (value(address) !== undefined && value(token) === undefined) problems.push(`${where}: ${service} calls ${address} without ${token}`);
  }
  return problems;
}

function asRecord(value: unknown): Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Doc) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function imageIsPinned(image: string): boolean {
  const tag = image.includes('@') ? 'digest' : image.split('/').pop()?.split(':')[1];
  return tag !== undefined && tag !== 'latest';
}

/** Consumer groups per topic, as topics.yaml declares them. */
export function consumersByTopic(topicsYaml: string): Map<string, string[]> {
  const doc = asRecord(parse(topicsYaml));
  const out = new Map<string, string[]>();
  for (const topic of asArray(doc['topics']).map(asRecord)) {
    out.set(String(topic['name']), asArray(topic['consumers']).map(String));
  }
  return out;
}

export function checkCompose(composeYaml: string, composeDir: string): string[] {
  const problems: string[] = [];
  const doc = asRecord(parse(composeYaml, { merge: true }));
  const services = asRecord(doc['services']);
  for (const name of SERVICES) {
    const svc = asRecord(services[name]);
    if (Object.keys(svc).length === 0) {
      problems.push(`compose: service ${name} is missing`);
      continue;
    }
    const env = asRecord(svc['environment']);
    if (env['SERVICE'] !== name) problems.push(`compose: ${name} must set SERVICE=${name}`);
    for (const variable of ENGINE_VARIABLES) {
      if (typeof env[variable] !== 'string') problems.push(`compose: ${name} lacks ${variable}`);
    }
    problems.push(...authProblems('compose', name, (v) => env[v]));
  }
  for (const [name, value] of Object.entries(services)) {
    const svc = asRecord(value);
    const image = svc['image'];
    if (typeof image === 'string' && !svc['build'] && !imageIsPinned(image)) {
      problems.push(`compose: ${name} image ${image} is not pinned to a version`);
    }
    for (const volume of asArray(svc['volumes'])) {
      const source = String(volume).split(':')[0] ?? '';
      if (source.startsWith('./') && !existsSync(resolve(composeDir, source))) {
        problems.push(`compose: ${name} mounts ${source}, which does not exist`);
      }
    }
  }
  return problems;
}

export function checkKubernetes(deployDir: string, consumers: Map<string, string[]>): string[] {
  const problems: string[] = [];
  const kustomization = asRecord(parse(readFileSync(join(deployDir, 'kustomization.yaml'), 'utf8')));
  const docs: Doc[] = [];
  for (const file of asArray(kustomization['resources']).map(String)) {
    const path = join(deployDir, file);
    if (!existsSync(path)) {
      problems.push(`deploy: kustomization lists ${file}, which does not exist`);
      continue;
    }
    for (const d of parseAllDocuments(readFileSync(path, 'utf8'))) {
      if (d.errors.length > 0) problems.push(`deploy: ${file}: ${d.errors[0]?.message ?? 'YAML error'}`);
      const value = asRecord(d.toJSON());
      if (Object.keys(value).length > 0) docs.push(value);
    }
  }
  const find = (kind: string, name: string): Doc | undefined =>
    docs.find((d) => d['kind'] === kind && asRecord(d['metadata'])['name'] === name);

  for (const name of SERVICES) {
    const deployment = find('Deployment', name);
    if (!deployment) {
      problems.push(`deploy: Deployment ${name} is missing`);
      continue;
    }
    if (!find('Service', name)) problems.push(`deploy: Service ${name} is missing`);
    const podSpec = asRecord(asRecord(asRecord(deployment['spec'])['template'])['spec']);
    const container = asRecord(asArray(podSpec['containers'])[0]);
    const env = asArray(container['env']).map(asRecord);
    if (!env.some((e) => e['name'] === 'SERVICE' && e['value'] === name)) {
      problems.push(`deploy: ${name} must set SERVICE=${name}`);
    }
    const fromMaps = asArray(container['envFrom']).map((f) => asRecord(asRecord(f)['configMapRef'])['name']).map((n) => asRecord(find('ConfigMap', String(n))?.['data']));
    for (const e of env) {
      if (/_TOKEN$/.test(String(e['name'])) && e['value'] !== undefined) problems.push(`deploy: ${name} has ${String(e['name'])} as a literal; take it from a Secret`);
    }
    problems.push(...authProblems('deploy', name, (v) => {
      const own = env.find((e) => e['name'] === v);
      if (own) return own['value'] ?? own['valueFrom'];
      return fromMaps.find((data) => v in data)?.[v];
    }));
    if (!asRecord(asRecord(container['readinessProbe'])['grpc'])['port']) {
      problems.push(`deploy: ${name} has no gRPC readiness probe`);
    }
    if (!asRecord(asRecord(container['resources'])['limits'])['memory']) {
      problems.push(`deploy: ${name} has no memory limit`);
    }
  }

  const inference = find('Deployment', 'inference');
  const limits = asRecord(asRecord(asRecord(asArray(asRecord(asRecord(asRecord(inference?.['spec'])['template'])['spec'])['containers'])[0])['resources'])['limits']);
  if (!limits['nvidia.com/gpu']) problems.push('deploy: inference requests no GPU');

  const scaled = docs.filter((d) => d['kind'] === 'ScaledObject');
  if (!scaled.some((d) => asRecord(asRecord(d['spec'])['scaleTargetRef'])['name'] === 'inference')) {
    problems.push('deploy: no ScaledObject scales inference');
  }
  for (const so of scaled) {
    for (const trigger of asArray(asRecord(so['spec'])['triggers']).map(asRecord)) {
      if (trigger['type'] !== 'kafka') continue;
      const meta = asRecord(trigger['metadata']);
      const topic = String(meta['topic']);
      const group = String(meta['consumerGroup']);
      if (!(consumers.get(topic) ?? []).includes(group)) {
        problems.push(`deploy: ScaledObject watches group ${group} on ${topic}, which topics.yaml does not list`);
      }
    }
  }
  return problems;
}

/** Every problem found in compose/ and deploy/ of the repository at `root`. */
export function checkManifests(root: string): string[] {
  const consumers = consumersByTopic(readFileSync(join(root, 'topics.yaml'), 'utf8'));
  const composePath = join(root, 'compose', 'docker-compose.yaml');
  return [
    ...checkCompose(readFileSync(composePath, 'utf8'), dirname(composePath)),
    ...checkKubernetes(join(root, 'deploy', 'base'), consumers),
  ];
}
