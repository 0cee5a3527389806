// The lifecycle of an instance as a pure function of observed state: which
// Jobs run, whether web and cron serve and on which release, and the phase.
// Nothing here reads a clock or keeps memory between calls: the web
// Deployment's release label says what runs, each Job's conditions say how
// far a transition got, and the plan for the current spec says what is next.
import semver from 'semver';
import type { Release } from '../app/schema.js';
import type { KubeObject, ObservedObject, RequiredSelector, XrCondition } from '../shared/composition.js';
import { databaseName } from '../shared/instance-names.js';
import { labelOf } from '../shared/observed.js';
import { instanceMessages as m } from '../shared/messages.js';
import { findRelease, migrationRelease, seriesSteps, type InstanceContext } from './context.js';
import { backupDirectory, backupJob } from './jobs/backup-job.js';
import { copyJob, SOURCE_INSTANCE_LABEL, SOURCE_RELEASE_LABEL } from './jobs/copy-job.js';
import { initJob } from './jobs/init-job.js';
import { initSQLJob } from './jobs/init-sql-job.js';
import { migrationJob } from './jobs/migration-job.js';
import { neutralizeJob } from './jobs/neutralize-job.js';
import { jobState } from './jobs/odoo-job.js';
import { testJob } from './jobs/test-job.js';
import { failedTests, jobPodsSelector } from './test-results.js';
import { upgradeJob } from './jobs/upgrade-job.js';
import type { Instance, Phase } from './schema.js';
import type { InstanceSettings } from './settings.js';
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

type Plan = { steps: Step[] } | { blocked: { phase: Phase; reason: string; message: string } };

function upgradeSteps(input: LifecycleInput, from: string, to: Release, withBackup: boolean): Step[] {
  const { context, settings } = input;
  const steps: Step[] = [];
  if (withBackup) {
    const job = backupJob(context, from, to, settings.resources.jobs);
    steps.push({
      job,
      phase: 'BackingUp',
      failedPhase: 'BackupFailed',
      stopsPods: false,
      doing: `Backing up ${context.databaseName} and its filestore into ${backupDirectory(from, to.version)} before upgrading ${from} → ${to.version} (Job ${jobName(job)}); release ${from} keeps serving`,
      next: `Release ${from} keeps serving and nothing was changed. ${retry(context, jobName(job))}, or set spec.release back to ${from}`,
    });
  }
  const job = upgradeJob(context, from, to, settings.resources.jobs);
  steps.push({
    job,
    phase: 'Upgrading',
    failedPhase: 'UpgradeFailed',
    stopsPods: true,
    doing: `Upgrading ${from} → ${to.version}: odoo -u all (Job ${jobName(job)}); web and cron are stopped`,
    next: withBackup
      ? `Release ${from} is serving again; the database may be partly upgraded: restore ${backupDirectory(from, to.version)} (pg_restore --clean, untar the filestore), or ${retry(context, jobName(job)).replace(/^R/, 'r')}. Set spec.release back to ${from} to stop upgrading`
      : `Release ${from} is serving again. ${retry(context, jobName(job))}, or set spec.release back to ${from}`,
  });
  return steps;
}

function testStep(input: LifecycleInput): Step {
  const { context, settings, instance } = input;
  const job = testJob(context, instance.spec.initModules, settings.testTags, settings.resources.jobs);
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
  const init = initJob(context, instance.spec.type, instance.spec.initModules, settings.resources.jobs);
  const steps: Step[] = [
    {
      job: init,
      phase: 'Initializing',
      failedPhase: 'InitializationFailed',
      stopsPods: false,
      doing: `Installing ${['base', ...instance.spec.initModules.filter((x) => x !== 'base')].join(', ')} into ${context.databaseName}${instance.spec.type === 'testing' ? ' with demo data' : ''} (Job ${jobName(init)})`,
      next: retry(context, jobName(init)),
    },
  ];
  if (instance.spec.initSQL) {
    const sql = initSQLJob(context, instance.spec.initSQL, settings.resources.jobs);
    steps.push({
      job: sql,
      phase: 'Initializing',
      failedPhase: 'InitializationFailed',
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
  const job = copyJob(context, { name: sourceName, databaseName: databaseName(context.namespace, sourceName), release: sourceRelease }, input.url, settings.resources.jobs);
  return {
    job,
    phase: 'Copying',
    failedPhase: 'CopyFailed',
    stopsPods: false,
    doing: `Copying the database and filestore of instance "${sourceName}" (release ${sourceRelease}) (Job ${jobName(job)}); "${sourceName}" keeps serving`,
    next: retry(context, jobName(job)),
  };
}

function freshPlan(input: LifecycleInput): Plan {
  const { instance, context, settings } = input;
  const target = context.release;
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
        if (settings.neutralize) {
          const job = neutralizeJob(context, settings.resources.jobs);
          steps.push({
            job,
            phase: 'Neutralizing',
            failedPhase: 'NeutralizationFailed',
            stopsPods: false,
            doing: `Neutralizing the copy: odoo neutralize, then checking that no outgoing mail server or cron is active (Job ${jobName(job)})`,
            next: `The copy was not started, so it cannot mail anyone. ${retry(context, jobName(job))}`,
          });
        }
        return { steps };
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
        const job = migrationJob(context, release, settings.resources.jobs);
        steps.push({
          job,
          phase: 'Migrating',
          failedPhase: 'MigrationFailed',
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

export function deriveLifecycle(input: LifecycleInput): Lifecycle {
  const { instance, context, observed } = input;
  const web = observed[WORKLOAD_KEYS.web];
  const running = observedRelease(web);
  const target = context.release;
  const targetImage = context.image;
  const condition = (status: XrCondition['status'], reason: string, message: string): XrCondition => ({ type: 'Lifecycle', status, reason, message });
  const result = (phase: Phase, partial: Omit<Lifecycle, 'phase' | 'transitioning' | 'runningRelease' | 'requirements'>, requirements: Record<string, RequiredSelector> = {}): Lifecycle => ({
    phase,
    transitioning: isTransitioning(phase),
    runningRelease: running,
    ...partial,
    requirements,
  });
  const serving = (stopped = false): Workloads | undefined =>
    running === undefined ? undefined : { release: running, image: observedImage(web) ?? targetImage, stopped };

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
    const steps = upgradeSteps(input, running, target, instance.spec.type === 'production');
    plan = { steps: instance.spec.type === 'testing' ? [...steps, testStep(input)] : steps };
  }

  if ('blocked' in plan) {
    const { phase, reason, message } = plan.blocked;
    return result(phase, { jobs: [], workloads: serving(), activeJob: undefined, condition: condition('False', reason, message) });
  }

  const jobs: KubeObject[] = [];
  for (const step of plan.steps) {
    const state = jobState(observed[jobKey(step.job)]);
    if (state === 'complete') {
      jobs.push(step.job);
      continue;
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
        workloads: serving(),
        activeJob: jobName(step.job),
        condition: condition('False', step.failedPhase, m.jobFailed(jobName(step.job), step.next)),
      });
    }
    // Not run yet, or running.
    if (step.stopsPods && running !== undefined) {
      const stopped = observedStopped(web) && observedStopped(observed[WORKLOAD_KEYS.cron]);
      if (!stopped && state === 'absent') {
        return result(step.phase, {
          jobs,
          workloads: serving(true),
          activeJob: jobName(step.job),
          condition: condition('False', step.phase, `Stopping web and cron before: ${step.doing}`),
        });
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
