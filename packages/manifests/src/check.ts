import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { natsServers, parseRedisAddress } from '@omen/config';
import { inferenceConfigSchema } from '@omen/inference/config';
import { loadTopicManifest } from '@omen/topics';
import { checkComposeClickHouseCluster } from './compose-clickhouse-cluster.ts';
import { composeSchemaProblems } from './compose-schema.ts';
import { kustomize, text } from './kustomize.ts';

/**
 * compose/ and deploy/ cannot be run here (no Docker engine, no cluster), so they are checked
 * statically: compose against the Compose Specification's schema, every kustomization rendered
 * (./kustomize.ts) and validated against the Kubernetes and CRD schemas (./schemas.ts, in the
 * tests: it is async), and both against what the code and the design expect: every service is
 * there, gets every engine address, probes gRPC health, runs safe by default, and the lag-based
 * autoscaler watches the consumer group the deployed configuration really consumes with. A
 * manifest that drifts from the code fails the unit tests.
 */

export const SERVICES = [
  'ingest',
  'featurizer',
  'trainer-coordinator',
  'inference',
  'drift-detector',
  'ab-router',
  'scm-checks',
] as const;
export const ENGINE_VARIABLES = [
  'KAFKA_BROKERS',
  'SCHEMA_REGISTRY_URL',
  'CLICKHOUSE_URL',
  'REDIS_URL',
  'NATS_URL',
] as const;

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
  'scm-checks': [{ address: 'INFERENCE_ADDR', token: 'INFERENCE_TOKEN' }],
};

/** Credentials a service must take from a Secret (secretKeyRef), never a literal or a ConfigMap. */
export const SECRET_VARIABLES: Readonly<Record<string, readonly string[]>> = {
  ingest: ['INGEST_GITHUB_WEBHOOK_SECRET', 'INGEST_PSEUDONYM_KEY'],
  'scm-checks': ['GITHUB_APP_PRIVATE_KEY', 'GITLAB_TOKEN'],
};

type Doc = Record<string, unknown>;

