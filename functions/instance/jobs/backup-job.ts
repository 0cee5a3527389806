// Backups of an instance, in Odoo's own format (a zip of dump.sql,
// filestore/ and manifest.json), off the volume they protect: to the App's
// (or Tenant's) S3-compatible bucket, under
//   <prefix>/<app>/<namespace>/<instance>/scheduled/<YYYYMMDDTHHMMSSZ>.zip
//   <prefix>/<app>/<namespace>/<instance>/pre-upgrade/<from>-to-<to>.zip
// The release image dumps (Python, pg_dump and Odoo are there), the rclone
// image uploads, lists and prunes. Without storage, the backup taken before
// an upgrade stays on the filestore volume under backups/pre-upgrade/, and
// nothing is scheduled.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { releaseImage } from '../../app/release-catalogue.js';
import type { Release } from '../../app/schema.js';
import type { BackupStorage } from '../../shared/backup-schema.js';
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { instanceLabels } from '../labels.js';
import { ODOO_PATHS } from '../odoo-conf.js';
import { containerResources, SECURITY_CONTEXT } from '../odoo-pod.js';
import type { BackupSettings } from '../settings.js';
import { DUMP_PY, RETENTION_PY } from './backup-scripts.js';
import { bash, odooJob, releaseContainer, STEP_LABEL, type JobRun } from './odoo-job.js';

/** The rclone remote the Jobs configure through the environment. */
const REMOTE = 'backup';
const WORK = '/backup';
/** Pre-upgrade backups kept per instance (newest first); older ones are deleted by the next. */
export const PRE_UPGRADE_KEPT = 3;
export const SCHEDULED_BACKUP_STEP = 'scheduled-backup';
export const REPORT_CONTAINER = 'report';

/** The directory of an instance's backups in the bucket: <prefix>/<app>/<namespace>/<instance>. */
export function backupDirectory(context: InstanceContext, storage: BackupStorage, instance = context.name): string {
  return [storage.prefix, context.app.metadata.name, context.namespace, instance].filter((s) => s !== undefined && s !== '').join('/');
}

/** The directory of this tenant's backups (what spec.restore.key is relative to). */
export function tenantBackupDirectory(context: InstanceContext, storage: BackupStorage): string {
  return [storage.prefix, context.app.metadata.name, context.namespace].filter((s) => s !== undefined && s !== '').join('/');
}

export function backupLocation(context: InstanceContext, storage: BackupStorage): string {
  return `s3://${storage.bucket}/${backupDirectory(context, storage)}/`;
}

export function preUpgradeName(from: string, to: string): string {
  return `${from}-to-${to}.zip`;
}

/** Where a backup taken before an upgrade is kept when there is no storage: on the filestore volume. */
export function localPreUpgradePath(from: string, to: string): string {
  return `${ODOO_PATHS.dataDir}/backups/pre-upgrade/${preUpgradeName(from, to)}`;
}

/** rclone's remote "backup", from the environment: the bucket's endpoint, region and the tenant's key. */
export function rcloneEnv(storage: BackupStorage): NonNullable<IContainer['env']> {
  const key = (name: string) => ({ secretKeyRef: { name: storage.credentialsSecretName, key: name } });
  const prefix = `RCLONE_CONFIG_${REMOTE.toUpperCase()}`;
  return [
    { name: `${prefix}_TYPE`, value: 's3' },
    { name: `${prefix}_PROVIDER`, value: 'Other' },
    { name: `${prefix}_ENDPOINT`, value: storage.endpoint },
    { name: `${prefix}_REGION`, value: storage.region },
    { name: `${prefix}_FORCE_PATH_STYLE`, value: String(storage.pathStyle) },
    // The bucket is the DevOps team's: never created or configured from here.
    { name: `${prefix}_NO_CHECK_BUCKET`, value: 'true' },
    { name: `${prefix}_ACCESS_KEY_ID`, valueFrom: key('AWS_ACCESS_KEY_ID') },
    { name: `${prefix}_SECRET_ACCESS_KEY`, valueFrom: key('AWS_SECRET_ACCESS_KEY') },
    { name: 'RCLONE_CONFIG', value: `${WORK}/rclone.conf` },
    { name: 'RCLONE_CACHE_DIR', value: '/tmp/rclone' },
    { name: 'BUCKET', value: storage.bucket },
    ...(storage.caConfigMapName ? [{ name: 'RCLONE_CA_CERT', value: '/etc/backup-ca/ca.crt' }] : []),
  ];
}

