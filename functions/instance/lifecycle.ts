// The lifecycle of an instance as a pure function of observed state: which
// Jobs run, whether web and cron serve and on which release, and the phase.
// Nothing here reads a clock or keeps memory between calls: the web
// Deployment's release label says what runs, each Job's conditions say how
// far a transition got, the status the function wrote earlier says what no
// object proves any more (runningRelease once the Deployment is deleted,
// rolledBack once the rollback Job is), and the plan for the current spec
// says what is next.
import semver from 'semver';
import type { Release } from '../app/schema.js';
import type { KubeObject, ObservedObject, RequiredSelector, XrCondition } from '../shared/composition.js';
import { databaseName } from '../shared/instance-names.js';
import { labelOf, record } from '../shared/observed.js';
import { instanceMessages as m } from '../shared/messages.js';
import { releaseImage } from '../app/release-catalogue.js';
import { findRelease, migrationRelease, seriesSteps, type InstanceContext } from './context.js';
import { backupDirectory, localPreUpgradePath, preUpgradeBackupJob, preUpgradeName } from './jobs/backup-job.js';
import { restoreJob, restoreJobName, rollbackJobName } from './jobs/restore-job.js';
import { copyJob, SOURCE_INSTANCE_LABEL, SOURCE_RELEASE_LABEL } from './jobs/copy-job.js';
import { initJob } from './jobs/init-job.js';
import { initSQLJob } from './jobs/init-sql-job.js';
import { migrationJob } from './jobs/migration-job.js';
import { neutralizeJob } from './jobs/neutralize-job.js';
import { jobFailureReason, jobState, STEP_LABEL, type JobRun } from './jobs/odoo-job.js';
import type { JobDeadlineStep } from '../shared/backup-schema.js';
import { testJob } from './jobs/test-job.js';
import { failedTests, jobPodsSelector } from './test-results.js';
import { upgradeJob } from './jobs/upgrade-job.js';
import type { Instance, Phase } from './schema.js';
import type { InstanceSettings } from './settings.js';
import { podSelector } from './labels.js';
import { observedRelease, observedRollout, observedStopped } from './workloads.js';

/** Keys of the web and cron Deployments in desired state. */
export const WORKLOAD_KEYS = { web: 'web', cron: 'cron' } as const;

/** Desired-state key of a Job: its name, so every step of every transition has its own key. */
export function jobKey(job: KubeObject): string {
  return `job-${job.metadata.name}`;
}

interface Step {
  job: KubeObject;
  phase: Phase;
  failedPhase: Phase;
  /** Web and cron must have stopped before this Job may run (in-place upgrade and migration). */
  stopsPods: boolean;
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
}

const STEADY: readonly Phase[] = ['Running', 'Passed', 'Failed', 'WaitingForSource'];

/** Phases a Tenant must wait out before moving its routes. */
export function isTransitioning(phase: Phase): boolean {
  return !STEADY.includes(phase) && !phase.endsWith('Failed');
}

function retry(context: InstanceContext, job: string): string {
  return `Read its logs (kubectl logs -n ${context.namespace} job/${job}), fix the cause, then delete the Job to run it again (kubectl delete -n ${context.namespace} job/${job})`;
}

function jobName(job: KubeObject): string {
  return job.metadata.name;
}

function observedImage(deployment: ObservedObject | undefined): string | undefined {
  const containers = (deployment?.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)?.template?.spec?.containers;
  return containers?.[0]?.image;
}

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

/** Key of the required Pods of a failed test Job. */
export const FAILED_TEST_PODS = 'failed-test-pods';

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

type Plan = { steps: Step[] } | { blocked: { phase: Phase; reason: string; message: string } };

/** Resources and deadline of a lifecycle Job of this step. */
function run(settings: InstanceSettings, step: JobDeadlineStep): JobRun {
  return { resources: settings.resources.jobs, deadline: settings.deadlines[step] };
}

/** Where the backup taken before an upgrade goes, for messages. */
function preUpgradeBackupPlace(input: LifecycleInput, from: string, to: string): string {
  const storage = input.settings.backup.storage;
  return storage === undefined ? localPreUpgradePath(from, to) : `s3://${storage.bucket}/${backupDirectory(input.context, storage)}/pre-upgrade/${preUpgradeName(from, to)}`;
}

/**
 * An in-place upgrade. For an instance that serves customers: web and cron
 * stop, a backup is taken with nothing writing, and when -u all fails, by default (onUpgradeFailure: rollback) that
 * backup is restored over the database and filestore before the previous
 * release serves again; with hold, web and cron stay stopped for a person.
 */
