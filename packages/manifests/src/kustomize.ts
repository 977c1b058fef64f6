import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/**
 * The subset of kustomize that deploy/ uses, rendered in-process so the unit tests validate what
 * `kubectl apply -k` would send. Own code because no npm package renders kustomize offline: the
 * registry has no JavaScript implementation of it, and the Go binary (kustomize, or kubectl's
 * embedded copy) is not installable on a fresh machine from the registries CI reaches. When kubectl
 * is on the machine the tests compare this renderer's output with `kubectl kustomize`, object by
 * object, so the two cannot drift apart silently.
 *
 * Supported: `resources` (files and directories holding a kustomization), `namespace`, `images`
 * (newName, newTag, digest) and `patches` with a `target` and an inline or file RFC 6902 JSON
 * patch (add, remove, replace, test). Any other field is an error, never ignored.
 */

export type K8sObject = Record<string, unknown>;

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);

/** Kinds kustomize's namespace transformer leaves alone (cluster-scoped), as far as deploy/ can use them. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'RuntimeClass',
  'PriorityClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'ClusterTriggerAuthentication',
]);

export class KustomizeError extends Error {}

/** A scalar field as text ('' for anything else). */
export const text = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';

const rec = (v: unknown): K8sObject =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as K8sObject) : {};

function kustomizationFile(dir: string): string {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new KustomizeError(`${dir}: no kustomization.yaml`);
}

function readObjects(path: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
    if (doc.errors.length > 0) throw new KustomizeError(`${path}: ${doc.errors[0]!.message}`);
    const value = doc.toJSON() as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value))
      throw new KustomizeError(`${path}: a document is not a Kubernetes object`);
    out.push(value as K8sObject);
  }
  return out;
}

// --- RFC 6902 on plain JSON values ---------------------------------------------------------------

interface Op {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new KustomizeError(`JSON pointer ${path} must start with /`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, tokens: string[], path: string): { parent: unknown; key: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (cur !== null && typeof cur === 'object') cur = (cur as K8sObject)[t];
    else cur = undefined;
    if (cur === undefined) throw new KustomizeError(`patch path ${path}: ${t} does not exist`);
  }
  return { parent: cur, key: tokens[tokens.length - 1] ?? '' };
}

export function applyJsonPatch(doc: K8sObject, ops: readonly Op[]): K8sObject {
  const out = structuredClone(doc);
  for (const o of ops) {
    const tokens = pointer(o.path);
    if (tokens.length === 0) throw new KustomizeError(`patch op ${o.op} on the whole document is not supported`);
    const { parent, key } = parentOf(out, tokens, o.path);
    const isArray = Array.isArray(parent);
    const index = key === '-' ? (isArray ? (parent as unknown[]).length : -1) : Number(key);
    if (isArray && !(Number.isInteger(index) && index >= 0 && index <= (parent as unknown[]).length))
      throw new KustomizeError(`patch path ${o.path}: bad array index ${key}`);
    const obj = parent as K8sObject;
    const arr = parent as unknown[];
    const has = isArray ? index < arr.length : Object.hasOwn(obj, key);
    switch (o.op) {
      case 'add':
        if (isArray) arr.splice(index, 0, structuredClone(o.value));
        else obj[key] = structuredClone(o.value);
        break;
      case 'replace':
        if (!has) throw new KustomizeError(`patch replace ${o.path}: nothing there`);
        if (isArray) arr[index] = structuredClone(o.value);
        else obj[key] = structuredClone(o.value);
        break;
      case 'remove':
        if (!has) throw new KustomizeError(`patch remove ${o.path}: nothing there`);
        if (isArray) arr.splice(index, 1);
        else delete obj[key];
        break;
      case 'test': {
        const actual = isArray ? arr[index] : obj[key];
        if (JSON.stringify(actual) !== JSON.stringify(o.value))
          throw new KustomizeError(
            `patch test ${o.path}: expected ${JSON.stringify(o.value)}, found ${JSON.stringify(actual)}`,
          );
        break;
      }
      default:
        throw new KustomizeError(`patch op ${o.op} is not supported by this renderer`);
    }
  }
  return out;
}

// --- transformers ---------------------------------------------------------------------------------

