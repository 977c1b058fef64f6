import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadTopicManifest } from '@omen/topics';
import {
  applyJsonPatch,
  checkCompose,
  checkComposeClickHouseCluster,
  checkComposeCluster,
  checkDockerfile,
  checkKubernetes,
  checkManifests,
  consumersByTopic,
  DEPLOY_VARIANTS,
  kustomize,
  SERVICES,
  objectId,
  validateObjects,
  type K8sObject,
} from '../../src/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const composePath = join(root, 'compose', 'docker-compose.yaml');
const manifest = loadTopicManifest(join(root, 'topics.yaml'));
const consumers = new Map(manifest.topics.map((t) => [t.name, [...t.consumers]]));
const partitions = new Map(manifest.topics.map((t) => [t.name, t.partitions]));

/** The problems compose/ would have after `edit`. */
function composeProblemsAfter(edit: (yaml: string) => string): string[] {
  return checkCompose(edit(readFileSync(composePath, 'utf8')), dirname(composePath));
}

/** The problems compose/cluster.yaml would have after editing it or its cluster.xml. */
function clickhouseClusterProblemsAfter(
  edit: (yaml: string) => string,
  editXml: (xml: string) => string = (x) => x,
): string[] {
  const dir = dirname(composePath);
  return checkComposeClickHouseCluster(
    { compose: checkCompose, services: SERVICES },
    readFileSync(composePath, 'utf8'),
    edit(readFileSync(join(dir, 'cluster.yaml'), 'utf8')),
    dir,
    editXml(readFileSync(join(dir, 'clickhouse-cluster', 'cluster.xml'), 'utf8')),
  );
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The rendered base after `edit` (on a copy), checked as the variant says. */
function baseProblemsAfter(edit: (docs: Obj[]) => void, variant: 'cpu' | 'gpu' = 'cpu'): string[] {
  const docs = structuredClone(kustomize(join(root, 'deploy/base'))) as Obj[];
  edit(docs);
  return checkKubernetes(docs, consumers, partitions, variant);
}
const get = (docs: Obj[], kind: string, name: string): Obj =>
  docs.find((d) => d['kind'] === kind && d['metadata']['name'] === name)!;
const inferenceEnv = (docs: Obj[]): Obj[] =>
  get(docs, 'Deployment', 'inference')['spec']['template']['spec']['containers'][0]['env'] as Obj[];

describe('compose/cluster.yaml', () => {
  it('has no problems as it is', () => {
    expect(clickhouseClusterProblemsAfter((y) => y)).toEqual([]);
  });

  it('names a node whose macros disagree with remote_servers, or repeat a replica', () => {
    const problems = clickhouseClusterProblemsAfter((y) =>
      y.replace('OMEN_CH_SHARD: "02", OMEN_CH_REPLICA: r1', 'OMEN_CH_SHARD: "01", OMEN_CH_REPLICA: r2'),
    );
    expect(problems).toContain(
      'compose/cluster.yaml: clickhouse-02-r1 has shard macro 01, remote_servers lists it in shard 02',
    );
    expect(problems).toContain('compose/cluster.yaml: clickhouse-02-r1 needs a replica macro unique in its shard');
  });

  it('names an omen_nodes entry that misses a server or groups two in a shard', () => {
    const problems = clickhouseClusterProblemsAfter(
      (y) => y,
      (x) => x.replace('<shard><replica><host>clickhouse-02-r2</host><port>9000</port></replica></shard>', ''),
    );
    expect(problems.join('\n')).toMatch(/cluster omen_nodes must list every server of omen as a shard of its own/);
  });

  it('names a service left on one server, a shard without internal replication, and a schema error', () => {
    const problems = clickhouseClusterProblemsAfter(
      (y) =>
        y
          .replace('  ab-router: { environment: *cluster-env, depends_on: *clickhouse-cluster-deps }\n', '')
          .replace('    retries: 20\n  ulimits', '    retries: 20\n  ulimit: 1\n  ulimits'),
      (x) =>
        x.replace(
          '<internal_replication>true</internal_replication>',
          '<internal_replication>false</internal_replication>',
        ),
    );
    expect(problems).toContain('compose/cluster.yaml: ab-router must set CLICKHOUSE_CLUSTER=omen');
    expect(problems).toContain(
      'compose/cluster.yaml: every shard of omen needs internal_replication true (replicated tables)',
    );
    expect(problems).toContain(
      'compose/cluster.yaml: /services/clickhouse must NOT have additional properties (ulimit)',
    );
  });
});

describe('compose/ and deploy/ match the code', () => {
  it('has no problems', () => {
    expect(checkManifests(root)).toEqual([]);
  });

  it('checks compose/cluster.yaml merged over docker-compose.yaml: nodes, routes and the addresses the services get', () => {
    const clusterPath = join(root, 'compose', 'cluster.yaml');
    const after = (edit: (yaml: string) => string) =>
      checkComposeCluster(
        readFileSync(composePath, 'utf8'),
        edit(readFileSync(clusterPath, 'utf8')),
        dirname(composePath),
      );
    expect(after((y) => y)).toEqual([]);
    expect(
      after((y) =>
        y.replace(
          '  ab-router: { environment: *cluster-env, depends_on: *clickhouse-cluster-deps }',
          '  ab-router: { environment: { REDIS_URL: "redis://redis:6379" } }',
        ),
      ),
    ).toContain(
      "compose/cluster.yaml: ab-router's REDIS_URL must be redis-cluster:// naming redis, redis-1, redis-2, redis-3, redis-4, redis-5",
    );
    expect(
      after((y) => y.replace('"--routes", "nats://nats:6222,nats://nats-2:6222"', '"--routes", "nats://nats:6222"')),
    ).toContain('compose/cluster.yaml: nats-1 does not route to nats, nats-2');
    expect(
      after((y) =>
        y.replace('  redis-5: { <<: *redis-node, volumes: [redis-5-data:/data] }\n', '').replace(',redis-5:6379', ''),
      ),
    ).toContain('compose/cluster.yaml: 5 Redis nodes; 3 masters with a replica each need 6');
  });

  it('notices a service that lost an engine address or a pinned image', () => {
    const problems = composeProblemsAfter((y) =>
      y.replace('    REDIS_URL: redis://redis:6379\n', '').replace('image: redis:7.4', 'image: redis:latest'),
    );
    expect(problems).toContain('compose: ingest lacks REDIS_URL');
    expect(problems).toContain('compose: redis image redis:latest is not pinned to a version');
  });

  it('issue 11: GetArtifact open in the manifests — notices GRPC_REQUIRE_AUTH off, and a client without its token', () => {
    const problems = composeProblemsAfter((y) =>
      y
        .replace('    GRPC_REQUIRE_AUTH: "true"\n', '')
        .replace('      INFERENCE_TRAINER_TOKEN: "${OMEN_ADMIN_TOKEN}"\n', ''),
    );
    expect(problems).toContain(
      'compose: trainer-coordinator must set GRPC_REQUIRE_AUTH=true (artifacts and predictions need a credential)',
    );
    expect(problems).toContain('compose: inference calls INFERENCE_TRAINER_ADDR without INFERENCE_TRAINER_TOKEN');
  });

  it('reads consumer groups from topics.yaml', () => {
    const consumers = consumersByTopic('topics:\n  - name: a.b.v1\n    consumers: [x, y]\n');
    expect(consumers.get('a.b.v1')).toEqual(['x', 'y']);
  });
});

describe('issue 15: KEDA scales on the group that consumes', () => {
  it('the deployed manifests as before issue 15 — stream off, earliest — are refused', () => {
    const problems = baseProblemsAfter((docs) => {
      const env = inferenceEnv(docs);
      env.splice(
        env.findIndex((e) => e['name'] === 'INFERENCE_STREAM'),
        1,
      );
      get(docs, 'ScaledObject', 'inference')['spec']['triggers'][0]['metadata']['offsetResetPolicy'] = 'earliest';
    });
    expect(problems).toContain(
      'deploy: ScaledObject inference scales on group inference, but inference does not consume (INFERENCE_STREAM is not true): the lag never falls',
    );
    expect(problems).toContain(
      'deploy: ScaledObject inference: offsetResetPolicy must be latest (earliest counts the whole log as lag of a group that never committed)',
    );
  });

  it('a group the service does not consume with is refused, also when the variable is left to its default', () => {
    const renamed = baseProblemsAfter((docs) => {
      inferenceEnv(docs).find((e) => e['name'] === 'INFERENCE_STREAM_GROUP')!['value'] = 'inference-v2';
    });
    expect(renamed).toContain(
      'deploy: ScaledObject inference scales on group inference of features.commits.v1, but inference consumes features.commits.v1 as group inference-v2',
    );
    // Unset: the service's own default (INFERENCE_STREAM_GROUP's in services/inference/src/config.ts) applies.
    const defaulted = baseProblemsAfter((docs) => {
      const env = inferenceEnv(docs);
      env.splice(
        env.findIndex((e) => e['name'] === 'INFERENCE_STREAM_GROUP'),
        1,
      );
    });
    expect(defaulted.filter((p) => p.includes('ScaledObject'))).toEqual([]);
  });

  it('more replicas than partitions, no activation threshold, no cooldown are refused', () => {
    const problems = baseProblemsAfter((docs) => {
      const so = get(docs, 'ScaledObject', 'inference');
      so['spec']['maxReplicaCount'] = 12;
      delete so['spec']['cooldownPeriod'];
      delete so['spec']['triggers'][0]['metadata']['activationLagThreshold'];
    });
    expect(problems).toContain(
      'deploy: ScaledObject inference: maxReplicaCount 12 exceeds the 6 partitions of features.commits.v1 (the extra pods would idle)',
    );
    expect(problems).toContain('deploy: ScaledObject inference sets no cooldownPeriod');
    expect(problems).toContain('deploy: ScaledObject inference has no activationLagThreshold');
    const hpa = baseProblemsAfter((docs) => {
      get(docs, 'HorizontalPodAutoscaler', 'featurizer')['spec']['maxReplicas'] = 7;
    });
    expect(hpa).toContain(
      'deploy: HorizontalPodAutoscaler featurizer: maxReplicas 7 exceeds the 6 partitions of scm.commits.v1 (the extra pods would idle)',
    );
  });

  it('compose runs the stream too', () => {
    const problems = composeProblemsAfter((y) => y.replace('      INFERENCE_STREAM: "true"\n', ''));
    expect(problems).toContain(
      "compose: inference must set INFERENCE_STREAM=true (its stream is the deployment's work)",
    );
  });
});

describe('safe by default', () => {
  it('refuses a pod without its security context, a blocking PDB, no default deny, no HPA, plain-text webhooks', () => {
    const problems = baseProblemsAfter((docs) => {
      const pod = get(docs, 'Deployment', 'drift-detector')['spec']['template']['spec'];
      delete pod['securityContext'];
      pod['containers'][0]['securityContext']['capabilities'] = { add: ['NET_ADMIN'] };
      get(docs, 'PodDisruptionBudget', 'inference')['spec'] = {
        minAvailable: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'inference' } },
      };
      docs.splice(docs.indexOf(get(docs, 'NetworkPolicy', 'default-deny')), 1);
      docs.splice(docs.indexOf(get(docs, 'HorizontalPodAutoscaler', 'featurizer')), 1);
      delete get(docs, 'Ingress', 'ingest-webhooks')['spec']['tls'];
      const ingestEnv: Obj[] = get(docs, 'Deployment', 'ingest')['spec']['template']['spec']['containers'][0]['env'];
      ingestEnv.find((e) => e['name'] === 'INGEST_PSEUDONYM_KEY')!['valueFrom'] = undefined;
      ingestEnv.find((e) => e['name'] === 'INGEST_PSEUDONYM_KEY')!['value'] = 'a-literal-key-in-the-repo';
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'deploy: Deployment drift-detector: pod must set runAsNonRoot: true',
        'deploy: Deployment drift-detector: pod must use seccompProfile RuntimeDefault',
        'deploy: Deployment drift-detector: container drift-detector must drop ALL capabilities',
        'deploy: PodDisruptionBudget inference uses minAvailable, which blocks drains at one replica; use maxUnavailable: 1',
        'deploy: no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)',
        'deploy: featurizer has no HorizontalPodAutoscaler on CPU',
        'deploy: Ingress ingest-webhooks has no TLS',
        'deploy: ingest has INGEST_PSEUDONYM_KEY as a literal; take it from a Secret',
        'deploy: ingest must take INGEST_PSEUDONYM_KEY from a Secret (secretKeyRef)',
      ]),
    );
  });

  it('keeps the SCM credentials of scm-checks in a Secret and its calls to inference authenticated', () => {
    const problems = baseProblemsAfter((docs) => {
      const env: Obj[] = get(docs, 'Deployment', 'scm-checks')['spec']['template']['spec']['containers'][0]['env'];
      const gitlab = env.find((e) => e['name'] === 'GITLAB_TOKEN')!;
      delete gitlab['valueFrom'];
      gitlab['value'] = 'glpat-in-the-repo';
      env.splice(
        env.findIndex((e) => e['name'] === 'INFERENCE_TOKEN'),
        1,
      );
      docs.splice(docs.indexOf(get(docs, 'Service', 'scm-checks')), 1);
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'deploy: scm-checks has GITLAB_TOKEN as a literal; take it from a Secret',
        'deploy: scm-checks must take GITLAB_TOKEN from a Secret (secretKeyRef)',
        'deploy: scm-checks calls INFERENCE_ADDR without INFERENCE_TOKEN',
        'deploy: Service scm-checks is missing',
      ]),
    );
    expect(
      composeProblemsAfter((y) =>
        y.replace(/\n  scm-checks:\n[\s\S]*?GITLAB_TOKEN: "\$\{OMEN_GITLAB_TOKEN:-\}"\n/, '\n'),
      ),
    ).toContain('compose: service scm-checks is missing');
  });

  it('the CPU base is not the GPU deployment', () => {
    const problems = baseProblemsAfter(() => undefined, 'gpu');
    expect(problems).toContain('deploy: inference requests no GPU (limits nvidia.com/gpu)');
    expect(problems).toContain('deploy: GPU inference must run with runtimeClassName nvidia');
    expect(problems).toContain('deploy: GPU inference must set INFERENCE_EXECUTION_PROVIDERS=cuda,cpu');
  });
});