function upgradeSteps(input: LifecycleInput, from: string, to: Release, withBackup: boolean): Step[] {
  const { context, settings } = input;
  const fromRelease = findRelease(context.app, from) ?? to;
  const steps: Step[] = [];
  const place = preUpgradeBackupPlace(input, from, to.version);
  if (withBackup) {
    const job = preUpgradeBackupJob(context, settings.backup, fromRelease, to, run(settings, 'backup'));
    steps.push({
      job,
      phase: 'BackingUp',
      failedPhase: 'BackupFailed',
      // A rollback restores this backup: taken while customers write, it would lose every write
      // between its snapshot and the stop. Web and cron stop first and stay stopped for -u.
      stopsPods: true,
      doing: `Backing up ${context.databaseName} and its filestore to ${place} before upgrading ${from} → ${to.version} (Job ${jobName(job)}); web and cron are stopped, so it holds every write`,
      next: `Release ${from} is serving again and nothing was changed. ${retry(context, jobName(job))}, or set spec.release back to ${from}`,
    });
  }
  const job = upgradeJob(context, from, to, run(settings, 'upgrade'));
  const hold = withBackup && settings.backup.onUpgradeFailure === 'hold';
  const rollback: Step | undefined =
    withBackup && !hold
      ? (() => {
          const restore = restoreJob(
            context,
            settings.backup,
            { name: rollbackJobName(context, from, to.version), release: fromRelease, source: { kind: 'pre-upgrade', from, to: to.version }, mode: 'replace' },
            run(settings, 'restore'),
          );
          return {
            job: restore,
            phase: 'RollingBack',
            failedPhase: 'RollbackFailed',
            // Stryker disable next-line BooleanLiteral: equivalent; a rollback step is never a step of the plan, whose stopsPods alone is read (the rollback branch stops web and cron itself)
            stopsPods: true,
            doing: m.rollingBack(from, to.version, jobName(job), place, jobName(restore)),
            next: m.rollbackFailed(context.namespace, jobName(restore), place, from),
          };
        })()
      : undefined;
  steps.push({
    job,
    phase: 'Upgrading',
    failedPhase: 'UpgradeFailed',
    stopsPods: true,
    doing: `Upgrading ${from} → ${to.version}: odoo -u all (Job ${jobName(job)}); web and cron are stopped`,
    next: hold
      ? m.upgradeHeld(context.namespace, jobName(job), from, to.version, place)
      : `Release ${from} is serving again. ${retry(context, jobName(job))}, or set spec.release back to ${from}`,
    ...(rollback ? { rollback } : {}),
    ...(hold ? { holdsPods: true } : {}),
  });
  return steps;
}

function testStep(input: LifecycleInput): Step {
  const { context, settings, instance } = input;
  const job = testJob(context, instance.spec.initModules, settings.testTags, run(settings, 'test'));
  return {
    job,
    phase: 'Testing',
    failedPhase: 'Failed',
    stopsPods: false,
    failureIsResult: true,
    doing: `Running the tests of release ${context.release.version} (Job ${jobName(job)})`,
    next: `Read kubectl logs -n ${context.namespace} job/${jobName(job)}; the instance keeps running for inspection. Delete the Job to run the tests again`,
    failedTests: (required) => failedTests(required[FAILED_TEST_PODS]),
  };
}

function initSteps(input: LifecycleInput): Step[] {
  const { context, settings, instance } = input;
  const init = initJob(context, instance.spec.type, instance.spec.initModules, run(settings, 'init'));
  const steps: Step[] = [
    {
      job: init,
      phase: 'Initializing',
      failedPhase: 'InitializationFailed',
      // Stryker disable next-line BooleanLiteral: equivalent; only a fresh plan has this step, and deriveLifecycle plans one only when no release runs, when stopsPods is not read
      stopsPods: false,
      doing: `Installing ${['base', ...instance.spec.initModules.filter((x) => x !== 'base')].join(', ')} into ${context.databaseName}${instance.spec.type === 'testing' ? ' with demo data' : ''} (Job ${jobName(init)})`,
      next: retry(context, jobName(init)),
    },
  ];
  if (instance.spec.initSQL) {
    const sql = initSQLJob(context, instance.spec.initSQL, run(settings, 'initSQL'));
    steps.push({
      job: sql,
      phase: 'Initializing',
      failedPhase: 'InitializationFailed',
      // Stryker disable next-line BooleanLiteral: equivalent; only a fresh plan has this step, and deriveLifecycle plans one only when no release runs, when stopsPods is not read
      stopsPods: false,
      doing: `Running spec.initSQL in one transaction (Job ${jobName(sql)})`,
      next: retry(context, jobName(sql)),
    });
  }
  return steps;
}

/**
 * What the copy reads: once a copy Job exists, the source and release it
 * recorded (a later change of source or primary does not restart a copy
 * under way); before that, the source's status.
 */
