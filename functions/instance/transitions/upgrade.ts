// An in-place upgrade within a series: odoo -u all on the new release. For
// an instance that serves customers: web and cron stop, a backup is taken
// with nothing writing, and when -u all fails, by default
// (onUpgradeFailure: rollback) that backup is restored over the database and
// filestore before the previous release serves again; with hold, web and
// cron stay stopped for a person. A copy being prepared (staging, migration)
// upgrades without a backup: its source still has the data.
import type { Release } from '../../app/schema.js';
import { instanceMessages as m } from '../../shared/messages.js';
import { findRelease } from '../context.js';
import { backupDirectory, localPreUpgradePath, preUpgradeBackupJob, preUpgradeName } from '../jobs/backup-job.js';
import { restoreJob, rollbackJobName } from '../jobs/restore-job.js';
import { upgradeJob } from '../jobs/upgrade-job.js';
import { jobName, jobRun, retry, type LifecycleInput, type Step } from './step.js';

/** Where the backup taken before an upgrade goes, for messages. */
export function preUpgradeBackupPlace(input: LifecycleInput, from: string, to: string): string {
  const storage = input.settings.backup.storage;
  return storage === undefined ? localPreUpgradePath(from, to) : `s3://${storage.bucket}/${backupDirectory(input.context, storage)}/pre-upgrade/${preUpgradeName(from, to)}`;
}

/** The steps of an upgrade from release `from` to `to`; with a backup (and its rollback) when `withBackup`. */
export function upgradeSteps(input: LifecycleInput, from: string, to: Release, withBackup: boolean): Step[] {
  const { context, settings } = input;
  const fromRelease = findRelease(context.app, from) ?? to;
  const steps: Step[] = [];
  const place = preUpgradeBackupPlace(input, from, to.version);
  if (withBackup) {
    const job = preUpgradeBackupJob(context, settings.backup, fromRelease, to, jobRun(settings, 'backup'));
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
  const job = upgradeJob(context, from, to, jobRun(settings, 'upgrade'));
  const hold = withBackup && settings.backup.onUpgradeFailure === 'hold';
  const rollback: Step | undefined =
    withBackup && !hold
      ? (() => {
          const restore = restoreJob(
            context,
            settings.backup,
            { name: rollbackJobName(context, from, to.version), release: fromRelease, source: { kind: 'pre-upgrade', from, to: to.version }, mode: 'replace' },
            jobRun(settings, 'restore'),
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
