// The shape every lifecycle Job shares: the release image, odoo.conf, the
// filestore, the database password, no retries that would hide a failure,
// and a name that is a pure function of the instance and the step.
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { releaseImage, releaseUid } from '../../app/release-catalogue.js';
import type { Release } from '../../app/schema.js';
import type { KubeObject } from '../../shared/composition.js';
import { findCondition, hasTrueCondition } from '../../shared/readiness.js';
import type { InstanceContext } from '../context.js';
import { instanceLabels } from '../labels.js';
import { configureContainer, containerResources, databaseEnv, odooMounts, odooPodSpec, odooVolumes, SECURITY_CONTEXT } from '../odoo-pod.js';
import type { Resources } from '../settings.js';

/** Label on every lifecycle Job naming its step (init, copy, upgrade, …). */
export const STEP_LABEL = 'odoo.io/lifecycle-step';

export interface OdooJobSpec {
  name: string;
  step: string;
  /** The release whose image runs the Job, as its odoo user. */
  release: Release;
  /** Either an odoo command line (after --config) or a bash script. */
  command: string[];
  resources: Resources;
  env?: NonNullable<IContainer['env']>;
  volumes?: IVolume[];
  mounts?: IVolumeMount[];
  labels?: Record<string, string>;
  /** Retries: 0 for steps that must not run twice over a half-done database. */
  backoffLimit?: number;
  /** Seconds the Job may run (activeDeadlineSeconds): past it, Kubernetes fails it. */
  deadline: number;
  /** Steps before the main container, after odoo.conf is written: run in order, each must succeed. */
  initContainers?: IContainer[];
  /** Name of the main container; default the step. */
  container?: string;
}

/** A container of the Job's Pod in the release image: database password and libpq settings, the Pod's Odoo mounts. */
export function releaseContainer(
  context: InstanceContext,
  image: string,
  name: string,
  command: string[],
  resources: Resources,
  extra: { env?: NonNullable<IContainer['env']>; mounts?: IVolumeMount[] } = {},
): IContainer {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    command,
    env: [...databaseEnv(context), ...libpqEnv(context), ...(extra.env ?? [])],
    resources: containerResources(resources),
    securityContext: SECURITY_CONTEXT,
    volumeMounts: [...odooMounts(), ...(extra.mounts ?? [])],
  };
}

/** How a lifecycle Job runs: its resources and its deadline. */
export interface JobRun {
  resources: Resources;
  deadline: number;
}

/** libpq settings for psql, pg_dump and pg_restore in Job scripts. */
export function libpqEnv(context: InstanceContext): NonNullable<IContainer['env']> {
  const { database } = context.app.spec;
  return [
    { name: 'PGHOST', value: database.host },
    { name: 'PGPORT', value: String(database.port) },
    { name: 'PGUSER', value: context.databaseName },
    { name: 'PGDATABASE', value: context.databaseName },
    { name: 'PGSSLMODE', value: database.sslMode },
  ];
}

/** A bash script as a container command: fails on the first error, including inside pipes. */
export function bash(script: string): string[] {
  return ['bash', '-c', `set -euo pipefail\n${script}`];
}

export function odooJob(context: InstanceContext, spec: OdooJobSpec): KubeObject {
  const image = releaseImage(context.app, spec.release);
  const labels = { ...instanceLabels(context, 'job'), [STEP_LABEL]: spec.step, ...spec.labels };
  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: spec.name, namespace: context.namespace, labels },
    spec: {
      backoffLimit: spec.backoffLimit ?? 0,
      activeDeadlineSeconds: spec.deadline,
      template: {
        metadata: { labels },
        spec: {
          ...odooPodSpec(context, releaseUid(context.app, spec.release)),
          restartPolicy: 'Never',
          initContainers: [configureContainer(context, image), ...(spec.initContainers ?? [])],
          containers: [releaseContainer(context, image, spec.container ?? spec.step, spec.command, spec.resources, spec)],
          volumes: [...odooVolumes(context), ...(spec.volumes ?? [])],
        },
      },
    },
  };
  return job as KubeObject;
}

export type JobState = 'absent' | 'running' | 'complete' | 'failed';

/** Why a failed Job failed, as the Job controller says (BackoffLimitExceeded, DeadlineExceeded, …). */
export function jobFailureReason(observed: Record<string, unknown> | undefined): string | undefined {
  const reason = findCondition(observed, 'Failed')?.reason;
  return typeof reason === 'string' ? reason : undefined;
}

/** What became of a Job, from its observed conditions. */
export function jobState(observed: Record<string, unknown> | undefined): JobState {
  if (observed === undefined) return 'absent';
  if (hasTrueCondition(observed, 'Complete')) return 'complete';
  if (hasTrueCondition(observed, 'Failed')) return 'failed';
  return 'running';
}
