// What a composer returns: plain data, no SDK types. compose.ts turns it into
// a RunFunctionResponse. Keeping composers free of the SDK keeps them pure
// and testable with whole-object equality.

/** A Kubernetes object as we compose it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** An observed composed resource or required resource, as Crossplane sends it. */
export type ObservedObject = Record<string, unknown>;

/** A composed resource: its key in desired state, the object and whether we observed it ready. */
export interface DesiredResource {
  /** Key in rsp.desired.resources; stable across reconciles, unique within the XR. */
  key: string;
  object: KubeObject;
  ready: boolean;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A condition a person should see on the XR. */
export interface XrCondition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** A resource the composer needs Crossplane to fetch for it, by name or labels. */
export interface RequiredSelector {
  apiVersion: string;
  kind: string;
  matchName?: string;
  matchLabels?: Record<string, string>;
  namespace?: string;
}

export interface Composed {
  resources: DesiredResource[];
  /** Fields written into the XR's status (our schema's status, never conditions). */
  status: Record<string, unknown>;
  conditions: XrCondition[];
  /** Spec fields to fix that did not stop composition; a composer also shows them in its status, and each is told as an event once. */
  warnings: string[];
  /** Resources this composer wants on the next call. */
  requirements: Record<string, RequiredSelector>;
  /** How soon Crossplane should call again: short while something changes, long when steady. */
  ttlSeconds: number;
}

/**
 * Response TTLs. Crossplane calls again on every change of a composed
 * resource (realtime composition), so a step moved by its own Jobs,
 * Deployments or managed resources needs no short TTL: the watch brings the
 * next call. Only what Crossplane does not watch for this XR — another XR
 * (a copy's source, the Tenant's routes, an Instance a Tenant waits for) —
 * needs asking again soon. The watched TTL is a safety net: Crossplane's
 * circuit breaker drops the events of an XR that had too many.
 */
export const TTL = {
  steady: 600,
  watched: 60,
  awaitingOthers: 15,
  /**
   * Downtime: web and cron of an instance that ran held at 0 for a step, its
   * users waiting (the maintenance page). The watch brings the next call at
   * once while Crossplane's circuit breaker is closed, but its 100 tokens go
   * in one upgrade (each update of a composed object costs two: the old and
   * the new object), and for the 5 minutes it then stays open it hears the
   * XR once per 30 s. A TTL's requeue does not go through the breaker.
   */
  customerWaiting: 10,
} as const;

/**
 * The steady TTL only once every composed resource is ready: a resource
 * still becoming ready (a cron Deployment created once the Tenant routes its
 * instance) is watched, but its one event can fall into an open circuit
 * breaker, and the XR would stay unready for the steady TTL (seen in the
 * SaaS load: four production instances unready for ten minutes). Jobs do
 * not count: a running one is a lifecycle step with its own TTL, and a
 * failed one waits for a person, not for a clock.
 */
export function settledTtl(ttlSeconds: number, resources: readonly DesiredResource[]): number {
  return resources.every((r) => r.ready || r.object.kind === 'Job') ? ttlSeconds : Math.min(ttlSeconds, TTL.watched);
}

/** A composer's answer: what to compose, or why the XR cannot be composed at all (a Fatal result). */
export type ComposeOutcome = { kind: 'fatal'; message: string } | { kind: 'composed'; composed: Composed };