function copySource(input: LifecycleInput): { name: string; release: string } | { blocked: { phase: Phase; reason: string; message: string } } {
  const { context, instance } = input;
  for (const observed of Object.values(input.observed)) {
    const name = labelOf(observed, SOURCE_INSTANCE_LABEL);
    const release = labelOf(observed, SOURCE_RELEASE_LABEL);
    if (observed.kind === 'Job' && name !== undefined && release !== undefined) return { name, release };
  }
  const sourceName = context.sourceName;
  if (sourceName === undefined) return { blocked: { phase: 'WaitingForSource', reason: 'NoSource', message: m.noPrimaryToCopy(instance.spec.type) } };
  if (sourceName === context.name) return { blocked: { phase: 'WaitingForSource', reason: 'SourceIsSelf', message: m.sourceIsSelf } };
  const source = context.source;
  if (source === undefined) return { blocked: { phase: 'WaitingForSource', reason: 'SourceNotFound', message: m.sourceNotFound(sourceName) } };
  if (source.phase !== 'Running' || source.runningRelease === undefined) {
    return { blocked: { phase: 'WaitingForSource', reason: 'SourceNotRunning', message: m.sourceNotRunning(sourceName, source.phase) } };
  }
  return { name: sourceName, release: source.runningRelease };
}

function copyStep(input: LifecycleInput, sourceName: string, sourceRelease: string): Step {
  const { context, settings } = input;
  const job = copyJob(context, { name: sourceName, databaseName: databaseName(context.namespace, sourceName), release: sourceRelease }, input.url, run(settings, 'copy'));
  return {
    job,
    phase: 'Copying',
    failedPhase: 'CopyFailed',
    // Stryker disable next-line BooleanLiteral: equivalent; only a fresh plan has this step, and deriveLifecycle plans one only when no release runs, when stopsPods is not read
    stopsPods: false,
    doing: `Copying the database and filestore of instance "${sourceName}" (release ${sourceRelease}) (Job ${jobName(job)}); "${sourceName}" keeps serving`,
    next: retry(context, jobName(job)),
  };
}

function neutralizeSteps(input: LifecycleInput): Step[] {
  const { context, settings } = input;
  if (!settings.neutralize) return [];
  const catcher = settings.mail.kind === 'catcher' ? settings.mail : undefined;
  const job = neutralizeJob(context, run(settings, 'neutralize'), catcher);
  return [
    {
      job,
      phase: 'Neutralizing',
      failedPhase: 'NeutralizationFailed',
      // Stryker disable next-line BooleanLiteral: equivalent; only a fresh plan has this step, and deriveLifecycle plans one only when no release runs, when stopsPods is not read
      stopsPods: false,
      doing: `Neutralizing the copy: odoo neutralize, then checking that no outgoing mail server or cron is active (Job ${jobName(job)})`,
      next: `The copy was not started, so it cannot mail anyone. ${retry(context, jobName(job))}`,
    },
  ];
}

/** A new instance from a backup: restored instead of initialized (production) or copied (staging, then neutralized). */
function restoreSteps(input: LifecycleInput, restore: NonNullable<Instance['spec']['restore']>): Step[] {
  const { context, settings, instance } = input;
  const source = restore.key !== undefined ? ({ kind: 'key', key: restore.key } as const) : ({ kind: 'latest', instance: restore.latestOf! } as const);
  const what = source.kind === 'key' ? `backup ${source.key}` : `the newest scheduled backup of instance "${source.instance}"`;
  const staging = instance.spec.type === 'staging';
  const job = restoreJob(
    context,
    settings.backup,
    { name: restoreJobName(context), release: context.release, source, mode: 'fresh', ...(staging ? { ownIdentity: { url: input.url } } : {}) },
    run(settings, 'restore'),
  );
  return [
    {
      job,
      phase: 'Restoring',
      failedPhase: 'RestoreFailed',
      // Stryker disable next-line BooleanLiteral: equivalent; only a fresh plan has this step, and deriveLifecycle plans one only when no release runs, when stopsPods is not read
      stopsPods: false,
      doing: `Restoring ${what} into ${context.databaseName} and its filestore (Job ${jobName(job)})`,
      next: retry(context, jobName(job)),
    },
    ...(staging ? neutralizeSteps(input) : []),
  ];
}