function matchesTarget(obj: K8sObject, target: K8sObject): boolean {
  const apiVersion = text(obj['apiVersion']);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const meta = rec(obj['metadata']);
  const checks: [unknown, unknown][] = [
    [target['group'], group],
    [target['version'], version],
    [target['kind'], obj['kind']],
    [target['name'], meta['name']],
    [target['namespace'], meta['namespace']],
  ];
  for (const [want, have] of checks) if (want !== undefined && want !== have) return false;
  return true;
}

function containersOf(obj: K8sObject): K8sObject[] {
  const spec = rec(obj['spec']);
  const pod =
    obj['kind'] === 'Pod'
      ? spec
      : obj['kind'] === 'CronJob'
        ? rec(rec(rec(rec(spec['jobTemplate'])['spec'])['template'])['spec'])
        : rec(rec(spec['template'])['spec']);
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
  return [...list(pod['containers']), ...list(pod['initContainers'])].map(rec);
}

function setImages(obj: K8sObject, images: readonly K8sObject[]): void {
  for (const c of containersOf(obj)) {
    const image = text(c['image']);
    const name = image.split('@')[0]!.replace(/:[^/:]*$/, '');
    const rule = images.find((i) => i['name'] === name);
    if (!rule) continue;
    const newName = typeof rule['newName'] === 'string' ? rule['newName'] : name;
    if (typeof rule['digest'] === 'string') c['image'] = `${newName}@${rule['digest']}`;
    else if (rule['newTag'] !== undefined) c['image'] = `${newName}:${text(rule['newTag'])}`;
    else c['image'] = image.replace(name, newName);
  }
}

/** Renders the kustomization in `dir` (recursively through its resources). */
export function kustomize(dir: string): K8sObject[] {
  const file = kustomizationFile(dir);
  const k = rec(parse(readFileSync(file, 'utf8')));
  for (const field of Object.keys(k)) {
    if (!SUPPORTED.has(field))
      throw new KustomizeError(
        `${file}: field ${field} is not supported by this renderer (packages/manifests/src/kustomize.ts)`,
      );
  }
  let objects: K8sObject[] = [];
  for (const entry of (Array.isArray(k['resources']) ? k['resources'] : []).map(String)) {
    const path = resolve(dir, entry);
    if (!existsSync(path)) throw new KustomizeError(`${file}: resource ${entry} does not exist`);
    objects.push(...(statSync(path).isDirectory() ? kustomize(path) : readObjects(path)));
  }
  for (const p of (Array.isArray(k['patches']) ? k['patches'] : []).map(rec)) {
    const target = rec(p['target']);
    if (Object.keys(target).length === 0)
      throw new KustomizeError(`${file}: a patch without a target is not supported by this renderer`);
    const text =
      typeof p['patch'] === 'string'
        ? p['patch']
        : typeof p['path'] === 'string'
          ? readFileSync(resolve(dir, p['path']), 'utf8')
          : undefined;
    if (text === undefined) throw new KustomizeError(`${file}: a patch needs "patch" or "path"`);
    const ops = parse(text) as unknown;
    if (!Array.isArray(ops))
      throw new KustomizeError(`${file}: only RFC 6902 (list of operations) patches are supported by this renderer`);
    let matched = 0;
    objects = objects.map((o) => {
      if (!matchesTarget(o, target)) return o;
      matched++;
      return applyJsonPatch(o, ops as Op[]);
    });
    if (matched === 0) throw new KustomizeError(`${file}: patch target ${JSON.stringify(target)} matches no resource`);
  }
  if (typeof k['namespace'] === 'string') {
    for (const o of objects) {
      if (CLUSTER_SCOPED.has(text(o['kind']))) continue;
      o['metadata'] = { ...rec(o['metadata']), namespace: k['namespace'] };
    }
  }
  const images = (Array.isArray(k['images']) ? k['images'] : []).map(rec);
  if (images.length > 0) for (const o of objects) setImages(o, images);
  const seen = new Set<string>();
  for (const o of objects) {
    const id = objectId(o);
    if (seen.has(id)) throw new KustomizeError(`${file}: ${id} is defined twice`);
    seen.add(id);
  }
  return objects;
}

/** `Kind namespace/name`, how the tests and problems name an object. */
export function objectId(o: K8sObject): string {
  const meta = rec(o['metadata']);
  return `${text(o['kind'])} ${typeof meta['namespace'] === 'string' ? `${meta['namespace']}/` : ''}${text(meta['name'])}`;
}
