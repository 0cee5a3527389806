// Restores a backup (Odoo's zip) into the instance's database and filestore,
// as the instance's own role: the rclone image fetches it from the bucket,
// the release image restores it (restore.py checks the Odoo series first).
// Used for spec.restore (disaster recovery into a new production instance,
// or a staging instance from a backup, which then gets an identity of its
// own and is neutralized) and to roll back a failed upgrade.
import type { Release } from '../../app/schema.js';
import type { BackupStorage } from '../../shared/backup-schema.js';
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import type { BackupSettings } from '../settings.js';
import { BACKUP_REMOTE, BACKUP_WORK, backupDirectory, backupVolumes, localPreUpgradePath, preUpgradeName, rcloneContainer, tenantBackupDirectory } from './backup-job.js';
import { RESTORE_PY } from './backup-scripts.js';
import { COPY_IDENTITY_SCRIPT } from './copy-job.js';
import { prepareDatabaseCommand } from '../database.js';
import { emptyDatabaseCheck } from './fresh-database.js';
import { ownReportUrlCommand, reportUrlEnv } from './report-url.js';
import { bash, odooJob, type JobRun } from './odoo-job.js';

/** Which backup to restore. */
export type BackupSource =
  | { kind: 'key'; key: string }
  | { kind: 'latest'; instance: string }
  | { kind: 'pre-upgrade'; from: string; to: string };

export interface RestoreSpec {
  name: string;
  /** The release whose image restores: the backup must be of its series. */
  release: Release;
  source: BackupSource;
  /** fresh: into the empty database of a new instance. replace: over what the database holds. */
  mode: 'fresh' | 'replace';
  /** A copy of another database: give it its own identity and URL (staging). */
  ownIdentity?: { url: string };
}

function restoreCommand(context: InstanceContext, spec: RestoreSpec, archive: string): string[] {
  const guard = spec.mode === 'fresh' ? `${emptyDatabaseCheck(context.databaseName)}\n` : '';
  const script = `${guard}python3 - "${archive}" ${spec.mode} ${spec.release.series} <<'PY'\n${RESTORE_PY}\nPY\n${prepareDatabaseCommand()}\n${spec.ownIdentity ? COPY_IDENTITY_SCRIPT : ownReportUrlCommand()}`;
  return bash(script);
}

function fetchScript(context: InstanceContext, storage: BackupStorage, source: BackupSource): string {
  const target = `${BACKUP_WORK}/backup.zip`;
  switch (source.kind) {
    case 'key':
      return `rclone copyto "${BACKUP_REMOTE}:$BUCKET/${tenantBackupDirectory(context, storage)}/${source.key}" ${target}`;
    case 'pre-upgrade':
      return `rclone copyto "${BACKUP_REMOTE}:$BUCKET/${backupDirectory(context, storage)}/pre-upgrade/${preUpgradeName(source.from, source.to)}" ${target}`;
    case 'latest': {
      const dir = `${BACKUP_REMOTE}:$BUCKET/${backupDirectory(context, storage, source.instance)}/scheduled`;
      return [
        `name=$(rclone lsf --files-only "${dir}/" | grep -E '^[0-9]{8}T[0-9]{6}Z[.]zip$' | sort | tail -n 1)`,
        `if [ -z "$name" ]; then echo "no scheduled backup of instance ${source.instance} in ${dir}/" >&2; exit 1; fi`,
        'echo "restoring $name"',
        `rclone copyto "${dir}/$name" ${target}`,
      ].join('\n');
    }
  }
}

export function restoreJob(context: InstanceContext, backup: BackupSettings, spec: RestoreSpec, run: JobRun): KubeObject {
  const step = spec.source.kind === 'pre-upgrade' ? 'rollback' : 'restore';
  if (backup.storage === undefined) {
    // Only a rollback comes without storage: from the backup the upgrade left on the volume.
    if (spec.source.kind !== 'pre-upgrade') throw new Error('a restore from a key or the latest backup needs backup storage');
    return odooJob(context, { name: spec.name, step, release: spec.release, command: restoreCommand(context, spec, localPreUpgradePath(spec.source.from, spec.source.to)), ...run, env: restoreEnv(context, spec) });
  }
  const fetch = rcloneContainer('fetch', backup.image, backup.storage, fetchScript(context, backup.storage, spec.source), run);
  return odooJob(context, {
    name: spec.name,
    step,
    release: spec.release,
    command: restoreCommand(context, spec, `${BACKUP_WORK}/backup.zip`),
    ...run,
    initContainers: [fetch],
    mounts: [{ name: 'backup', mountPath: BACKUP_WORK }],
    volumes: backupVolumes(backup.storage),
    env: restoreEnv(context, spec),
  });
}

function restoreEnv(context: InstanceContext, spec: RestoreSpec): { name: string; value: string }[] {
  return [...(spec.ownIdentity ? [{ name: 'INSTANCE_URL', value: spec.ownIdentity.url }] : []), reportUrlEnv(context)];
}

export function restoreJobName(context: InstanceContext): string {
  return instanceNames(context.name).job('restore');
}

export function rollbackJobName(context: InstanceContext, from: string, to: string): string {
  return instanceNames(context.name).job('rollback', from, 'to', to);
}

