import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { objectId, text, type K8sObject } from './kustomize.ts';

/**
 * Every rendered object validated against the schema of its kind, offline: the Kubernetes
 * OpenAPI schemas (kubernetes-models) and the CRDs of KEDA and the Prometheus Operator
 * (@kubernetes-models/keda, @kubernetes-models/prometheus-operator), compiled validators all.
 *
 * Those schemas, like the API server's OpenAPI, do not forbid unknown fields; the API server
 * does (kubectl apply's default strict field validation). So the validators run on a proxy
 * that records which fields the schema looked at: a field it never read is one the schema does
 * not know (a typo, or a field at the wrong level), and is reported as kubectl would.
 */

const require = createRequire(import.meta.url);

/** Schema module prefix per API group (the part of apiVersion before the slash; '' is core). */
const GROUPS: Readonly<Record<string, { pkg: string; prefix: (version: string) => string }>> = {
  '': { pkg: 'kubernetes-models', prefix: (v) => `IoK8sApiCore${cap(v)}` },
  apps: { pkg: 'kubernetes-models', prefix: (v) => `IoK8sApiApps${cap(v)}` },
  batch: { pkg: 'kubernetes-models', prefix: (v) => `IoK8sApiBatch${cap(v)}` },
  policy: { pkg: 'kubernetes-models', prefix: (v) => `IoK8sApiPolicy${cap(v)}` },
  autoscaling: { pkg: 'kubernetes-models', prefix: (v) => `IoK8sApiAutoscaling${cap(v)}` },
  'networking.k8s.io': { pkg: 'kubernetes-models', prefix: (v) => `IoK8sApiNetworking${cap(v)}` },
  'rbac.authorization.k8s.io': { pkg: 'kubernetes-models', prefix: (v) => `IoK8sApiRbac${cap(v)}` },
  'node.k8s.io': { pkg: 'kubernetes-models', prefix: (v) => `IoK8sApiNode${cap(v)}` },
  'keda.sh': { pkg: '@kubernetes-models/keda', prefix: (v) => `ComGithubKedacoreKedaV2ApisKeda${cap(v)}` },
  'monitoring.coreos.com': {
    pkg: '@kubernetes-models/prometheus-operator',
    prefix: (v) => `ComGithubPrometheusOperatorPrometheusOperatorPkgApisMonitoring${cap(v)}`,
  },
};

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

interface AjvError {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}
type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

const cache = new Map<string, Promise<ValidateFn | undefined>>();

async function loadValidator(apiVersion: string, kind: string): Promise<ValidateFn | undefined> {
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  const g = GROUPS[group];
  if (!g) return undefined;
  const file = join(dirname(require.resolve(`${g.pkg}/package.json`)), '_schemas', `${g.prefix(version)}${kind}.js`);
  try {
    const mod = (await import(pathToFileURL(file).href)) as { validate: ValidateFn };
    return mod.validate;
  } catch {
    return undefined;
  }
}

function validatorFor(apiVersion: string, kind: string): Promise<ValidateFn | undefined> {
  const key = `${apiVersion} ${kind}`;
  let v = cache.get(key);
  if (!v) {
    v = loadValidator(apiVersion, kind);
    cache.set(key, v);
  }
  return v;
}

/** A deep copy of `value` whose objects record, in `seen`, every property read from them. */
function recording(value: unknown, seen: WeakMap<object, Set<string>>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const target: Record<string, unknown> | unknown[] = Array.isArray(value)
    ? value.map((v) => recording(v, seen))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, recording(v, seen)]));
  if (Array.isArray(target)) return target;
  const keys = new Set<string>();
  seen.set(value, keys);
  const proxy = new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === 'string') keys.add(key);
      return Reflect.get(t, key, receiver) as unknown;
    },
    // A schema that allows any property (a map, or preserve-unknown-fields) lists the keys: all known.
    ownKeys(t) {
      for (const k of Object.keys(t)) keys.add(k);
      return Reflect.ownKeys(t);
    },
  });
  return proxy;
}

function unknownFields(value: unknown, seen: WeakMap<object, Set<string>>, path: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => unknownFields(v, seen, `${path}/${i}`, out));
    return;
  }
  const read = seen.get(value);
  for (const [k, v] of Object.entries(value)) {
    if (read && !read.has(k)) out.push(`${path}/${k}`);
    else unknownFields(v, seen, `${path}/${k}`, out);
  }
}

/** Problems of one object against its kind's schema: schema errors and unknown fields. */
export async function validateObject(obj: K8sObject): Promise<string[]> {
  const id = objectId(obj);
  const apiVersion = text(obj['apiVersion']);
  const kind = text(obj['kind']);
  const validate = await validatorFor(apiVersion, kind);
  if (!validate)
    return [`${id}: no schema known for ${apiVersion} ${kind} (add its package to packages/manifests/src/schemas.ts)`];
  const seen = new WeakMap<object, Set<string>>();
  const data = recording(obj, seen);
  const problems: string[] = [];
  if (!validate(data)) {
    for (const e of validate.errors ?? []) {
      const extra =
        e.keyword === 'required'
          ? ` (${String(e.params['missingProperty'])})`
          : e.keyword === 'enum'
            ? ` (${JSON.stringify(e.params['allowedValues'])})`
            : '';
      problems.push(
        `${id}: ${e.instancePath || '/'} ${e.message ?? `fails ${e.keyword} ${JSON.stringify(e.params)}`}${extra}`,
      );
    }
  }
  const unknown: string[] = [];
  unknownFields(obj, seen, '', unknown);
  for (const p of unknown) problems.push(`${id}: ${p} is not a field of ${kind} (kubectl apply would refuse it)`);
  return problems;
}

export async function validateObjects(objects: readonly K8sObject[]): Promise<string[]> {
  return (await Promise.all(objects.map(validateObject))).flat();
}
