import { text, type K8sObject } from './kustomize.ts';

/**
 * The autoscaling rules of a rendered deployment, as the capacity simulation (`./scripts/omen
 * plan`) applies them: read from the manifests so the plan simulates what is deployed.
 */
export interface CpuRule {
  readonly kind: 'cpu';
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetUtilization: number;
  readonly podCores: number;
}
export interface LagRule {
  readonly kind: 'lag';
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly lagThreshold: number;
  readonly activationLag: number;
  readonly cooldownS: number;
  readonly podCores: number;
  readonly topic: string;
}
export type AutoscalingRule = CpuRule | LagRule;

const rec = (v: unknown): K8sObject =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as K8sObject) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);

/** Kubernetes CPU quantity ("2", "500m") in cores. */
export function cpuCores(quantity: unknown): number {
  const q = text(quantity);
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q);
  if (!m) throw new Error(`CPU quantity "${q}" is not cores or millicores`);
  return Number(m[1]) / (m[2] === 'm' ? 1000 : 1);
}

function podCores(docs: readonly K8sObject[], deployment: string): number {
  const d = docs.find((o) => o['kind'] === 'Deployment' && rec(o['metadata'])['name'] === deployment);
  const container = rec(arr(rec(rec(rec(d?.['spec'])['template'])['spec'])['containers'])[0]);
  return cpuCores(rec(rec(container['resources'])['requests'])['cpu']);
}

/** The HPA (on CPU) or KEDA (Kafka lag) rule of every scaled Deployment, by its name. */
export function autoscalingRules(docs: readonly K8sObject[]): Map<string, AutoscalingRule> {
  const rules = new Map<string, AutoscalingRule>();
  for (const d of docs) {
    const spec = rec(d['spec']);
    const target = text(rec(spec['scaleTargetRef'])['name']);
    if (d['kind'] === 'HorizontalPodAutoscaler') {
      const cpu = arr(spec['metrics'])
        .map(rec)
        .map((m) => rec(m['resource']))
        .find((r) => r['name'] === 'cpu');
      const utilization = Number(rec(cpu?.['target'])['averageUtilization']);
      if (!cpu || !(utilization > 0)) continue;
      rules.set(target, {
        kind: 'cpu',
        minReplicas: Number(spec['minReplicas'] ?? 1),
        maxReplicas: Number(spec['maxReplicas']),
        targetUtilization: utilization / 100,
        podCores: podCores(docs, target),
      });
    } else if (d['kind'] === 'ScaledObject') {
      const trigger = arr(spec['triggers'])
        .map(rec)
        .find((t) => t['type'] === 'kafka');
      if (!trigger) continue;
      const meta = rec(trigger['metadata']);
      rules.set(target, {
        kind: 'lag',
        minReplicas: Number(spec['minReplicaCount'] ?? 0),
        maxReplicas: Number(spec['maxReplicaCount'] ?? 100),
        lagThreshold: Number(text(meta['lagThreshold']) || 10),
        activationLag: Number(text(meta['activationLagThreshold']) || 0),
        cooldownS: Number(spec['cooldownPeriod'] ?? 300),
        podCores: podCores(docs, target),
        topic: text(meta['topic']),
      });
    }
  }
  return rules;
}
