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

/** Response TTLs. Steady XRs are still re-run on every change of a composed resource. */
export const TTL = {
  steady: 600,
  transitioning: 15,
} as const;

/** A composer's answer: what to compose, or why the XR cannot be composed at all (a Fatal result). */
export type ComposeOutcome = { kind: 'fatal'; message: string } | { kind: 'composed'; composed: Composed };