/** The volumes a Pod that talks to the bucket adds: its work directory and, when named, the endpoint's CA. */
export function backupVolumes(storage: BackupStorage | undefined): IVolume[] {
  return [{ name: 'backup', emptyDir: {} }, ...(storage?.caConfigMapName ? [{ name: 'backup-ca', configMap: { name: storage.caConfigMapName } }] : [])];
}

const WORK_MOUNT: IVolumeMount = { name: 'backup', mountPath: WORK };

/** A container of the rclone image, as the Pod's user, with the remote configured. */
export function rcloneContainer(name: string, image: string, storage: BackupStorage, script: string, run: JobRun, env: NonNullable<IContainer['env']> = []): IContainer {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c', `set -eu\n${script}`],
    env: [...rcloneEnv(storage), ...env],
    resources: containerResources(run.resources),
    securityContext: SECURITY_CONTEXT,
    volumeMounts: [WORK_MOUNT, { name: 'tmp', mountPath: '/tmp' }, ...(storage.caConfigMapName ? [{ name: 'backup-ca', mountPath: '/etc/backup-ca', readOnly: true }] : [])],
  };
}

function python(script: string, args: string[]): string {
  return `python3 - ${args.join(' ')} <<'PY'\n${script}\nPY`;
}

const dumpScript = (name: string) => `
echo -n "${name}" > ${WORK}/name
${python(DUMP_PY, [`${WORK}/backup.zip`, `${WORK}/meta.json`])}
`.trim();

const SCHEDULED_NAME = '$(date -u +%Y%m%dT%H%M%SZ).zip';

interface BackupPlan {
  /** What kind of backup, and its name in that kind's directory. */
  kind: 'scheduled' | 'pre-upgrade';
  name: string;
}

/**
 * The Pod spec parts of a backup to the bucket: dump (release image),
 * upload and list (rclone), retention plan (release image), prune (rclone),
 * then the report the composer reads: the Pod's termination message.
 */
function toBucket(context: InstanceContext, backup: BackupSettings & { storage: BackupStorage }, image: string, plan: BackupPlan, run: JobRun) {
  const dir = backupDirectory(context, backup.storage);
  const kindDir = `${REMOTE}:$BUCKET/${dir}/${plan.kind}`;
  const dirEnv = [{ name: 'BACKUP_DIR', value: dir }];
  const mounts = [WORK_MOUNT];
  const { daily, weekly, monthly } = backup.retention;
  const initContainers: IContainer[] = [
    releaseContainer(context, image, 'dump', bash(dumpScript(plan.name)), run.resources, { mounts }),
    rcloneContainer(
      'upload',
      backup.image,
      backup.storage,
      [
        `rclone copyto ${WORK}/backup.zip "${kindDir}/$(cat ${WORK}/name)"`,
        `rclone lsf --files-only "${kindDir}/" > ${WORK}/listing`,
        ...(plan.kind === 'pre-upgrade'
          ? // Newest first by time: all but the newest few are pruned.
            [`rclone lsf --files-only --format tp "${kindDir}/" | sort -r | sed -n '${PRE_UPGRADE_KEPT + 1},$p' | cut -d';' -f2 > ${WORK}/prune`]
          : []),
      ].join('\n'),
      run,
      dirEnv,
    ),
    releaseContainer(
      context,
      image,
      'plan',
      bash(
        plan.kind === 'scheduled'
          ? python(RETENTION_PY, [`${WORK}/listing`, `"$(cat ${WORK}/name)"`, `${WORK}/meta.json`, String(daily), String(weekly), String(monthly), `${WORK}/prune`, `${WORK}/summary.json`, `"${dir}/scheduled/$(cat ${WORK}/name)"`])
          : `python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); json.dump({"key": sys.argv[2], "size": m["size"]}, open(sys.argv[3], "w"))' ${WORK}/meta.json "${dir}/pre-upgrade/$(cat ${WORK}/name)" ${WORK}/summary.json`,
      ),
      run.resources,
      { mounts },
    ),
    rcloneContainer('prune', backup.image, backup.storage, `if [ -s ${WORK}/prune ]; then rclone delete "${kindDir}/" --files-from ${WORK}/prune; fi`, run, dirEnv),
  ];
  return { initContainers, command: bash(`cat ${WORK}/summary.json > /dev/termination-log\ncat ${WORK}/summary.json`), mounts, volumes: backupVolumes(backup.storage) };
}

