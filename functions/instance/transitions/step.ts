// What every transition is made of: steps, each one lifecycle Job with the
// phase it shows while it runs and when it fails, what it does and what a
// person does when it failed. A step is done when its Job completed; the
// evaluator (../lifecycle.ts) walks a transition's steps in order.
import type { KubeObject, ObservedObject } from '../../shared/composition.js';
import { labelOf } from '../../shared/observed.js';
import { instanceMessages as m } from '../../shared/messages.js';
import type { JobDeadlineStep } from '../../shared/backup-schema.js';
import type { InstanceContext } from '../context.js';
import { jobFailureReason, STEP_LABEL, type JobRun } from '../jobs/odoo-job.js';
import type { Instance, Phase } from '../schema.js';
import type { InstanceSettings } from '../settings.js';

export interface Step {
  job: KubeObject;
  phase: Phase;
  failedPhase: Phase;
  /** Web and cron must have stopped before this Job may run (in-place upgrade and migration). */
  stopsPods: boolean;
  /** Other instances whose web and cron Pods must be gone too before this Job may run (a cut-over's primary). */
  waitsFor?: string[];
  /** Why this Job may not start yet besides Pods (a cut-over's primary not stopped for it yet, a Secret it reads not there yet). */
  notYet?: string;
  /** A failed test is a result, not a broken instance: it keeps serving for inspection. */
  failureIsResult?: boolean;
  /** What the Job does, for the Lifecycle condition. */
  doing: string;
  /** What a person does when it failed. */
  next: string;
  /** For a failed test Job: the failed tests its Pod names, when Crossplane has fetched the Pod. */
  failedTests?: (required: Readonly<Record<string, readonly ObservedObject[]>>) => string[] | undefined;
  /** When this step fails: the step that puts things back (restore the backup taken before), with web and cron stopped. */
  rollback?: Step;
  /** When this step fails, web and cron stay stopped (onUpgradeFailure: hold). */
  holdsPods?: boolean;
}

/** Why a transition cannot start yet, or at all. */
export interface Blocked {
  blocked: { phase: Phase; reason: string; message: string };
}

export type Plan = { steps: Step[] } | Blocked;

export interface LifecycleInput {
  instance: Instance;
  context: InstanceContext;
  settings: InstanceSettings;
  observed: Readonly<Record<string, ObservedObject>>;
  databaseReady: boolean;
  /** Why the database is not ready, for the message. */
  databaseWaitingFor: string;
  url: string;
  /** Required resources Crossplane fetched, as asked for by an earlier answer. */
  required: Readonly<Record<string, readonly ObservedObject[]>>;
}

/** Desired-state key of a Job: its name, so every step of every transition has its own key. */
export function jobKey(job: KubeObject): string {
  return `job-${job.metadata.name}`;
}

export function jobName(job: KubeObject): string {
  return job.metadata.name;
}

/** What a person does when a Job failed: read it, fix the cause, delete it to run it again. */
export function retry(context: InstanceContext, job: string): string {
  return `Read its logs (kubectl logs -n ${context.namespace} job/${job}), fix the cause, then delete the Job to run it again (kubectl delete -n ${context.namespace} job/${job})`;
}

/** Resources and deadline of a lifecycle Job of this step. */
export function jobRun(settings: InstanceSettings, step: JobDeadlineStep): JobRun {
  return { resources: settings.resources.jobs, deadline: settings.deadlines[step] };
}

/** The deadline each lifecycle step's Job counts against, by the Job's step label. */
const DEADLINE_OF_STEP: Readonly<Record<string, JobDeadlineStep>> = {
  init: 'init',
  'init-sql': 'initSQL',
  copy: 'copy',
  neutralize: 'neutralize',
  backup: 'backup',
  upgrade: 'upgrade',
  migrate: 'migrate',
  test: 'test',
  restore: 'restore',
  rollback: 'restore',
};

/** Why a step's Job failed, and what to do: Kubernetes stopping it at its deadline is said so. */
export function failureMessage(step: Step, observed: Readonly<Record<string, ObservedObject>>): string {
  const name = jobName(step.job);
  if (jobFailureReason(observed[jobKey(step.job)]) === 'DeadlineExceeded') {
    // Stryker disable next-line StringLiteral: equivalent; every lifecycle Job carries a step label that DEADLINE_OF_STEP maps, so neither fallback is reached
    const deadlineStep = DEADLINE_OF_STEP[labelOf(step.job, STEP_LABEL) ?? ''] ?? 'init';
    const seconds = (step.job.spec as { activeDeadlineSeconds?: number }).activeDeadlineSeconds ?? 0;
    return m.jobPastDeadline(name, seconds, deadlineStep, step.next);
  }
  return m.jobFailed(name, step.next);
}
