// A new instance from a backup: restored instead of initialized
// (production) or copied (staging, then neutralized, with its own identity).
// A restore over a running instance's database is a rollback (upgrade.ts).
import type { Instance } from '../schema.js';
import { restoreJob, restoreJobName } from '../jobs/restore-job.js';
import { neutralizeSteps } from './neutralize.js';
import { jobName, jobRun, retry, type LifecycleInput, type Step } from './step.js';

export function restoreSteps(input: LifecycleInput, restore: NonNullable<Instance['spec']['restore']>): Step[] {
  const { context, settings, instance } = input;
  const source = restore.key !== undefined ? ({ kind: 'key', key: restore.key } as const) : ({ kind: 'latest', instance: restore.latestOf! } as const);
  const what = source.kind === 'key' ? `backup ${source.key}` : `the newest scheduled backup of instance "${source.instance}"`;
  const staging = instance.spec.type === 'staging';
  const job = restoreJob(
    context,
    settings.backup,
    { name: restoreJobName(context), release: context.release, source, mode: 'fresh', ...(staging ? { ownIdentity: { url: input.url } } : {}) },
    jobRun(settings, 'restore'),
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