describe('the Dockerfile builds what the manifests run', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  it('has a CUDA target that installs the CUDA provider, and a CPU default', () => {
    expect(checkDockerfile(dockerfile)).toEqual([]);
    const noCuda = dockerfile.replace(/ && test -f "\$ORT\/bin[^\n]*\n/, '\n').replace(' AS cuda\n', ' AS gpu\n');
    expect(checkDockerfile(noCuda)).toEqual([
      'Dockerfile: no "cuda" target (deploy/overlays/gpu runs it)',
      "Dockerfile: no stage installs onnxruntime-node's CUDA provider and checks the library is there",
    ]);
  });

  it('copies the pnpm patches before installing', () => {
    expect(checkDockerfile(dockerfile.replace(/^COPY patches .*\n/m, ''))).toEqual([
      'Dockerfile: stage deps runs pnpm install without COPY patches before it',
    ]);
  });
});

describe('rendered manifests against the Kubernetes, KEDA and Prometheus Operator schemas', () => {
  for (const { dir } of DEPLOY_VARIANTS) {
    it(`${dir}: every object is valid, with no unknown field`, async () => {
      const docs = kustomize(join(root, dir));
      expect(docs.length).toBeGreaterThan(20);
      expect(await validateObjects(docs)).toEqual([]);
    });
  }

  it('the GPU overlay changes inference only, onto the CUDA image and a GPU', () => {
    const base = kustomize(join(root, 'deploy/base'));
    const gpu = kustomize(join(root, 'deploy/overlays/gpu'));
    const changed = gpu
      .filter((o) => JSON.stringify(o) !== JSON.stringify(base.find((b) => objectId(b) === objectId(o))))
      .map(objectId);
    expect(changed).toEqual(['Deployment omen/inference']);
    const pod = (gpu.find((o) => objectId(o) === 'Deployment omen/inference') as Obj)['spec']['template']['spec'];
    expect(pod['runtimeClassName']).toBe('nvidia');
    expect(pod['containers'][0]['image']).toBe('ghcr.io/omen-mlops/omen:0.1.0-cuda');
    expect(pod['containers'][0]['resources']['limits']['nvidia.com/gpu']).toBe(1);
  });

  it('schema errors, unknown fields and unknown kinds are reported', async () => {
    const docs = structuredClone(kustomize(join(root, 'deploy/base'))) as Obj[];
    const deployment = get(docs, 'Deployment', 'ingest');
    deployment['spec']['replica'] = 3;
    deployment['spec']['template']['spec']['containers'][0]['securityContext']['runAsNonRoot'] = 'yes';
    const so = get(docs, 'ScaledObject', 'inference');
    so['spec']['maxReplicaCount'] = 'six';
    so['spec']['triggers'][0]['metdata'] = {};
    const problems = await validateObjects([
      deployment,
      so,
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
    ]);
    expect(problems).toEqual([
      'Deployment omen/ingest: /spec/template/spec/containers/0/securityContext/runAsNonRoot fails type {"type":"boolean"}',
      'Deployment omen/ingest: /spec/replica is not a field of Deployment (kubectl apply would refuse it)',
      'ScaledObject omen/inference: /spec/maxReplicaCount fails type {"type":"integer"}',
      'ScaledObject omen/inference: /spec/triggers/0/metdata is not a field of ScaledObject (kubectl apply would refuse it)',
      'Widget w: no schema known for example.com/v1 Widget (add its package to packages/manifests/src/schemas.ts)',
    ]);
  });

  it('compose is checked against the Compose Specification', () => {
    const problems = composeProblemsAfter((y) =>
      y
        .replace('  restart: unless-stopped\n', '  restart: unless-stopped\n  restrat: always\n')
        .replace('    command: ["-js"', '    commands: ["-js"'),
    );
    expect(problems).toContain('compose: /services/ingest must NOT have additional properties (restrat)');
    expect(problems).toContain('compose: /services/nats must NOT have additional properties (commands)');
  });
});

