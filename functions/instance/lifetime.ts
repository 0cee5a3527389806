// How long a testing instance lives. The function reads no clock, so the
// clock is Kubernetes': a Job that never runs a Pod (parallelism 0) with the
// lifetime as its activeDeadlineSeconds. The Job controller stamps its start
// and fails it with DeadlineExceeded when the lifetime is over; the instance
// then stops and says so. Deleting the Job restarts the clock: that is how a
// person extends a testing instance.
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { releaseUid } from '../app/release-catalogue.js';
import { TTL, type KubeObject, type ObservedObject, type XrCondition } from '../shared/composition.js';
import { instanceNames } from '../shared/instance-names.js';
import { lifetimeSeconds } from '../shared/quota-schema.js';
import { testingLifetime } from './quotas.js';
import type { InstanceContext } from './context.js';
import { instanceLabels } from './labels.js';
import { odooPodSpec, SECURITY_CONTEXT } from './odoo-pod.js';
import { jobFailureReason, jobState } from './jobs/odoo-job.js';

export const LIFETIME_KEY = 'lifetime';

export function lifetimeJobName(instance: string): string {
  return instanceNames(instance).job('lifetime');
}

/** The clock Job of a testing instance with a lifetime of `duration`. */
export function lifetimeJob(context: InstanceContext, duration: string): KubeObject {
  const labels = instanceLabels(context, 'lifetime');
  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: lifetimeJobName(context.name), namespace: context.namespace, labels },
    spec: {
      // No Pod ever: the Job only counts time. No ttlSecondsAfterFinished: a deleted Job would restart the clock.
      parallelism: 0,
      backoffLimit: 0,
      activeDeadlineSeconds: lifetimeSeconds(duration),
      template: {
        metadata: { labels },
        spec: {
          ...odooPodSpec(context, releaseUid(context.app, context.release)),
          restartPolicy: 'Never',
          containers: [{ name: 'lifetime', image: context.image, command: ['true'], securityContext: SECURITY_CONTEXT, resources: { requests: { cpu: '1m', memory: '1Mi' }, limits: { memory: '16Mi' } } }],
        },
      },
    },
  };
  return job as KubeObject;
}

export interface Expiry {
  job: KubeObject | undefined;
  expired: boolean;
  condition: XrCondition | undefined;
  /**
   * How soon to look again while the clock runs. Crossplane calls as soon as
   * the Job fails, unless its circuit breaker for the XR is open then and
   * drops that one event (seen with real Odoo: the breaker opens while a new
   * instance's objects are created): a quarter of the lifetime bounds the
   * delay, within the steady TTL.
   */
  recheckSeconds: number | undefined;
}

/** Whether a testing instance outlived its testing lifetime (its tenant's, or the quota's), from its clock Job. */
export function testingExpiry(context: InstanceContext, observed: ObservedObject | undefined): Expiry {
  const lifetime = testingLifetime(context);
  if (context.type !== 'testing' || lifetime === undefined) return { job: undefined, expired: false, condition: undefined, recheckSeconds: undefined };
  const { duration, said } = lifetime;
  const job = lifetimeJob(context, duration);
  const expired = jobState(observed) === 'failed' && jobFailureReason(observed) === 'DeadlineExceeded';
  const name = lifetimeJobName(context.name);
  return {
    job,
    expired,
    recheckSeconds: expired ? undefined : Math.min(TTL.steady, Math.max(TTL.watched, Math.floor(lifetimeSeconds(duration) / 4))),
    condition: expired
      ? {
          type: 'Expired',
          status: 'True',
          reason: 'LifetimeOver',
          message: `Lived ${said}: web and cron are stopped, the database is kept. Delete the Instance (kubectl delete -n ${context.namespace} instance/${context.name}), or delete Job ${name} to give it another ${duration}`,
        }
      : { type: 'Expired', status: 'False', reason: 'WithinLifetime', message: `Stops ${duration} after it started (Job ${name} counts)` },
  };
}