/** Problems with a service's auth settings, given what its environment sets (undefined: unset). */
function authProblems(where: string, service: string, value: (variable: string) => unknown): string[] {
  const problems: string[] = [];
  if (String(value('GRPC_REQUIRE_AUTH')) !== 'true')
    problems.push(`${where}: ${service} must set GRPC_REQUIRE_AUTH=true (artifacts and predictions need a credential)`);
  for (const { address, token } of SERVICE_CLIENTS[service] ?? []) {
    if (value(address) !== undefined && value(token) === undefined)
      problems.push(`${where}: ${service} calls ${address} without ${token}`);
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
  const parsed = parse(composeYaml, { merge: true }) as unknown;
  const problems: string[] = composeSchemaProblems(parsed);
  const doc = asRecord(parsed);
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
    const stream = STREAM_CONSUMERS[name];
    if (
      stream &&
      stream.parse(
        stream.enabled,
        typeof env[stream.enabled] === 'string' ? (env[stream.enabled] as string) : undefined,
      ) !== true
    ) {
      problems.push(`compose: ${name} must set ${stream.enabled}=true (its stream is the deployment's work)`);
    }
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

const podSpecOf = (d: Doc): Doc => asRecord(asRecord(asRecord(d['spec'])['template'])['spec']);
const nameOf = (d: Doc): string => String(asRecord(d['metadata'])['name']);

/**
 * The stream consumers whose lag KEDA scales on, by service: which variables switch the stream
 * on and name its group and topic. Their defaults are read from the service's own config schema
 * (the variable's owner), so an unset variable counts as what the service would really use.
 */
export const STREAM_CONSUMERS: Readonly<
  Record<
    string,
    { enabled: string; group: string; topic: string; parse: (variable: string, value: string | undefined) => unknown }
  >
> = {
  inference: {
    enabled: 'INFERENCE_STREAM',
    group: 'INFERENCE_STREAM_GROUP',
    topic: 'INFERENCE_TOPIC_FEATURES',
    parse: (variable, value) =>
      (inferenceConfigSchema as unknown as Record<string, { parse(v: unknown): unknown }>)[variable]!.parse(value),
  },
};

/** Where a rendered deployment is going: the CPU base, or an overlay that puts inference on GPUs. */
export type Variant = 'cpu' | 'gpu';

/** What a container's environment sets a variable to (a ConfigMap's value, or a secret reference), or undefined. */
function envResolver(container: Doc, docs: readonly Doc[]): (variable: string) => unknown {
  const env = asArray(container['env']).map(asRecord);
  const fromMaps = asArray(container['envFrom'])
    .map((f) => asRecord(asRecord(f)['configMapRef'])['name'])
    .map((n) => asRecord(docs.find((d) => d['kind'] === 'ConfigMap' && nameOf(d) === String(n))?.['data']));
  return (v) => {
    const own = env.find((e) => e['name'] === v);
    if (own) return own['value'] ?? own['valueFrom'];
    return fromMaps.find((data) => v in data)?.[v];
  };
}

function securityProblems(where: string, podSpec: Doc): string[] {
  const problems: string[] = [];
  const pod = asRecord(podSpec['securityContext']);
  if (pod['runAsNonRoot'] !== true) problems.push(`${where}: pod must set runAsNonRoot: true`);
  if (asRecord(pod['seccompProfile'])['type'] !== 'RuntimeDefault')
    problems.push(`${where}: pod must use seccompProfile RuntimeDefault`);
  for (const c of [...asArray(podSpec['containers']), ...asArray(podSpec['initContainers'])].map(asRecord)) {
    const sc = asRecord(c['securityContext']);
    const name = String(c['name']);
    if (sc['readOnlyRootFilesystem'] !== true)
      problems.push(`${where}: container ${name} must have a read-only root filesystem`);
    if (sc['allowPrivilegeEscalation'] !== false)
      problems.push(`${where}: container ${name} must set allowPrivilegeEscalation: false`);
    if (!asArray(asRecord(sc['capabilities'])['drop']).includes('ALL'))
      problems.push(`${where}: container ${name} must drop ALL capabilities`);
    if (sc['privileged'] === true) problems.push(`${where}: container ${name} must not be privileged`);
  }
  return problems;
}

/**
 * Problems of a rendered deployment (kustomize output) against what the code and the design
 * expect. `partitions` is each topic's partition count (topics.yaml).
 */
export function checkKubernetes(
  docs: readonly Doc[],
  consumers: Map<string, string[]>,
  partitions: ReadonlyMap<string, number>,
  variant: Variant = 'cpu',
): string[] {
  const problems: string[] = [];
  const find = (kind: string, name: string): Doc | undefined =>
    docs.find((d) => d['kind'] === kind && nameOf(d) === name);

  for (const d of docs) {
    const kind = String(d['kind']);
    if (!['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'].includes(kind)) continue;
    const spec = asRecord(d['spec']);
    const podSpec =
      kind === 'Pod'
        ? spec
        : kind === 'CronJob'
          ? podSpecOf(asRecord(asRecord(spec['jobTemplate'])['spec']))
          : podSpecOf(d);
    problems.push(...securityProblems(`deploy: ${kind} ${nameOf(d)}`, podSpec));
  }

  for (const name of SERVICES) {
    const deployment = find('Deployment', name);
    if (!deployment) {
      problems.push(`deploy: Deployment ${name} is missing`);
      continue;
    }
    if (!find('Service', name)) problems.push(`deploy: Service ${name} is missing`);
    const podSpec = podSpecOf(deployment);
    const container = asRecord(asArray(podSpec['containers'])[0]);
    const env = asArray(container['env']).map(asRecord);
    if (!env.some((e) => e['name'] === 'SERVICE' && e['value'] === name)) {
      problems.push(`deploy: ${name} must set SERVICE=${name}`);
    }
    for (const e of env) {
      if (/_(TOKEN|SECRET|KEY)$/.test(String(e['name'])) && e['value'] !== undefined)
        problems.push(`deploy: ${name} has ${String(e['name'])} as a literal; take it from a Secret`);
    }
    problems.push(...authProblems('deploy', name, envResolver(container, docs)));
    if (!asRecord(asRecord(container['readinessProbe'])['grpc'])['port']) {
      problems.push(`deploy: ${name} has no gRPC readiness probe`);
    }
    if (!asRecord(asRecord(container['resources'])['limits'])['memory']) {
      problems.push(`deploy: ${name} has no memory limit`);
    }
    const replicas = Number(asRecord(deployment['spec'])['replicas'] ?? 1);
    const pdb = docs.find(
      (d) =>
        d['kind'] === 'PodDisruptionBudget' &&
        asRecord(asRecord(asRecord(d['spec'])['selector'])['matchLabels'])['app.kubernetes.io/name'] === name,
    );
    if (pdb) {
      const spec = asRecord(pdb['spec']);
      if (spec['minAvailable'] !== undefined)
        problems.push(
          `deploy: PodDisruptionBudget ${nameOf(pdb)} uses minAvailable, which blocks drains at one replica; use maxUnavailable: 1`,
        );
      else if (spec['maxUnavailable'] !== 1)
        problems.push(`deploy: PodDisruptionBudget ${nameOf(pdb)} must set maxUnavailable: 1`);
    } else if (replicas > 1 || name === 'inference')
      problems.push(`deploy: ${name} runs several replicas without a PodDisruptionBudget`);
  }

  // Deny by default, so the allowed flows are the only ones.
  const denyAll = docs.some((d) => {
    const spec = asRecord(d['spec']);
    return (
      d['kind'] === 'NetworkPolicy' &&
      Object.keys(asRecord(spec['podSelector'])).length === 0 &&
      asArray(spec['policyTypes']).includes('Ingress') &&
      asArray(spec['policyTypes']).includes('Egress') &&
      spec['ingress'] === undefined &&
      spec['egress'] === undefined
    );
  });
  if (!denyAll)
    problems.push('deploy: no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)');

  // CPU services scale on CPU.
  for (const name of ['ingest', 'featurizer']) {
    const hpa = docs.find(
      (d) =>
        d['kind'] === 'HorizontalPodAutoscaler' && asRecord(asRecord(d['spec'])['scaleTargetRef'])['name'] === name,
    );
    const onCpu = asArray(asRecord(hpa?.['spec'])['metrics'])
      .map(asRecord)
      .some((m) => asRecord(m['resource'])['name'] === 'cpu');
    if (!onCpu) problems.push(`deploy: ${name} has no HorizontalPodAutoscaler on CPU`);
  }

  // An HPA on a Kafka consumer (its Deployment's name is its group in topics.yaml) beyond the
  // partitions of the topics it reads adds pods that get no partition.
  for (const hpa of docs.filter((d) => d['kind'] === 'HorizontalPodAutoscaler')) {
    const target = text(asRecord(asRecord(hpa['spec'])['scaleTargetRef'])['name']);
    const max = Number(asRecord(hpa['spec'])['maxReplicas']);
    for (const [topic, groups] of consumers) {
      const parts = partitions.get(topic);
      if (groups.includes(target) && parts !== undefined && max > parts)
        problems.push(
          `deploy: HorizontalPodAutoscaler ${nameOf(hpa)}: maxReplicas ${max} exceeds the ${parts} partitions of ${topic} (the extra pods would idle)`,
        );
    }
  }

  // The webhooks reach ingest through a TLS Ingress; the secrets come from a Secret.
  const webhookIngress = docs
    .filter((d) => d['kind'] === 'Ingress')
    .find((d) =>
      asArray(asRecord(d['spec'])['rules'])
        .map(asRecord)
        .some((r) =>
          asArray(asRecord(r['http'])['paths'])
            .map(asRecord)
            .some((p) => asRecord(asRecord(p['backend'])['service'])['name'] === 'ingest'),
        ),
    );
  if (!webhookIngress) problems.push('deploy: no Ingress routes the webhooks to ingest');
  else if (asArray(asRecord(webhookIngress['spec'])['tls']).length === 0)
    problems.push(`deploy: Ingress ${nameOf(webhookIngress)} has no TLS`);
  for (const [name, variables] of Object.entries(SECRET_VARIABLES)) {
    const deployment = find('Deployment', name);
    if (!deployment) continue;
    const env = envResolver(asRecord(asArray(podSpecOf(deployment)['containers'])[0]), docs);
    for (const v of variables) {
      if (!asRecord(env(v))['secretKeyRef'])
        problems.push(`deploy: ${name} must take ${v} from a Secret (secretKeyRef)`);
    }
  }

  if (!docs.some((d) => d['kind'] === 'ServiceMonitor'))
    problems.push('deploy: no ServiceMonitor scrapes the services');

  problems.push(...kedaProblems(docs, consumers, partitions));

  const inference = find('Deployment', 'inference');
  if (inference) {
    const podSpec = podSpecOf(inference);
    const container = asRecord(asArray(podSpec['containers'])[0]);
    const resources = asRecord(container['resources']);
    const gpus = asRecord(resources['limits'])['nvidia.com/gpu'];
    const providers = (text(envResolver(container, docs)('INFERENCE_EXECUTION_PROVIDERS')) || 'cpu')
      .split(',')
      .map((s) => s.trim());
    if (variant === 'gpu') {
      if (!gpus) problems.push('deploy: inference requests no GPU (limits nvidia.com/gpu)');
      if (asRecord(resources['requests'])['nvidia.com/gpu'] !== gpus)
        problems.push('deploy: inference must request as many nvidia.com/gpu as its limit');
      if (podSpec['runtimeClassName'] !== 'nvidia')
        problems.push('deploy: GPU inference must run with runtimeClassName nvidia');
      if (!/cuda/.test(String(container['image'])))
        problems.push(`deploy: GPU inference runs ${String(container['image'])}, not the CUDA image`);
      if (providers[0] !== 'cuda' || !providers.includes('cpu'))
        problems.push('deploy: GPU inference must set INFERENCE_EXECUTION_PROVIDERS=cuda,cpu');
    } else {
      if (gpus) problems.push('deploy: the CPU base requests a GPU for inference');
      if (providers.includes('cuda')) problems.push('deploy: the CPU base asks inference for the CUDA provider');
    }
  }
  return problems;
}

/**
 * KEDA ScaledObjects with Kafka triggers: the group watched must be the group the scaled
 * Deployment really consumes with (its stream on, its group and topic as configured), start at
 * the newest offset, have an activation threshold and a cooldown, and never scale beyond the
 * topic's partitions.
 */
function kedaProblems(
  docs: readonly Doc[],
  consumers: Map<string, string[]>,
  partitions: ReadonlyMap<string, number>,
): string[] {
  const problems: string[] = [];
  const scaled = docs.filter((d) => d['kind'] === 'ScaledObject');
  if (!scaled.some((d) => asRecord(asRecord(d['spec'])['scaleTargetRef'])['name'] === 'inference')) {
    problems.push('deploy: no ScaledObject scales inference');
  }
  for (const so of scaled) {
    const spec = asRecord(so['spec']);
    const target = String(asRecord(spec['scaleTargetRef'])['name']);
    const deployment = docs.find((d) => d['kind'] === 'Deployment' && nameOf(d) === target);
    if (spec['cooldownPeriod'] === undefined)
      problems.push(`deploy: ScaledObject ${nameOf(so)} sets no cooldownPeriod`);
    for (const trigger of asArray(spec['triggers']).map(asRecord)) {
      if (trigger['type'] !== 'kafka') continue;
      const meta = asRecord(trigger['metadata']);
      const topic = String(meta['topic']);
      const group = String(meta['consumerGroup']);
      const where = `deploy: ScaledObject ${nameOf(so)}`;
      if (!(consumers.get(topic) ?? []).includes(group))
        problems.push(`${where} watches group ${group} on ${topic}, which topics.yaml does not list`);
      if (meta['offsetResetPolicy'] !== 'latest')
        problems.push(
          `${where}: offsetResetPolicy must be latest (earliest counts the whole log as lag of a group that never committed)`,
        );
      if (meta['activationLagThreshold'] === undefined) problems.push(`${where} has no activationLagThreshold`);
      const max = Number(spec['maxReplicaCount'] ?? 100);
      const parts = partitions.get(topic);
      if (parts !== undefined && max > parts)
        problems.push(
          `${where}: maxReplicaCount ${max} exceeds the ${parts} partitions of ${topic} (the extra pods would idle)`,
        );
      const stream = STREAM_CONSUMERS[target];
      if (!deployment || !stream) {
        problems.push(`${where} scales ${target}, which is not a known stream consumer`);
        continue;
      }
      const env = envResolver(asRecord(asArray(podSpecOf(deployment)['containers'])[0]), docs);
      const value = (v: string): string | undefined => (typeof env(v) === 'string' ? (env(v) as string) : undefined);
      const enabled = stream.parse(stream.enabled, value(stream.enabled));
      const consumes = String(stream.parse(stream.group, value(stream.group)));
      const reads = String(stream.parse(stream.topic, value(stream.topic)));
      if (enabled !== true)
        problems.push(
          `${where} scales on group ${group}, but ${target} does not consume (${stream.enabled} is not true): the lag never falls`,
        );
      else if (consumes !== group || reads !== topic)
        problems.push(
          `${where} scales on group ${group} of ${topic}, but ${target} consumes ${reads} as group ${consumes}`,
        );
    }
  }
  return problems;
}

/**
 * The Dockerfile builds what the manifests run: a CPU image as the default (last) stage, and a
 * `cuda` target whose build installs onnxruntime-node's CUDA provider and fails without it; both
 * run as uid 1000, the pods' runAsUser. (No Docker engine here to build it; this is the static part.)
 */
export function checkDockerfile(dockerfile: string): string[] {
  const problems: string[] = [];
  const stages = dockerfile
    .split(/^FROM\s+/m)
    .slice(1)
    .map((s) => ({ name: /^\S+(?:\s+AS\s+(\S+))?/i.exec(s)?.[1] ?? '', body: s }));
  const cuda = stages.find((s) => s.name === 'cuda');
  const last = stages[stages.length - 1];
  if (!cuda) problems.push('Dockerfile: no "cuda" target (deploy/overlays/gpu runs it)');
  if (
    !stages.some(
      (s) =>
        /ONNXRUNTIME_NODE_INSTALL=cuda12/.test(s.body) &&
        /test -f [^\n]*libonnxruntime_providers_cuda\.so/.test(s.body),
    )
  ) {
    problems.push("Dockerfile: no stage installs onnxruntime-node's CUDA provider and checks the library is there");
  }
  if (last && /cuda/i.test(last.body.split('\n')[0] ?? ''))
    problems.push('Dockerfile: the default (last) stage must be the CPU image');
  // pnpm-workspace.yaml's patchedDependencies name files under patches/: an install without
  // them fails (frozen lockfile) instead of quietly building unpatched code.
  for (const s of stages) {
    const install = s.body.search(/pnpm install/);
    const patches = s.body.search(/^COPY\s+patches\b/m);
    if (install >= 0 && !(patches >= 0 && patches < install))
      problems.push(`Dockerfile: stage ${s.name || '(unnamed)'} runs pnpm install without COPY patches before it`);
  }
  for (const s of [cuda, last]) {
    if (s && !/^USER (1000|node)\b/m.test(s.body))
      problems.push(
        `Dockerfile: stage ${s.name || '(last)'} must run as uid 1000 (USER 1000 or node), the pods' runAsUser`,
      );
  }
  return problems;
}

/** Every problem found in compose/ and deploy/ of the repository at `root`. */
export function checkManifests(root: string): string[] {
  const manifest = loadTopicManifest(join(root, 'topics.yaml'));
  const consumers = new Map(manifest.topics.map((t) => [t.name, [...t.consumers]]));
  const partitions = new Map(manifest.topics.map((t) => [t.name, t.partitions]));
  const composePath = join(root, 'compose', 'docker-compose.yaml');
  const problems = [
    ...checkCompose(readFileSync(composePath, 'utf8'), dirname(composePath)),
    ...checkDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8')),
  ];
  // One override holds every clustered engine (compose/cluster.yaml); one checker checks all three.
  problems.push(
    ...checkComposeCluster(
      readFileSync(composePath, 'utf8'),
      readFileSync(join(root, 'compose', 'cluster.yaml'), 'utf8'),
      dirname(composePath),
    ),
  );
  for (const { dir, variant } of DEPLOY_VARIANTS) {
    let docs: Doc[];
    try {
      docs = kustomize(join(root, dir));
    } catch (err) {
      problems.push(`${dir}: ${(err as Error).message}`);
      continue;
    }
    problems.push(
      ...checkKubernetes(docs, consumers, partitions, variant).map((p) => p.replace(/^deploy:/, `${dir}:`)),
    );
  }
  return problems;
}

/** Every kustomization a user may apply, and what it is for. */
export const DEPLOY_VARIANTS: readonly { dir: string; variant: Variant }[] = [
  { dir: 'deploy/base', variant: 'cpu' },
  { dir: 'deploy/overlays/gpu', variant: 'gpu' },
];

// compose/cluster.yaml, the clustered Redis and NATS as an override of docker-compose.yaml:
// merged as `docker compose -f docker-compose.yaml -f cluster.yaml` merges it, the result must
// pass every check docker-compose.yaml passes, and the addresses the services get must name
// exactly the cluster's nodes, in the forms the services' configuration accepts.
type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});

