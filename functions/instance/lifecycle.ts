// The lifecycle of an instance as a pure function of observed state: which
// Jobs run, whether web and cron serve and on which release, and the phase.
// Nothing here reads a clock or keeps memory between calls: the web
// Deployment's release label says what runs, each Job's conditions say how
// far a transition got, the status the function wrote earlier says what no
// object proves any more (runningRelease once the Deployment is deleted,
// rolledBack once the rollback Job is), and the plan for the current spec
// says what is next.
// Each transition's plan of steps is in transitions/ (initialize, copy,
// staging, migration, restore, neutralize, upgrade with its rollback, test
// run); this file chooses the plan and evaluates it.
import semver from 'semver';
import type { KubeObject, ObservedObject, RequiredSelector, XrCondition } from '../shared/composition.js';
import { record } from '../shared/observed.js';
import { instanceMessages as m } from '../shared/messages.js';
import { releaseImage } from '../app/release-catalogue.js';
import { findRelease } from './context.js';
import { jobState } from './jobs/odoo-job.js';
import { jobPodsSelector } from './test-results.js';
import type { Instance, Phase } from './schema.js';
import { podSelector } from './labels.js';
import { observedRelease, observedRollout, observedStopped } from './workloads.js';
import { initSteps } from './transitions/initialize.js';
import { cutOverDue, cutOverPlan, type DueCutOver } from './transitions/cut-over.js';
import { migrationPlan } from './transitions/migration.js';
import { restoreSteps } from './transitions/restore.js';
import { stagingPlan } from './transitions/staging.js';
import { failureMessage, jobKey, jobName, type LifecycleInput, type Plan } from './transitions/step.js';
import { FAILED_TEST_PODS, testStep } from './transitions/test-run.js';
import { preUpgradeBackupPlace, upgradeSteps } from './transitions/upgrade.js';

export { jobKey, type LifecycleInput } from './transitions/step.js';
export { FAILED_TEST_PODS } from './transitions/test-run.js';

/** Keys of the web and cron Deployments in desired state. */
export const WORKLOAD_KEYS = { web: 'web', cron: 'cron' } as const;

export interface Workloads {
  release: string;
  image: string;
  stopped: boolean;
}

export interface Lifecycle {
  phase: Phase;
  transitioning: boolean;
  /** Release web and cron were observed running, if any. */
  runningRelease: string | undefined;
  jobs: KubeObject[];
  workloads: Workloads | undefined;
  activeJob: string | undefined;
  condition: XrCondition;
  /** Resources to fetch for the next call (the Pods of a failed test Job). */
  requirements: Record<string, RequiredSelector>;
  /** The upgrade Job whose failure was rolled back (status.rolledBack): the proof that the rollback is done. */
  rolledBack?: string;
  /** Web and cron are at 0 and their last Pods are still exiting: nothing Crossplane watches tells when they are gone. */
  awaitingPods?: boolean;
  /** The migration instance that took this one over at a cut-over (status.retiredBy). */
  retiredBy?: string;
  /** A migration instance: the primary whose cut-over it completed, and for which promotion (status.cutOverFrom, cutOverToken). */
  cutOverFrom?: string;
  cutOverToken?: number;
  /** A migration instance: how long its rehearsal's Jobs took, first start to last completion (status.rehearsalSeconds). */
  rehearsalSeconds?: number;
}

const STEADY: readonly Phase[] = ['Running', 'Passed', 'Failed', 'WaitingForSource', 'Retired'];

/** Phases a Tenant must wait out before moving its routes. */
export function isTransitioning(phase: Phase): boolean {
  return !STEADY.includes(phase) && !phase.endsWith('Failed');
}

function observedImage(deployment: ObservedObject | undefined): string | undefined {
  const containers = (deployment?.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)?.template?.spec?.containers;
  return containers?.[0]?.image;
}

/**
 * Keys of the instance's web and cron Pods, asked for while a step that
 * needs them stopped waits to start. A Deployment at 0 no longer counts a
 * Pod that is shutting down, and such a Pod still finishes its requests and
 * its cron job: a backup or -u started then could miss, or race, a write.
 */
