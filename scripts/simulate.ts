// Plays the cluster's part for scenarios and tests: turns the objects the
// function desired into what Kubernetes, provider-sql and a Gateway would
// report back (observed state), according to a few stated facts: is the
// database ready, how did each lifecycle Job end, do Pods run. Used to build
// scenario folders as sequences of observed states, never at run time.
import { to, RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { compose } from '../functions/compose.js';

export type JobOutcome = 'running' | 'complete' | 'failed';

export interface Facts {
  /** provider-sql role, database and extensions report Ready (default true). */
  databaseReady?: boolean;
  /** How each lifecycle Job ended, by step label (init, init-sql, copy, neutralize, backup, upgrade, migrate, test); default complete. */
  jobs?: Record<string, JobOutcome>;
  /** Deployments have as many available Pods as they ask for (default true). */
  podsReady?: boolean;
  /** Deployments whose Pods are not ready gave up: past their progress deadline. */
  rolloutStalled?: boolean;
  /** Why failed Jobs failed (the Job controller's reason; default BackoffLimitExceeded). */
  jobFailure?: 'BackoffLimitExceeded' | 'DeadlineExceeded';
  /** Gateways accepted the routes (default true). */
  routesAccepted?: boolean;
  /** A testing instance's lifetime Job ran past its activeDeadlineSeconds (default false). */
  lifetimeOver?: boolean;
  /** Composed resources a person (or a cleanup) deleted since the last call, by resource name: Crossplane observes them absent. */
  deleted?: readonly string[];
}

type Obj = Record<string, any>;

const READY = [{ type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: '2026-01-01T00:00:00Z' }];
const SYNCED = { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: '2026-01-01T00:00:00Z' };

function observedStatus(object: Obj, facts: Facts): Obj | undefined {
  switch (object.kind) {
    case 'Role':
    case 'Database':
    case 'Extension':
      return facts.databaseReady === false
        ? { conditions: [{ type: 'Ready', status: 'False', reason: 'Creating', lastTransitionTime: '2026-01-01T00:00:00Z' }, SYNCED] }
        : { conditions: [...READY, SYNCED] };
    case 'PersistentVolumeClaim':
      return { phase: 'Bound', accessModes: object.spec.accessModes, capacity: { storage: object.spec.resources.requests.storage } };
    case 'Deployment': {
      const replicas = object.spec.replicas ?? 1;
      const ready = facts.podsReady === false ? 0 : replicas;
      // As the Deployment controller reports a rollout: complete once every Pod of the template is available.
      const replicaSet = `${object.metadata.name}-5d8f7c9b4`;
      const progressing =
        ready === replicas
          ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${replicaSet}" has successfully progressed.` }
          : facts.rolloutStalled
            ? { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${replicaSet}" has timed out progressing.` }
            : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${replicaSet}" is progressing.` };
      return {
        observedGeneration: 1,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: ready,
        availableReplicas: ready,
        conditions: [{ ...progressing, lastTransitionTime: '2026-01-01T00:00:00Z', lastUpdateTime: '2026-01-01T00:00:00Z' }],
      };
    }
    case 'DaemonSet':
      return { observedGeneration: 1, desiredNumberScheduled: 3, currentNumberScheduled: 3, updatedNumberScheduled: 3, numberReady: 3, numberAvailable: 3, numberMisscheduled: 0 };
    case 'Job': {
      const step = object.metadata.labels?.['odoo.io/lifecycle-step'];
      const at = '2026-01-01T00:00:00Z';
      // A Job that runs no Pod only counts time (a testing instance's lifetime): the Job controller fails it at its deadline.
      if (object.spec.parallelism === 0) {
        return facts.lifetimeOver
          ? { startTime: at, conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline', lastTransitionTime: at, lastProbeTime: at }] }
          : { startTime: at };
      }
      const outcome = facts.jobs?.[step] ?? 'complete';
      if (outcome === 'running') return { active: 1, startTime: at };
      if (outcome === 'failed') {
        const reason = facts.jobFailure ?? 'BackoffLimitExceeded';
        const message = reason === 'DeadlineExceeded' ? 'Job was active longer than specified deadline' : 'Job has reached the specified backoff limit';
        return { failed: 1, startTime: at, conditions: [{ type: 'Failed', status: 'True', reason, message, lastTransitionTime: at, lastProbeTime: at }] };
      }
      return { succeeded: 1, startTime: at, completionTime: at, conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: at, lastProbeTime: at }] };
    }
    case 'HTTPRoute':
      return {
        parents: object.spec.parentRefs.map((ref: Obj) => ({
          parentRef: ref,
          controllerName: 'example.org/gateway-controller',
          conditions: ['Accepted', 'ResolvedRefs'].map((type) => ({
            type,
            status: facts.routesAccepted === false ? 'False' : 'True',
            reason: facts.routesAccepted === false ? 'Pending' : type,
            message: '',
            observedGeneration: 1,
            lastTransitionTime: '2026-01-01T00:00:00Z',
          })),
        })),
      };
    default:
      return undefined;
  }
}

/** What the cluster holds after applying a response's desired resources, given the facts. */
export function observe(rsp: RunFunctionResponse, facts: Facts): Record<string, Obj> {
  const out: Record<string, Obj> = {};
  for (const [key, r] of Object.entries(rsp.desired?.resources ?? {})) {
    if (facts.deleted?.includes(key)) continue;
    const object = structuredClone(r.resource ?? {}) as Obj;
    object.metadata = {
      ...object.metadata,
      annotations: { ...object.metadata?.annotations, 'crossplane.io/composition-resource-name': key },
      generation: 1,
    };
    const status = observedStatus(object, facts);
    if (status !== undefined) object.status = status;
    out[key] = object;
  }
  return out;
}

/** Runs the function in-process, as one RunFunction call, with required resources matched like Crossplane does. */
const CONDITION_STATUS: Record<number, string> = { 0: 'Unknown', 1: 'Unknown', 2: 'True', 3: 'False' };

/**
 * The XR as Crossplane leaves it after a call: the status the function
 * desired, and its conditions (kept where the call returned none of a type).
 * A Fatal call changes nothing of the status.
 */
export function xrAfter(xr: Obj, rsp: RunFunctionResponse): Obj {
  if (rsp.results.some((r) => r.severity === 1)) return xr;
  const desired = ((rsp.desired?.composite?.resource ?? {}) as Obj).status ?? {};
  const before: Obj[] = xr.status?.conditions ?? [];
  const now = rsp.conditions.map((c) => ({ type: c.type, status: CONDITION_STATUS[c.status] ?? 'Unknown', reason: c.reason, ...(c.message ? { message: c.message } : {}), lastTransitionTime: '2026-01-01T00:00:00Z' }));
  const conditions = [...before.filter((c) => !now.some((n) => n.type === c.type)), ...now];
  return { ...xr, status: { ...desired, ...(conditions.length > 0 ? { conditions } : {}) } };
}

export async function runFunction(xr: Obj, observed: Record<string, Obj>, required: Obj[]): Promise<RunFunctionResponse> {
  return (await runFunctionWithRequest(xr, observed, required)).rsp;
}

/** As runFunction, also returning the last request (the one Crossplane's answer is taken from) and how many calls the reconcile took. */
/**
 * The Secrets provider-sql writes for the Roles it made (writeConnectionSecretToRef), with a
 * password of its own making: the cluster holds them beside what the test gives.
 */
export function connectionSecrets(observed: Record<string, Obj>): Obj[] {
  return Object.values(observed)
    .filter((o) => o.kind === 'Role' && o.spec?.writeConnectionSecretToRef?.name !== undefined)
    .filter((o) => (o.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True'))
    .map((o) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: o.spec.writeConnectionSecretToRef.name, namespace: o.metadata?.namespace },
      data: {
        username: Buffer.from(String(o.metadata?.annotations?.['crossplane.io/external-name'] ?? o.metadata?.name)).toString('base64'),
        password: Buffer.from(`provider-sql-password-of-${o.metadata?.name}`).toString('base64'),
      },
    }));
}