/** Compose's merge of an override: per service, mappings (environment, depends_on) merged, the rest replaced. */
export function mergeCompose(base: Rec, override: Rec): Rec {
  const out: Rec = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (key === 'services' || key === 'volumes') {
      const merged: Rec = { ...rec(base[key]) };
      for (const [name, def] of Object.entries(rec(value))) {
        const was = rec(merged[name]);
        const next: Rec = { ...was };
        for (const [k, v] of Object.entries(rec(def))) {
          next[k] =
            (k === 'environment' || k === 'depends_on') && typeof v === 'object' && !Array.isArray(v)
              ? { ...rec(was[k]), ...rec(v) }
              : v;
        }
        merged[name] = next;
      }
      out[key] = merged;
    } else out[key] = value;
  }
  return out;
}

/**
 * compose/cluster.yaml over docker-compose.yaml: the merge passes every check the base passes,
 * Redis Cluster has 6 cluster-enabled nodes, NATS 3 routed JetStream servers, the services get
 * their cluster addresses, and the ClickHouse cluster is whole (compose-clickhouse-cluster.ts).
 * @param configXml the ClickHouse cluster.xml to check instead of compose/clickhouse-cluster/'s
 */
export function checkComposeCluster(
  baseYaml: string,
  clusterYaml: string,
  composeDir: string,
  configXml?: string,
): string[] {
  const override = rec(parse(clusterYaml, { merge: true }));
  const problems = composeSchemaProblems(override).map((p) => `compose/cluster.yaml: ${p}`);
  const merged = mergeCompose(rec(parse(baseYaml, { merge: true })), override);
  problems.push(
    ...checkCompose(stringify(merged), composeDir).map((p) => p.replace(/^compose:/, 'compose (with cluster.yaml):')),
  );
  const services = rec(merged['services']);
  const names = Object.keys(services);
  const redisNodes = names.filter((n) => /^redis(-\d+)?$/.test(n)).sort();
  const natsNodes = names.filter((n) => /^nats(-\d+)?$/.test(n)).sort();
  const command = (n: string) =>
    Array.isArray(rec(services[n])['command']) ? (rec(services[n])['command'] as unknown[]).map(String) : [];
  if (redisNodes.length < 6)
    problems.push(`compose/cluster.yaml: ${redisNodes.length} Redis nodes; 3 masters with a replica each need 6`);
  for (const n of redisNodes)
    if (!command(n).join(' ').includes('--cluster-enabled yes'))
      problems.push(`compose/cluster.yaml: ${n} is not cluster-enabled`);
  if (natsNodes.length < 3)
    problems.push(`compose/cluster.yaml: ${natsNodes.length} NATS servers; a JetStream cluster needs 3`);
  for (const n of natsNodes) {
    const args = command(n);
    const routes = args[args.indexOf('--routes') + 1] ?? '';
    const others = natsNodes.filter((o) => o !== n);
    if (!args.includes('-js')) problems.push(`compose/cluster.yaml: ${n} runs without JetStream`);
    if (!others.every((o) => routes.includes(`nats://${o}:6222`)))
      problems.push(`compose/cluster.yaml: ${n} does not route to ${others.join(', ')}`);
  }
  for (const name of SERVICES) {
    const env = rec(rec(services[name])['environment']);
    const text = (v: unknown): string => (typeof v === 'string' ? v : '');
    const redis = parseRedisAddress(text(env['REDIS_URL']));
    const hosts = redis?.kind === 'cluster' ? redis.nodes.map((h) => h.host).sort() : [];
    if (hosts.join() !== redisNodes.join())
      problems.push(
        `compose/cluster.yaml: ${name}'s REDIS_URL must be redis-cluster:// naming ${redisNodes.join(', ')}`,
      );
    const nats = natsServers(text(env['NATS_URL']))
      .map((u) => /^nats:\/\/([^:]+):/.exec(u)?.[1] ?? u)
      .sort();
    if (nats.join() !== natsNodes.join())
      problems.push(`compose/cluster.yaml: ${name}'s NATS_URL must list ${natsNodes.join(', ')}`);
  }
  // The merged file's own checks ran above; this adds the ClickHouse topology only.
  problems.push(
    ...checkComposeClickHouseCluster(
      { compose: () => [], services: SERVICES },
      baseYaml,
      clusterYaml,
      composeDir,
      configXml,
    ),
  );
  return problems;
}