export const STOPPING_PODS = { web: 'stopping-web-pods', cron: 'stopping-cron-pods' } as const;

function workloadPodsSelector(namespace: string, name: string, component: 'web' | 'cron'): RequiredSelector {
  return { apiVersion: 'v1', kind: 'Pod', namespace, matchLabels: podSelector(name, component) };
}

/** The plan of an instance that never ran: a restore, a new database, or a copy of its source. */
function freshPlan(input: LifecycleInput): Plan {
  const { instance } = input;
  if (instance.spec.restore !== undefined) return { steps: restoreSteps(input, instance.spec.restore) };
  switch (instance.spec.type) {
    case 'production':
      return { steps: initSteps(input) };
    case 'testing':
      return { steps: [...initSteps(input), testStep(input)] };
    case 'staging':
      return stagingPlan(input);
    case 'migration':
      return migrationPlan(input);
  }
}

/**
 * The release web and cron run: what the web Deployment's label says or,
 * when the Deployment is gone (deleted by a person or a cleanup), the release
 * the instance recorded in its status while it ran. The status is durable:
 * an instance that ran once is never initialized, copied or restored again
 * because an object is missing; its Deployments are composed again instead.
 */
function runningRelease(instance: Instance, web: ObservedObject | undefined): string | undefined {
  const recorded = instance.status?.runningRelease;
  return observedRelease(web) ?? (typeof recorded === 'string' && recorded !== '' ? recorded : undefined);
}

/**
 * Whether the instance recorded that the failure of this upgrade Job was
 * rolled back: status.rolledBack, a field only the function writes, which
 * Crossplane keeps when a call fails (it rewrites the function's conditions
 * to Unknown then). The Lifecycle condition is read too, for instances
 * rolled back before the field existed.
 */
function rolledBackRecorded(instance: Instance, upgradeJob: string): boolean {
  if (instance.status?.rolledBack === upgradeJob) return true;
  const conditions = instance.status?.conditions;
  const lifecycle = Array.isArray(conditions) ? (conditions as { type?: unknown; reason?: unknown; message?: unknown }[]).find((c) => c?.type === 'Lifecycle') : undefined;
  return lifecycle?.reason === 'RolledBack' && typeof lifecycle.message === 'string' && lifecycle.message.includes(`job/${upgradeJob}.`);
}

/**
 * The migration instance this one was taken over by, while it is stopped
 * for that: during the cut-over (the tenant's status names this instance as
 * its source), and after it once the tenant routes the one that took over.
 * A cut-over taken back before it was done serves this instance again.
 */
function retirement(instance: Instance, context: LifecycleInput['context']): string | undefined {
  if (context.cutOver?.from === context.name) return context.cutOver.instance;
  const recorded = instance.status?.retiredBy;
  // Whatever the tenant routes later (another promotion), this database stays as it was at the cut-over.
  return typeof recorded === 'string' && context.routedPrimary !== undefined && context.routedPrimary !== context.name ? recorded : undefined;
}

/** Seconds from the first start to the last completion of these Jobs, when every one is observed complete. */
function jobsSeconds(jobs: readonly KubeObject[], observed: Readonly<Record<string, ObservedObject>>): number | undefined {
  const times = jobs.map((job) => record(observed[jobKey(job)]?.status));
  const starts = times.map((t) => (typeof t.startTime === 'string' ? Date.parse(t.startTime) : NaN));
  const ends = times.map((t) => (typeof t.completionTime === 'string' ? Date.parse(t.completionTime) : NaN));
  if (jobs.length === 0 || [...starts, ...ends].some((t) => Number.isNaN(t))) return undefined;
  return Math.round((Math.max(...ends) - Math.min(...starts)) / 1000);
}