/** The backup taken before an upgrade, with the image of the release the database runs now. */
export function preUpgradeBackupJob(context: InstanceContext, backup: BackupSettings, from: Release, to: Release, run: JobRun): KubeObject {
  const image = releaseImage(context.app, from);
  const name = instanceNames(context.name).job('backup', from.version, 'to', to.version);
  if (backup.storage === undefined) {
    const path = localPreUpgradePath(from.version, to.version);
    const dir = path.slice(0, path.lastIndexOf('/'));
    const script = `
mkdir -p "${dir}"
${python(DUMP_PY, [`"${path}"`, '/tmp/meta.json'])}
# Keep the newest ${PRE_UPGRADE_KEPT}: the volume is what these backups would be lost with.
ls -1t "${dir}"/*.zip | sed -n '${PRE_UPGRADE_KEPT + 1},$p' | xargs -r rm -f --
`.trim();
    return odooJob(context, { name, step: 'backup', release: from, command: bash(script), ...run });
  }
  const storage = backup.storage;
  const parts = toBucket(context, { ...backup, storage }, image, { kind: 'pre-upgrade', name: preUpgradeName(from.version, to.version) }, run);
  return odooJob(context, { name, step: 'backup', container: REPORT_CONTAINER, release: from, command: parts.command, ...run, initContainers: parts.initContainers, mounts: parts.mounts, volumes: parts.volumes });
}

/**
 * Scheduled backups of an instance that serves customers: a CronJob (the
 * cluster's own controller runs it), suspended while the instance
 * transitions so no backup catches a database mid-upgrade.
 */
export function scheduledBackupCronJob(context: InstanceContext, backup: BackupSettings & { storage: BackupStorage }, release: Release, suspend: boolean, run: JobRun): KubeObject {
  const image = releaseImage(context.app, release);
  const parts = toBucket(context, backup, image, { kind: 'scheduled', name: SCHEDULED_NAME }, run);
  const job = odooJob(context, {
    name: instanceNames(context.name).job('backup'),
    step: SCHEDULED_BACKUP_STEP,
    container: REPORT_CONTAINER,
    release,
    command: parts.command,
    ...run,
    initContainers: parts.initContainers,
    mounts: parts.mounts,
    volumes: parts.volumes,
  }) as KubeObject & { spec: Record<string, unknown> };
  const labels = { ...instanceLabels(context, 'backup'), [STEP_LABEL]: SCHEDULED_BACKUP_STEP };
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: instanceNames(context.name).job('backup'), namespace: context.namespace, labels },
    spec: {
      schedule: backup.cron,
      timeZone: 'Etc/UTC',
      suspend,
      concurrencyPolicy: 'Forbid',
      // A run missed by more than an hour waits for the next night.
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: { metadata: { labels }, spec: job.spec },
    },
  };
}

export { REMOTE as BACKUP_REMOTE, WORK as BACKUP_WORK };
