// The Instance: one Odoo database with its code, declared by the end user.
import { z } from 'zod';
import { autoscaling, sizing } from '../shared/instance-spec-kit.js';
import { compositeResource, dnsLabel, dnsSubdomain, odooLanguages, odooTestTags } from '../shared/schema-kit.js';

/** A key of a backup below its tenant's directory: path segments, no "..", ending in .zip. */
const backupKey = z
  .string()
  .max(512)
  .regex(/^([a-z0-9][a-z0-9-]*)(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*\.zip$/, {
    error: 'must be a backup key below this tenant’s directory, such as prod/scheduled/20261126T013000Z.zip',
  });

export const INSTANCE_API_VERSION = 'instance.odoo.io/v1alpha1';
export const INSTANCE_KIND = 'Instance';

export const INSTANCE_TYPES = ['production', 'migration', 'staging', 'testing'] as const;
export type InstanceType = (typeof INSTANCE_TYPES)[number];

const keyRef = z.object({
  // initSQLRefRefused (jobs/init-sql-job.ts) refuses any other name.
  name: dnsSubdomain.describe('Name of the ConfigMap or Secret: it must be named after the instance, such as <instance>-init-sql.'),
  key: z.string().min(1).regex(/^[-._a-zA-Z0-9]+$/).describe('Key holding the SQL.'),
});

export const instanceSpec = z.object({
  tenantRef: z.object({ name: dnsLabel.describe('Name of the Tenant, in this namespace.') }).describe('The Tenant this instance belongs to.'),
  release: z
    .string()
    .regex(/^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/, {
      error: 'must be a release version of the App, such as 1.4.1',
    })
    .optional()
    .describe('Release of the App to run. Changing it within a series upgrades the instance in place (backup first). A migration instance may leave it out when its tenant sets spec.migration.targetRelease.'),
  type: z
    .enum(INSTANCE_TYPES)
    .default('production')
    .describe('production: the real database. staging: a neutralized copy. migration: a copy moved to a newer series, ready to promote. testing: demo data and tests.'),
  initModules: z
    .array(z.string().regex(/^[a-z0-9_]+$/, { error: 'must be an Odoo module name such as sale_management' }))
    .default([])
    .meta({ 'x-kubernetes-list-type': 'set' })
    .describe('Modules installed when the database is created (base is always installed).'),
  languages: odooLanguages
    .optional()
    .describe('Languages loaded into the database when it is created (Odoo --load-language), e.g. [fr_FR, en_US]. The first is the database’s language (partners and the company get it); English is installed only when listed, or when none is. Default the tenant’s spec.languages. A language added later is installed from Odoo’s Settings.'),
  initSQL: z
    .object({
      inline: z.string().min(1).optional().describe('SQL text, run once after the modules are installed.'),
      configMapKeyRef: keyRef.optional().describe('SQL from a ConfigMap key in this namespace.'),
      secretKeyRef: keyRef.optional().describe('SQL from a Secret key in this namespace, for SQL that holds credentials.'),
    })
    .superRefine((sql, ctx) => {
      const given = ['inline', 'configMapKeyRef', 'secretKeyRef'].filter((k) => sql[k as keyof typeof sql] !== undefined);
      if (given.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message: given.length === 0 ? 'needs one of inline, configMapKeyRef or secretKeyRef' : `sets ${given.join(' and ')}; keep exactly one`,
        });
      }
    })
    .meta({
      'x-kubernetes-validations': [
        {
          rule: '[has(self.inline), has(self.configMapKeyRef), has(self.secretKeyRef)].filter(x, x).size() == 1',
          message: 'initSQL needs exactly one of inline, configMapKeyRef or secretKeyRef',
        },
      ],
    })
    .optional()
    .describe('SQL run once after initialization, e.g. to set company data.'),
  testTags: odooTestTags
    .max(1024)
    .optional()
    .describe('For testing instances: Odoo --test-tags of this instance, e.g. /sale_management or my_tag. Default the tenant\'s spec.testing.testTags.'),
  source: z
    .object({ instance: dnsLabel.describe('Instance in this namespace to copy from.') })
    .optional()
    .describe('For staging and migration instances: the instance to copy. Default the tenant’s primary instance.'),
  restore: z
    .object({
      key: backupKey
        .optional()
        .describe('A backup of this tenant: its key below <prefix>/<app>/<namespace>/ in the backup storage, e.g. prod/scheduled/20261126T013000Z.zip.'),
      latestOf: dnsLabel.optional().describe('The newest scheduled backup of this instance of the namespace (it may since have been deleted).'),
    })
    .superRefine((r, ctx) => {
      if ((r.key === undefined) === (r.latestOf === undefined)) ctx.addIssue({ code: 'custom', message: 'needs exactly one of key or latestOf' });
    })
    .meta({ 'x-kubernetes-validations': [{ rule: 'has(self.key) != has(self.latestOf)', message: 'restore needs exactly one of key or latestOf' }] })
    .optional()
    .describe('Create the database from a backup (Odoo’s zip format) instead of initializing it (production) or copying another instance (staging: then neutralized). For disaster recovery, or to look at an old state.'),
  ...sizing,
  autoscaling,
  deletionProtection: z
    .boolean()
    .optional()
    .describe('Refuse deletion of the Instance, its database and filestore (the App’s ValidatingAdmissionPolicy; status.deletionProtection says when it applies). Default true for instances that serve customers: production, and whatever instance the tenant routes as primary.'),
  dataRetention: z
    .enum(['Retain', 'Delete'])
    .optional()
    .describe('What deleting the Instance does to its PostgreSQL database and role: Retain leaves them (provider-sql lets go of them), Delete drops them. Default Retain for instances that serve customers, Delete otherwise.'),
}).meta({
  'x-kubernetes-validations': [
    { rule: "!has(self.autoscaling) || self.type == 'production'", message: 'spec.autoscaling is for production instances: remove it, or set replicas' },
    { rule: 'self.type == oldSelf.type', message: 'spec.type cannot change once set: create a new instance of the other type (a copy or a restore of this one)' },
    { rule: 'self.tenantRef == oldSelf.tenantRef', message: 'spec.tenantRef cannot change once set: an instance belongs to one tenant' },
    { rule: '!has(oldSelf.source) || (has(self.source) && self.source == oldSelf.source)', message: 'spec.source cannot change once set: create a new copy instead' },
    { rule: '!has(oldSelf.restore) || (has(self.restore) && self.restore == oldSelf.restore)', message: 'spec.restore cannot change once set: create a new instance to restore another backup' },
  ],
});
export type InstanceSpec = z.infer<typeof instanceSpec>;

