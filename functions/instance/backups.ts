// Scheduled backups of an instance that serves customers, and what the
// instance says about them: the CronJob, and the last successful backup (time,
// key, size, how many kept) read from the termination message of the backup
// Pods Kubernetes keeps (successfulJobsHistoryLimit), which the composer asks
// Crossplane for.
import type { KubeObject, ObservedObject, RequiredSelector, XrCondition } from '../shared/composition.js';
import { LABEL } from '../shared/labels.js';
import { record } from '../shared/observed.js';
import type { Release } from '../app/schema.js';
import type { InstanceContext } from './context.js';
import { backupLocation, REPORT_CONTAINER, SCHEDULED_BACKUP_STEP, scheduledBackupCronJob } from './jobs/backup-job.js';
import { STEP_LABEL } from './jobs/odoo-job.js';
import type { InstanceSettings } from './settings.js';

/** Key of the required backup Pods of the instance. */
export const BACKUP_PODS = 'scheduled-backup-pods';
export const BACKUP_CRONJOB_KEY = 'backup-schedule';

export function backupPodsSelector(namespace: string, instanceName: string): RequiredSelector {
  return { apiVersion: 'v1', kind: 'Pod', namespace, matchLabels: { [LABEL.odooInstance]: instanceName, [STEP_LABEL]: SCHEDULED_BACKUP_STEP } };
}

export interface BackupReport {
  time: string;
  key: string;
  size: number;
  kept: number;
}

function report(pod: ObservedObject): BackupReport | undefined {
  const statuses = (record(pod.status).containerStatuses ?? []) as { name?: string; state?: { terminated?: { exitCode?: number; message?: string } } }[];
  const terminated = statuses.find((s) => s.name === REPORT_CONTAINER)?.state?.terminated;
  if (terminated?.exitCode !== 0 || terminated.message === undefined) return undefined;
  try {
    const r = JSON.parse(terminated.message) as Partial<BackupReport>;
    if (typeof r.time !== 'string' || typeof r.key !== 'string' || typeof r.size !== 'number' || typeof r.kept !== 'number') return undefined;
    return { time: r.time, key: r.key, size: r.size, kept: r.kept };
  } catch {
    return undefined;
  }
}

function created(pod: ObservedObject): string {
  const t = record(pod.metadata).creationTimestamp;
  return typeof t === 'string' ? t : '';
}

/** The CronJob of an instance that serves customers and has storage, once it runs a release. */
export function scheduledBackups(context: InstanceContext, settings: InstanceSettings, running: Release | undefined, transitioning: boolean): { key: string; object: KubeObject }[] {
  const storage = settings.backup.storage;
  if (!settings.servesCustomers || storage === undefined || running === undefined) return [];
  const run = { resources: settings.resources.jobs, deadline: settings.deadlines.backup };
  return [{ key: BACKUP_CRONJOB_KEY, object: scheduledBackupCronJob(context, { ...settings.backup, storage }, running, transitioning, run) }];
}

function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** status.backup and the BackupReady condition, for an instance that serves customers. */
export function backupState(
  context: InstanceContext,
  settings: InstanceSettings,
  pods: readonly ObservedObject[] | undefined,
): { status: Record<string, unknown> | undefined; condition: XrCondition | undefined } {
  if (!settings.servesCustomers) return { status: undefined, condition: undefined };
  const storage = settings.backup.storage;
  const condition = (status: 'True' | 'False', reason: string, message: string): XrCondition => ({ type: 'BackupReady', status, reason, message });
  if (storage === undefined) {
    return {
      status: undefined,
      condition: condition('False', 'NoStorage', 'No backup storage is set (App spec.backup.storage): no scheduled backups; the backup before each upgrade stays on the filestore volume'),
    };
  }
  const location = backupLocation(context, storage);
  const sorted = [...(pods ?? [])].sort((a, b) => created(b).localeCompare(created(a)));
  const reports = sorted.map(report).filter((r): r is BackupReport => r !== undefined).sort((a, b) => b.time.localeCompare(a.time));
  const last = reports[0];
  const status = { schedule: settings.backup.cron, location, ...(last ? { lastSuccessful: { time: last.time, key: last.key, size: last.size }, kept: last.kept } : {}) };
  const newest = sorted[0];
  if (newest !== undefined && record(newest.status).phase === 'Failed') {
    const name = String(record(newest.metadata).name ?? '');
    return {
      status,
      condition: condition('False', 'BackupFailed', `The last scheduled backup failed (Pod ${name}): read kubectl logs -n ${context.namespace} ${name} --all-containers; ${last ? `the newest good backup is ${last.key} of ${last.time}` : 'no backup has succeeded yet'}`),
    };
  }
  if (last === undefined) {
    return { status, condition: condition('False', 'NoBackupYet', `No scheduled backup yet; they run at "${settings.backup.cron}" (UTC) to ${location}`) };
  }
  return { status, condition: condition('True', 'Available', `Last backup ${last.time}: ${last.key} (${humanSize(last.size)}); ${last.kept} kept`) };
}