export function deriveLifecycle(input: LifecycleInput): Lifecycle {
  const { instance, context, observed } = input;
  const web = observed[WORKLOAD_KEYS.web];
  const running = runningRelease(instance, web);
  const target = context.release;
  const targetImage = context.image;
  /** The image of the release that runs: the Deployment's, or the App's for that release when the Deployment is gone. */
  const runningImage = (): string | undefined => {
    const image = observedImage(web);
    if (image !== undefined) return image;
    if (running === target.version) return targetImage;
    const release = findRelease(context.app, running);
    return release === undefined ? undefined : releaseImage(context.app, release);
  };
  const condition = (status: XrCondition['status'], reason: string, message: string): XrCondition => ({ type: 'Lifecycle', status, reason, message });
  const result = (phase: Phase, partial: Omit<Lifecycle, 'phase' | 'transitioning' | 'runningRelease' | 'requirements'>, requirements: Record<string, RequiredSelector> = {}): Lifecycle => ({
    phase,
    transitioning: isTransitioning(phase),
    runningRelease: running,
    ...partial,
    requirements,
  });
  const serving = (stopped = false): Workloads | undefined => {
    const image = runningImage();
    return running === undefined || image === undefined ? undefined : { release: running, image, stopped };
  };

  if (web === undefined && running !== undefined && runningImage() === undefined) {
    // The Deployment is gone and the App no longer lists the release the database runs on:
    // nothing can serve it again until a person says on which release.
    return result('Starting', { jobs: [], workloads: undefined, activeJob: undefined, condition: condition('False', 'RunningReleaseNotInApp', m.runningReleaseNotInApp(running, context.app.metadata.name)) });
  }

  const retiredBy = retirement(instance, context);
  if (retiredBy !== undefined && running !== undefined) {
    const during = context.cutOver?.from === context.name;
    return result('Retired', { jobs: [], workloads: serving(true), activeJob: undefined, retiredBy, condition: condition('False', 'Retired', during ? m.retiring(retiredBy) : m.retired(retiredBy)) });
  }

  let plan: Plan;
  let cutOver: DueCutOver | undefined;
  if (running === undefined) {
    if (!input.databaseReady) {
      return result('Provisioning', {
        jobs: [],
        workloads: undefined,
        activeJob: undefined,
        condition: condition('False', 'Provisioning', `Waiting for ${input.databaseWaitingFor} (provider-sql) before initializing ${context.databaseName}`),
      });
    }
    plan = freshPlan(input);
  } else if (running === target.version) {
    cutOver = cutOverDue(input);
    plan = cutOver !== undefined ? cutOverPlan(input, cutOver) : { steps: instance.spec.type === 'testing' ? [testStep(input)] : [] };
  } else {
    const from = findRelease(context.app, running);
    if (from === undefined || from.series !== target.series) {
      const message = m.seriesChangeRefused(running, from?.series ?? 'an unknown series', target.version, target.series);
      return result('Running', { jobs: [], workloads: serving(), activeJob: undefined, condition: condition('False', 'ReleaseChangeRefused', message) });
    }
    if (semver.lt(target.version, running)) {
      return result('Running', { jobs: [], workloads: serving(), activeJob: undefined, condition: condition('False', 'DowngradeRefused', m.downgradeRefused(running, target.version)) });
    }
    // Whatever the tenant routes as primary holds the customer's data too: a promoted migration is backed up like production.
    const steps = upgradeSteps(input, running, target, input.settings.servesCustomers);
    plan = { steps: instance.spec.type === 'testing' ? [...steps, testStep(input)] : steps };
  }

  if ('blocked' in plan) {
    const { phase, reason, message } = plan.blocked;
    return result(phase, { jobs: [], workloads: serving(), activeJob: undefined, condition: condition('False', reason, message) });
  }

  const upgrade = plan.steps.find((step) => step.rollback !== undefined);
  if (upgrade?.rollback !== undefined && rolledBackRecorded(instance, jobName(upgrade.job))) {
    // Rolled back already: whatever cleanup deleted since (the rollback Job, the failed upgrade,
    // its backup), nothing runs again — restoring the backup again would put it over everything
    // written since, and a new attempt starts from spec.release set back, then forward. The
    // rollback Job is composed no more, so Crossplane deletes it: a finished Job kept in desired
    // state is created again by Crossplane's next apply when someone deletes it between its
    // observe and its apply (seen in the e2e), and that would restore the backup a second time.
    const kept = plan.steps.map((step) => step.job).filter((job) => jobState(observed[jobKey(job)]) !== 'absent');
    const failedJobKept = jobState(observed[jobKey(upgrade.job)]) !== 'absent';
    return result('UpgradeFailed', {
      jobs: kept,
      workloads: serving(),
      activeJob: failedJobKept ? jobName(upgrade.job) : undefined,
      rolledBack: jobName(upgrade.job),
      condition: failedJobKept
        ? condition('False', 'RolledBack', m.rolledBack(running ?? '', target.version, jobName(upgrade.job), preUpgradeBackupPlace(input, running ?? '', target.version), context.namespace))
        : condition('False', 'RetryNeedsBackup', m.retryNeedsBackup(running ?? '', target.version)),
    });
  }

  const jobs: KubeObject[] = [];
  for (const step of plan.steps) {
    const state = jobState(observed[jobKey(step.job)]);
    if (state === 'complete') {
      jobs.push(step.job);
      continue;
    }
    // Stryker disable next-line StringLiteral: equivalent; rollbackState is read only when the step has a rollback
    const rollbackState = step.rollback ? jobState(observed[jobKey(step.rollback.job)]) : 'absent';
    if (state === 'absent' && step.rollback && rollbackState !== 'absent') {
      // Rolled back, and the failed Job deleted: a new attempt must start from a fresh backup.
      jobs.push(step.rollback.job);
      return result('UpgradeFailed', { jobs, workloads: serving(), activeJob: undefined, condition: condition('False', 'RetryNeedsBackup', m.retryNeedsBackup(running ?? '', target.version)) });
    }
    if (state === 'failed' && step.rollback) {
      const rollback = step.rollback;
      jobs.push(step.job, rollback.job);
      if (rollbackState === 'complete') {
        return result('UpgradeFailed', {
          jobs,
          workloads: serving(),
          activeJob: jobName(step.job),
          rolledBack: jobName(step.job),
          condition: condition('False', 'RolledBack', m.rolledBack(running ?? '', target.version, jobName(step.job), preUpgradeBackupPlace(input, running ?? '', target.version), context.namespace)),
        });
      }
      if (rollbackState === 'failed') {
        return result('RollbackFailed', { jobs, workloads: serving(true), activeJob: jobName(rollback.job), condition: condition('False', 'RollbackFailed', failureMessage(rollback, observed)) });
      }
      return result('RollingBack', { jobs, workloads: serving(true), activeJob: jobName(rollback.job), condition: condition('False', 'RollingBack', rollback.doing) });
    }
    if (state === 'failed') {
      jobs.push(step.job);
      if (step.failureIsResult) {
        const workloads = { release: target.version, image: targetImage, stopped: false };
        const named = step.failedTests?.(input.required);
        const message = m.testsFailed(target.version, named, step.next);
        const requirements = step.failedTests ? { [FAILED_TEST_PODS]: jobPodsSelector(context.namespace, jobName(step.job)) } : {};
        return result(step.failedPhase, { jobs, workloads, activeJob: jobName(step.job), condition: condition('False', step.failedPhase, message) }, requirements);
      }
      return result(step.failedPhase, {
        jobs,
        workloads: serving(step.holdsPods === true),
        activeJob: jobName(step.job),
        condition: condition('False', step.failedPhase, failureMessage(step, observed)),
      });
    }
    // Not run yet, or running.
    if (state === 'absent' && step.notYet !== undefined && !(step.stopsPods && running !== undefined)) {
      // Something the Job reads is not there yet (the admin login Secret of a new database).
      return result(step.phase, { jobs, workloads: serving(), activeJob: jobName(step.job), condition: condition('False', step.phase, `${step.doing} (${step.notYet})`) });
    }
    if (step.stopsPods && running !== undefined) {
      if (state === 'absent') {
        // Asked for on every call until the Job exists, so Crossplane's requirement loop settles on the call that composes it.
        const pods: Record<string, RequiredSelector> = { [STOPPING_PODS.web]: workloadPodsSelector(context.namespace, context.name, 'web'), [STOPPING_PODS.cron]: workloadPodsSelector(context.namespace, context.name, 'cron') };
        for (const other of step.waitsFor ?? []) {
          pods[`${STOPPING_PODS.web}-${other}`] = workloadPodsSelector(context.namespace, other, 'web');
          pods[`${STOPPING_PODS.cron}-${other}`] = workloadPodsSelector(context.namespace, other, 'cron');
        }
        const deploymentsStopped = observedStopped(web) && observedStopped(observed[WORKLOAD_KEYS.cron]);
        const podsGone = Object.keys(pods).every((key) => input.required[key]?.length === 0);
        if (!deploymentsStopped || !podsGone || step.notYet !== undefined) {
          const left = Object.keys(pods).flatMap((key) => (input.required[key] ?? []).map((pod) => String(record(pod.metadata).name)));
          const waiting = step.notYet !== undefined ? ` (${step.notYet})` : deploymentsStopped && left.length > 0 ? ` (waiting for ${left.sort().join(', ')} to exit)` : '';
          return result(
            step.phase,
            { jobs, workloads: serving(true), activeJob: jobName(step.job), condition: condition('False', step.phase, `Stopping web and cron before: ${step.doing}${waiting}`), awaitingPods: deploymentsStopped },
            pods,
          );
        }
        jobs.push(step.job);
        return result(step.phase, { jobs, workloads: serving(true), activeJob: jobName(step.job), condition: condition('False', step.phase, step.doing) }, pods);
      }
      jobs.push(step.job);
      return result(step.phase, { jobs, workloads: serving(true), activeJob: jobName(step.job), condition: condition('False', step.phase, step.doing) });
    }
    jobs.push(step.job);
    return result(step.phase, { jobs, workloads: serving(), activeJob: jobName(step.job), condition: condition('False', step.phase, step.doing) });
  }

  // Every step is done: serve the target release, Running once its web Pods serve.
  const workloads = { release: target.version, image: targetImage, stopped: false };
  // A testing instance's web stops at the end of its lifetime (compose.ts): at 0 it is done, not starting.
  // What a migration's rehearsal took is the downtime its cut-over will take; a cut-over done is recorded for the tenant.
  const rehearsalSeconds = running === undefined && instance.spec.type === 'migration' ? jobsSeconds(jobs, observed) : undefined;
  const recorded = { ...(cutOver !== undefined ? { cutOverFrom: cutOver.from, cutOverToken: cutOver.token } : {}), ...(rehearsalSeconds !== undefined ? { rehearsalSeconds } : {}) };
  const rollout = running === target.version ? observedRollout(web, instance.spec.type !== 'testing' && (input.settings.replicas > 0 || input.settings.autoscaling !== undefined)) : { state: 'progressing' as const, message: 'the web Deployment is moving to it' };
  if (rollout.state !== 'complete') {
    return result('Starting', {
      jobs,
      workloads,
      activeJob: undefined,
      ...recorded,
      condition: condition('False', 'Starting', rollout.state === 'stalled' ? m.webStalled(target.version, rollout.message, context.namespace, web) : `Starting release ${target.version}: ${rollout.message}`),
    });
  }
  if (instance.spec.type === 'testing') {
    const test = plan.steps[plan.steps.length - 1]!;
    return result('Passed', {
      jobs,
      workloads,
      activeJob: jobName(test.job),
      condition: condition('True', 'Passed', `Tests passed on release ${target.version} (Job ${jobName(test.job)})`),
    });
  }
  return result('Running', { jobs, workloads, activeJob: undefined, ...recorded, condition: condition('True', 'Running', `Running release ${target.version}`) });
}