export const instanceResource = compositeResource(INSTANCE_API_VERSION, INSTANCE_KIND, instanceSpec);
export type Instance = z.infer<typeof instanceResource>;

export const PHASES = [
  'WaitingForSource',
  'Provisioning',
  'Initializing',
  'InitializationFailed',
  'Copying',
  'CopyFailed',
  'Neutralizing',
  'NeutralizationFailed',
  'Migrating',
  'MigrationFailed',
  'Starting',
  'Running',
  'BackingUp',
  'BackupFailed',
  'Upgrading',
  'UpgradeFailed',
  'Testing',
  'Passed',
  'Failed',
  'Restoring',
  'RestoreFailed',
  'RollingBack',
  'RollbackFailed',
  'Retired',
] as const;
export type Phase = (typeof PHASES)[number];

export const instanceStatus = z.object({
  databaseName: z.string().optional().describe('PostgreSQL database (and role) of this instance.'),
  adminLoginSecret: z.string().optional().describe('A production database this function created: the Secret in this namespace with its administrator’s login and password (keys login, password), as set at creation. Changing the password in Odoo does not change the Secret.'),
  databaseCType: z.string().optional().describe('LC_CTYPE of its database: C.UTF-8 (case folds in every script) for databases created after function-odoo 0.1; C (ASCII only) for those 0.1 created, which keep it (see the DevOps guide).'),
  phase: z.enum(PHASES).optional().describe('Where the instance is in its lifecycle.'),
  rehearsalSeconds: z.number().int().optional().describe('A migration instance: how long its rehearsal’s Jobs took (copy, migration, upgrade), the downtime to expect from its cut-over, plus its web Pods’ start.'),
  cutOverFrom: z.string().optional().describe('A migration instance: the primary it took over at the cut-over (stopped, copied again and migrated); the tenant routes its base host here once this is set and it runs.'),
  cutOverToken: z.number().int().optional().describe('With cutOverFrom: which promotion of the tenant (its status.cutOver.token) the cut-over was for.'),
  retiredBy: z.string().optional().describe('The migration instance that took this instance’s data over at a cut-over: this one stays stopped, its database as it was then.'),
  runningRelease: z.string().optional().describe('Release the web and cron Pods run now; kept while the web Deployment is gone, so it is composed again on that release.'),
  rolledBack: z.string().optional().describe('The upgrade Job whose failure was rolled back: nothing of that upgrade runs again until spec.release changes.'),
  transitioning: z.boolean().optional().describe('True in every phase that is not steady; the tenant locks its routes meanwhile.'),
  serving: z.boolean().optional().describe('True while a web Pod answers on the instance’s host; false routes the host to the tenant’s maintenance page.'),
  expired: z.boolean().optional().describe('A testing instance past its tenant’s testing.lifetime: web and cron are stopped.'),
  deletionProtection: z.boolean().optional().describe('Whether deleting this Instance, its filestore claim and (dataRetention: Delete) its Database object is refused now (the App’s ValidatingAdmissionPolicy reads it).'),
  url: z.string().optional().describe('Where users reach the instance.'),
  activeJob: z.string().optional().describe('The lifecycle Job the phase waits for.'),
  backup: z
    .object({
      lastSuccessful: z
        .object({
          time: z.string().describe('When it was taken.'),
          key: z.string().describe('Its key in the bucket.'),
          size: z.number().int().describe('Its size in bytes.'),
        })
        .optional()
        .describe('The newest scheduled backup that succeeded: when, its key in the bucket, its size in bytes.'),
      kept: z.number().int().optional().describe('Scheduled backups kept after the last one (retention).'),
      schedule: z.string().optional().describe('Cron schedule (UTC) of the scheduled backups.'),
      location: z.string().optional().describe('Where this instance’s backups go: s3://<bucket>/<prefix>/<app>/<namespace>/<instance>/.'),
    })
    .optional()
    .describe('Backups of an instance that serves customers.'),
});
export type InstanceStatus = z.infer<typeof instanceStatus>;
