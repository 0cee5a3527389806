// Where and how often instances are backed up: set by the DevOps team in the
// App, overridable by a key account manager per instance type in the Tenant.
// Backups are Odoo's own format (a zip of dump.sql, filestore/ and
// manifest.json) in an S3-compatible bucket.
import { z } from 'zod';
import { dnsSubdomain } from './schema-kit.js';

const s3Bucket = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be an S3 bucket name: 3–63 lowercase letters, digits, "." and "-"' });

/** A key prefix: path segments without empty, "." or ".." parts, no leading or trailing "/". */
const keyPrefix = z
  .string()
  .max(256)
  .regex(/^([A-Za-z0-9_-][A-Za-z0-9_.-]*)(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/, {
    error: 'must be a key prefix such as odoo/backups: segments of letters, digits, "_", "-" and ".", separated by "/"',
  });

export const backupStorage = z
  .object({
    endpoint: z
      .string()
      .max(512)
      .regex(/^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?\/?$/, { error: 'must be an http(s) URL of the S3 endpoint such as https://s3.eu-central-1.amazonaws.com' })
      .describe('S3 endpoint URL, e.g. https://s3.eu-central-1.amazonaws.com or the URL of a MinIO or Ceph gateway.'),
    bucket: s3Bucket.describe('Bucket every backup goes to.'),
    prefix: keyPrefix.optional().describe('Key prefix inside the bucket; backups go under <prefix>/<app>/<namespace>/<instance>/.'),
    region: z.string().regex(/^[a-z0-9-]{1,32}$/).default('us-east-1').describe('Region of the bucket.'),
    credentialsSecretName: dnsSubdomain.describe(
      'Secret, in each tenant namespace, with the S3 access key: keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. A key per tenant, allowed only its own prefix, keeps tenants out of each other’s backups.',
    ),
    pathStyle: z.boolean().default(true).describe('Address the bucket in the path (MinIO, Ceph and most S3-compatible servers) rather than as a virtual host.'),
    caConfigMapName: dnsSubdomain
      .optional()
      .describe('ConfigMap, in each tenant namespace, with ca.crt: the CA the endpoint’s certificate is checked against, when it is not a public one.'),
  })
  .describe('An S3-compatible bucket.');
export type BackupStorage = z.infer<typeof backupStorage>;

const cronSchedule = z
  .string()
  .max(128)
  .regex(/^(\S+\s+){4}\S+$/, { error: 'must be a cron schedule of five fields such as "30 2 * * *"' });

export const backupPolicyFields = {
  storage: backupStorage.optional().describe('Where backups go. Without it, instances get no scheduled backups, and the backup before an upgrade stays on the filestore volume.'),
  schedule: z
    .object({
      cron: cronSchedule.optional().describe('Cron schedule (UTC) of the scheduled backups. Default: once a day, at a minute of the window derived from the instance, so tenants do not all back up at once.'),
      windowStartHour: z.number().int().min(0).max(23).optional().describe('First hour (UTC) of the nightly window. Default 1.'),
      windowHours: z.number().int().min(1).max(24).optional().describe('Length of the nightly window in hours. Default 4.'),
    })
    .optional()
    .describe('When scheduled backups run.'),
  retention: z
    .object({
      daily: z.number().int().min(1).max(366).optional().describe('Newest backups of distinct days to keep. Default 7.'),
      weekly: z.number().int().min(0).max(520).optional().describe('Newest backups of distinct ISO weeks to keep. Default 4.'),
      monthly: z.number().int().min(0).max(240).optional().describe('Newest backups of distinct months to keep. Default 3.'),
    })
    .optional()
    .describe('Which scheduled backups are kept; the others are deleted after each successful backup.'),
  image: z
    .string()
    .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/)
    .optional()
    .describe('Image with rclone that uploads, lists and prunes backups. Default docker.io/rclone/rclone:1.76.0.'),
  onUpgradeFailure: z
    .enum(['rollback', 'hold'])
    .optional()
    .describe('rollback (default): restore the backup taken before the upgrade, then serve the previous release again. hold: keep web and cron stopped for a person.'),
};

/** A layer of backup settings: every field optional, App → Tenant type spec. */
export const backupPolicy = z.object(backupPolicyFields).describe('Backups of instances that serve customers (production, and whatever instance the tenant routes as primary).');
export type BackupPolicy = z.infer<typeof backupPolicy>;

/**
 * Backup fields a Tenant holds only because the layer is shared with the
 * App: where backups go (storage: endpoint, bucket, the Secret with the S3
 * key) and the image that runs beside that key and the whole backup. Set in
 * a Tenant, they would send a tenant's backups, or its namespace's key, to
 * whoever the tenant names: the XRD refuses them, and the function ignores
 * them in Tenants stored before that (with a warning).
 */
export const APP_ONLY_BACKUP_FIELDS = ['storage', 'image'] as const;

/** The backup layer of a Tenant's instance type: schedule, retention, onUpgradeFailure. */
export const tenantBackupPolicy = backupPolicy.meta({
  'x-kubernetes-validations': [
    {
      rule: '!has(self.storage)',
      message: 'backup.storage is the App’s (spec.backup.storage): where backups go, and with which key, is set by the DevOps team; remove it from the Tenant',
    },
    { rule: '!has(self.image)', message: 'backup.image is the App’s (spec.backup.image): it runs beside the S3 key and the whole backup; remove it from the Tenant' },
  ],
});

export const BACKUP_DEFAULTS = {
  image: 'docker.io/rclone/rclone:1.76.0',
  windowStartHour: 1,
  windowHours: 4,
  retention: { daily: 7, weekly: 4, monthly: 3 },
  onUpgradeFailure: 'rollback',
} as const;

/** How long each lifecycle step may run before Kubernetes stops it (activeDeadlineSeconds). */
export const JOB_DEADLINE_STEPS = ['init', 'initSQL', 'copy', 'neutralize', 'backup', 'restore', 'upgrade', 'migrate', 'test'] as const;
export type JobDeadlineStep = (typeof JOB_DEADLINE_STEPS)[number];

export const JOB_DEADLINE_DEFAULTS: Readonly<Record<JobDeadlineStep, number>> = {
  init: 3600,
  initSQL: 600,
  copy: 7200,
  neutralize: 900,
  backup: 7200,
  restore: 7200,
  upgrade: 10800,
  migrate: 21600,
  test: 7200,
};

export const jobDeadlines = z
  .object(Object.fromEntries(JOB_DEADLINE_STEPS.map((s) => [s, z.number().int().min(60).max(604800).optional().describe(`Seconds the ${s} Job may run. Default ${JOB_DEADLINE_DEFAULTS[s]}.`)])) as Record<JobDeadlineStep, z.ZodOptional<z.ZodNumber>>)
  .describe('Deadlines of the lifecycle Jobs: a Job past its deadline fails like any failed Job, so a hung step (an upgrade waiting on a lock) cannot keep an instance stopped for ever.');
