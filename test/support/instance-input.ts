// An Instance's context, settings and lifecycle input built from the example
// objects the way composeInstance builds them, for tests that call one
// composer directly with an observed state they write by hand.
import { resolveContext, type InstanceContext } from '../../functions/instance/context.js';
import { jobKey, STOPPING_PODS, WORKLOAD_KEYS, type LifecycleInput } from '../../functions/instance/lifecycle.js';
import { instanceResource, type Instance } from '../../functions/instance/schema.js';
import { instanceSettings, type InstanceSettings } from '../../functions/instance/settings.js';
import type { KubeObject, ObservedObject } from '../../functions/shared/composition.js';
import { example, requiredObjects, type Obj } from './world.js';

export interface InstanceFixture {
  instance: Instance;
  context: InstanceContext;
  settings: InstanceSettings;
}

/** The example Instance of a type (instance-<type>.yaml) in namespace acme, with edits, resolved against examples/required.yaml (edited too). */
export function instanceFixture(
  type: 'production' | 'staging' | 'migration' | 'testing',
  edit: { instance?: (xr: Obj) => void; required?: (objects: Obj[]) => void; hasWeb?: boolean } = {},
): InstanceFixture {
  const xr: Obj = { ...example(`instance-${type}.yaml`), metadata: { name: type === 'production' ? 'prod' : type, namespace: 'acme', uid: `u-${type}` } };
  edit.instance?.(xr);
  const objects = requiredObjects();
  edit.required?.(objects);
  const instance = instanceResource.parse(xr);
  const required = {
    tenant: objects.filter((o) => o.kind === 'Tenant'),
    apps: objects.filter((o) => o.kind === 'App'),
    instances: objects.filter((o) => o.kind === 'Instance'),
  };
  const resolved = resolveContext(instance, required, edit.hasWeb ?? false);
  if (resolved.kind !== 'ready') throw new Error(`context not ready: ${JSON.stringify(resolved)}`);
  return { instance, context: resolved.context, settings: instanceSettings(instance, resolved.context) };
}

/** What deriveLifecycle is called with, for a fixture and an observed state. */
/** What Crossplane answers for an instance whose web and cron Pods are all gone. */
export const NO_WORKLOAD_PODS: Readonly<Record<string, readonly ObservedObject[]>> = { [STOPPING_PODS.web]: [], [STOPPING_PODS.cron]: [] };

export function lifecycleInput(
  f: InstanceFixture,
  observed: Record<string, ObservedObject> = {},
  databaseReady = true,
  required: Readonly<Record<string, readonly ObservedObject[]>> = NO_WORKLOAD_PODS,
): LifecycleInput {
  return {
    ...f,
    observed,
    databaseReady,
    databaseWaitingFor: 'the role, database of acme_prod',
    url: `https://${f.context.name}.acme.example`,
    required,
  };
}

/** A Job as Kubernetes reports it, keyed as the lifecycle keys it. */
export function observedJob(job: KubeObject, state: 'running' | 'complete' | 'failed', reason = 'BackoffLimitExceeded'): [string, ObservedObject] {
  const conditions =
    state === 'complete' ? [{ type: 'Complete', status: 'True' }] : state === 'failed' ? [{ type: 'Failed', status: 'True', reason }] : [];
  return [jobKey(job), { ...job, status: { conditions } }];
}

/** The web (or cron) Deployment as observed: running `release`, scaled to `replicas`, rolled out unless told otherwise. */
export function observedDeployment(
  release: string,
  opts: { replicas?: number; running?: number; image?: string; rolledOut?: boolean; name?: string } = {},
): ObservedObject {
  const replicas = opts.replicas ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: opts.name ?? 'prod-web', namespace: 'acme', generation: 1, labels: { 'odoo.io/release': release } },
    spec: { replicas, template: { spec: { containers: [{ name: 'odoo', image: opts.image ?? `registry.example/odoo:${release}` }] } } },
    status: {
      observedGeneration: 1,
      replicas: opts.running ?? replicas,
      readyReplicas: opts.running ?? replicas,
      conditions: opts.rolledOut === false ? [] : [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
    },
  };
}

export const WEB = WORKLOAD_KEYS.web;
export const CRON = WORKLOAD_KEYS.cron;