describe('the kustomize renderer', () => {
  it('applies RFC 6902 operations and refuses a failed test', () => {
    const doc = { a: { b: [1, 2] }, c: 'x' };
    expect(
      applyJsonPatch(doc, [
        { op: 'add', path: '/a/b/-', value: 3 },
        { op: 'replace', path: '/c', value: 'y' },
        { op: 'add', path: '/a/d~1e', value: 1 },
        { op: 'remove', path: '/a/b/0' },
      ]),
    ).toEqual({ a: { b: [2, 3], 'd/e': 1 }, c: 'y' });
    expect(doc).toEqual({ a: { b: [1, 2] }, c: 'x' });
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/c', value: 'z' }])).toThrow('expected "z", found "x"');
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope', value: 1 }])).toThrow('nothing there');
  });

  // kubectl carries the real kustomize; where it is installed, both must render the same objects.
  const kubectl = (() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  for (const { dir } of DEPLOY_VARIANTS) {
    it.skipIf(!kubectl)(`${dir}: renders what kubectl kustomize renders (skipped without kubectl)`, () => {
      const real = parseAllDocuments(execFileSync('kubectl', ['kustomize', join(root, dir)], { encoding: 'utf8' })).map(
        (d) => d.toJSON() as K8sObject,
      );
      const ours = kustomize(join(root, dir));
      const byId = (list: K8sObject[]) => Object.fromEntries(list.map((o) => [objectId(o), o]));
      expect(byId(ours)).toEqual(byId(real));
    });
  }
});