function freshPlan(input: LifecycleInput): Plan {
  const { instance, context } = input;
  const target = context.release;
  if (instance.spec.restore !== undefined) return { steps: restoreSteps(input, instance.spec.restore) };
  switch (instance.spec.type) {
    case 'production':
      return { steps: initSteps(input) };
    case 'testing':
      return { steps: [...initSteps(input), testStep(input)] };
    case 'staging':
    case 'migration': {
      const source = copySource(input);
      if ('blocked' in source) return source;
      const sourceRelease = findRelease(context.app, source.release);
      if (sourceRelease === undefined) {
        return { blocked: { phase: 'WaitingForSource', reason: 'UnknownSourceRelease', message: m.unknownRelease(source.release, context.app.metadata.name, context.app.spec.releases.map((r) => r.version).join(', ')) } };
      }
      if (semver.lt(target.version, sourceRelease.version)) {
        return { blocked: { phase: 'WaitingForSource', reason: 'SourceNewer', message: m.sourceNewer(source.name, sourceRelease.version, target.version) } };
      }
      const steps: Step[] = [copyStep(input, source.name, source.release)];
      if (instance.spec.type === 'staging') {
        if (sourceRelease.series !== target.series) {
          return { blocked: { phase: 'WaitingForSource', reason: 'SeriesMismatch', message: m.stagingSeriesMismatch(source.name, sourceRelease.series, target.series) } };
        }
        if (sourceRelease.version !== target.version) steps.push(...upgradeSteps(input, sourceRelease.version, target, false));
        return { steps: [...steps, ...neutralizeSteps(input)] };
      }
      // migration
      const order = seriesSteps(sourceRelease.series, target.series);
      if (order.length === 0 && sourceRelease.series !== target.series) {
        return { blocked: { phase: 'MigrationFailed', reason: 'Downgrade', message: m.migrationDowngrade(sourceRelease.series, target.series) } };
      }
      let current = sourceRelease.version;
      for (const [i, series] of order.entries()) {
        const release = migrationRelease(context.app, series, series === target.series ? target : undefined);
        if (release === undefined) {
          return { blocked: { phase: 'MigrationFailed', reason: 'NoMigrationPath', message: m.noMigrationPath(series, context.app.metadata.name) } };
        }
        const job = migrationJob(context, release, run(input.settings, 'migrate'));
        steps.push({
          job,
          phase: 'Migrating',
          failedPhase: 'MigrationFailed',
          // Stryker disable next-line BooleanLiteral: equivalent; only a fresh plan has this step, and deriveLifecycle plans one only when no release runs, when stopsPods is not read
          stopsPods: false,
          doing: `Migrating to Odoo ${series} with release ${release.version}, step ${i + 1} of ${order.length} (Job ${jobName(job)}); the source keeps serving`,
          next: `The source keeps serving. ${retry(context, jobName(job))}`,
        });
        current = release.version;
      }
      if (current !== target.version) steps.push(...upgradeSteps(input, current, target, false));
      return { steps };
    }
  }
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
function failureMessage(step: Step, observed: Readonly<Record<string, ObservedObject>>): string {
  const name = jobName(step.job);
  if (jobFailureReason(observed[jobKey(step.job)]) === 'DeadlineExceeded') {
    // Stryker disable next-line StringLiteral: equivalent; every lifecycle Job carries a step label that DEADLINE_OF_STEP maps, so neither fallback is reached
    const deadlineStep = DEADLINE_OF_STEP[labelOf(step.job, STEP_LABEL) ?? ''] ?? 'init';
    const seconds = (step.job.spec as { activeDeadlineSeconds?: number }).activeDeadlineSeconds ?? 0;
    return m.jobPastDeadline(name, seconds, deadlineStep, step.next);
  }
  return m.jobFailed(name, step.next);
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

  let plan: Plan;
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
    plan = { steps: instance.spec.type === 'testing' ? [testStep(input)] : [] };
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
    if (step.stopsPods && running !== undefined) {
      if (state === 'absent') {
        // Asked for on every call until the Job exists, so Crossplane's requirement loop settles on the call that composes it.
        const pods = { [STOPPING_PODS.web]: workloadPodsSelector(context.namespace, context.name, 'web'), [STOPPING_PODS.cron]: workloadPodsSelector(context.namespace, context.name, 'cron') };
        const deploymentsStopped = observedStopped(web) && observedStopped(observed[WORKLOAD_KEYS.cron]);
        const podsGone = Object.keys(pods).every((key) => input.required[key]?.length === 0);
        if (!deploymentsStopped || !podsGone) {
          const left = Object.keys(pods).flatMap((key) => (input.required[key] ?? []).map((pod) => String(record(pod.metadata).name)));
          const waiting = deploymentsStopped && left.length > 0 ? ` (waiting for ${left.sort().join(', ')} to exit)` : '';
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
  const rollout = running === target.version ? observedRollout(web) : { state: 'progressing' as const, message: 'the web Deployment is moving to it' };
  if (rollout.state !== 'complete') {
    return result('Starting', {
      jobs,
      workloads,
      activeJob: undefined,
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
  return result('Running', { jobs, workloads, activeJob: undefined, condition: condition('True', 'Running', `Running release ${target.version}`) });
}