export async function runFunctionWithRequest(xr: Obj, observed: Record<string, Obj>, given: Obj[]): Promise<{ req: RunFunctionRequest; rsp: RunFunctionResponse; calls: number }> {
  const required = [...given, ...connectionSecrets(observed)];
  let last: RunFunctionRequest | undefined;
  let requiredResources: Record<string, { items: { resource: Obj; connectionDetails: Record<string, never>; ready: number }[] }> = {};
  let rsp: RunFunctionResponse | undefined;
  let asked: string | undefined;
  let calls = 0;
  // Crossplane calls again with the resources asked for, until a call asks for the same as the one before (proto.Equal).
  for (let i = 0; i <= 5; i++) {
    calls++;
    const req = RunFunctionRequest.fromPartial({
      observed: {
        composite: { resource: xr },
        resources: Object.fromEntries(Object.entries(observed).map(([k, v]) => [k, { resource: v }])),
      },
      desired: { resources: {} },
      requiredResources,
    });
    last = RunFunctionRequest.fromPartial(RunFunctionRequest.toJSON(req) as object);
    rsp = await compose(req, to(req) as Parameters<typeof compose>[1]);
    // A Fatal result ends the pipeline at once.
    if (rsp.results.some((r) => r.severity === 1)) break;
    const wanted = rsp.requirements?.resources ?? {};
    const askedNow = JSON.stringify(Object.entries(wanted).sort(([a], [b]) => a.localeCompare(b)));
    if (askedNow === asked) break;
    asked = askedNow;
    const next = Object.fromEntries(
      Object.entries(wanted).map(([name, sel]) => [
        name,
        {
          items: required
            .filter((o) => o.apiVersion === sel.apiVersion && o.kind === sel.kind)
            .filter((o) => sel.matchName === undefined || o.metadata?.name === sel.matchName)
            .filter((o) => sel.namespace === undefined || o.metadata?.namespace === undefined || o.metadata?.namespace === sel.namespace)
            .filter((o) => Object.entries(sel.matchLabels?.labels ?? {}).every(([k, v]) => o.metadata?.labels?.[k] === v))
            .map((resource) => ({ resource, connectionDetails: {}, ready: 0 })),
        },
      ]),
    );
    requiredResources = next;
  }
  return { req: last!, rsp: rsp!, calls };
}

/**
 * The Pod the Job controller left behind for a failed test Job, as the
 * kubelet reports it: the test container terminated with exit code 1 and the
 * termination message the Job's script wrote.
 */
export function failedTestPod(namespace: string, job: string, message: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${job}-x7k2p`, namespace, labels: { 'batch.kubernetes.io/job-name': job, 'job-name': job } },
    status: {
      phase: 'Failed',
      containerStatuses: [{ name: 'test', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error', message } } }],
    },
  };
}
