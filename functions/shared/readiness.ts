// Readiness of a composed resource, from its observed state only. Crossplane
// marks an XR Ready when every composed resource is; we decide per kind, so
// the XR does not depend on function-auto-ready.
import type { DesiredResource, KubeObject, ObservedObject } from './composition.js';
import { record } from './observed.js';

type Condition = { type?: unknown; status?: unknown; reason?: unknown; message?: unknown };

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** The conditions of an object's status, as an array (empty when there are none). */
export function conditionsOf(object: ObservedObject | undefined): Condition[] {
  const conditions = record(record(object).status).conditions;
  return Array.isArray(conditions) ? (conditions as Condition[]) : [];
}

/** Whether the object has a condition of this type with status "True". */
export function hasTrueCondition(object: ObservedObject | undefined, type: string): boolean {
  return conditionsOf(object).some((c) => c.type === type && c.status === 'True');
}

/** The condition of this type, when present. */
export function findCondition(object: ObservedObject | undefined, type: string): Condition | undefined {
  return conditionsOf(object).find((c) => c.type === type);
}

/** The controller has seen the latest spec: status.observedGeneration caught up with metadata.generation. */
function generationObserved(object: ObservedObject): boolean {
  const generation = num(record(object.metadata).generation);
  const observed = record(object.status).observedGeneration;
  return generation === 0 || observed === undefined || num(observed) >= generation;
}

function deploymentReady(object: ObservedObject): boolean {
  const spec = record(object.spec);
  const status = record(object.status);
  const want = spec.replicas === undefined ? 1 : num(spec.replicas);
  return (
    generationObserved(object) &&
    num(status.updatedReplicas) >= want &&
    num(status.availableReplicas) >= want &&
    num(status.replicas) <= want
  );
}

function daemonSetReady(object: ObservedObject): boolean {
  const status = record(object.status);
  const desired = num(status.desiredNumberScheduled);
  return (
    generationObserved(object) &&
    status.desiredNumberScheduled !== undefined &&
    num(status.updatedNumberScheduled) >= desired &&
    num(status.numberAvailable) >= desired
  );
}

/**
 * A Job is ready once it completed; a failed Job is never ready. A Job that
 * runs no Pod (parallelism 0) only counts time (a testing instance's
 * lifetime): it is in place once it exists.
 */
function jobReady(object: ObservedObject): boolean {
  return record(object.spec).parallelism === 0 || hasTrueCondition(object, 'Complete');
}

function pvcReady(object: ObservedObject): boolean {
  return record(object.status).phase === 'Bound';
}

/** An HTTPRoute is ready when every Gateway it attaches to accepted it and resolved its backends. */
function httpRouteReady(object: ObservedObject): boolean {
  const parents = record(object.status).parents;
  if (!Array.isArray(parents) || parents.length === 0) return false;
  return parents.every((parent) => {
    const wrapped = { status: record(parent) };
    return hasTrueCondition(wrapped, 'Accepted') && hasTrueCondition(wrapped, 'ResolvedRefs');
  });
}

/** Kinds that have nothing to wait for: they work as soon as the API server stored them. */
const READY_WHEN_PRESENT = new Set([
  'ConfigMap',
  'Secret',
  'Service',
  'NetworkPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'ClusterProviderConfig',
  'ProviderConfig',
  'HorizontalPodAutoscaler',
  'ReferenceGrant',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  // A schedule: each run is a Job of its own, judged by the backup condition, not by the CronJob's readiness.
  'CronJob',
]);

/**
 * Whether an observed composed resource is ready. Crossplane managed
 * resources (provider-sql) and Usages report a Ready condition; Kubernetes
 * kinds are judged by their own status fields.
 */
export function isReady(observed: ObservedObject | undefined): boolean {
  if (observed === undefined) return false;
  const kind = typeof observed.kind === 'string' ? observed.kind : '';
  switch (kind) {
    case 'Deployment':
      return deploymentReady(observed);
    case 'DaemonSet':
      return daemonSetReady(observed);
    case 'Job':
      return jobReady(observed);
    case 'PersistentVolumeClaim':
      return pvcReady(observed);
    case 'HTTPRoute':
      return httpRouteReady(observed);
    default:
      if (READY_WHEN_PRESENT.has(kind)) return true;
      return hasTrueCondition(observed, 'Ready');
  }
}

/** Desired resources, each marked ready when its observed counterpart (same key) is. */
export function withObservedReadiness(
  objects: readonly { key: string; object: KubeObject }[],
  observed: Readonly<Record<string, ObservedObject>>,
): DesiredResource[] {
  return objects.map(({ key, object }) => ({ key, object, ready: isReady(observed[key]) }));
}
