// Production data is never lost: off-site backups on a schedule in Odoo's
// format, restore into a new instance, protection that follows the data
// (production and whatever the tenant routes as primary), one cron per
// customer, immutable type and tenant, deadlines on every Job.
import { Ready } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { spreadSchedule } from '../../functions/instance/settings.js';
import { emptyDatabaseCheck } from '../../functions/instance/jobs/fresh-database.js';
import { app, Cluster, example, guardedFromDeletion, jobNames, replicas, requiredObjects, tenantOf, type Obj, type Reconcile } from '../support/world.js';

const production = (): Obj => ({ ...example('instance-production.yaml'), metadata: { name: 'prod', namespace: 'acme', uid: 'u-prod' } });
const staging = (): Obj => ({ ...example('instance-staging.yaml'), metadata: { name: 'staging', namespace: 'acme', uid: 'u-staging' } });

const STORAGE = { endpoint: 'https://s3.eu-central-1.amazonaws.com', bucket: 'acme-odoo-backups', prefix: 'odoo', region: 'eu-central-1', credentialsSecretName: 'odoo-backup-s3' };

function withStorage(edit: (o: Obj[]) => void = () => undefined): Obj[] {
  const required = requiredObjects();
  app(required).spec.backup = { storage: STORAGE };
  edit(required);
  return required;
}

function backupPod(name: string, created: string, outcome: 'Succeeded' | 'Failed', report?: object): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'acme', creationTimestamp: created, labels: { 'odoo.io/instance': 'prod', 'odoo.io/lifecycle-step': 'scheduled-backup' } },
    status: {
      phase: outcome,
      containerStatuses: [{ name: 'report', state: { terminated: { exitCode: outcome === 'Succeeded' ? 0 : 1, ...(report ? { message: JSON.stringify(report) } : {}) } } }],
    },
  };
}

describe('scheduled backups', () => {
  it('are a CronJob of the cluster for an instance that serves customers, at a minute of the nightly window derived from it, suspended while it transitions', async () => {
    const c = new Cluster(production(), withStorage());
    const r = await c.until('Running');
    const cron = r.resources['backup-schedule']!;
    expect(cron.kind).toBe('CronJob');
    // A schedule is in place once it exists: a backed-up instance is Ready, and settles on the steady TTL.
    const steady = await c.reconcile();
    expect(steady.rsp.desired?.resources['backup-schedule']?.ready).toBe(Ready.READY_TRUE);
    expect(steady.rsp.meta?.ttl?.seconds).toBe(600);
    expect(cron.spec).toMatchObject({ schedule: spreadSchedule('acme', 'prod', 1, 4), timeZone: 'Etc/UTC', suspend: false, concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 3 });
    expect(spreadSchedule('acme', 'prod', 1, 4)).toMatch(/^\d{1,2} [1-4] \* \* \*$/);
    expect(spreadSchedule('acme', 'prod', 1, 4)).not.toBe(spreadSchedule('acme', 'other', 1, 4));
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect([...pod.initContainers.map((x: Obj) => x.name), ...pod.containers.map((x: Obj) => x.name)]).toEqual(['configure', 'dump', 'upload', 'plan', 'prune', 'report']);
    expect(cron.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(7200);
    const upload = pod.initContainers.find((x: Obj) => x.name === 'upload');
    expect(upload.image).toBe('docker.io/rclone/rclone:1.76.0');
    expect(upload.command[2]).toContain('rclone copyto /backup/backup.zip "backup:$BUCKET/odoo/acme/acme/prod/scheduled/$(cat /backup/name)"');
    // The key is a Secret the DevOps team puts in the tenant namespace; nothing of it is in the object.
    expect(upload.env).toContainEqual({ name: 'RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'odoo-backup-s3', key: 'AWS_SECRET_ACCESS_KEY' } } });
    c.xr.spec.release = '1.4.2';
    const upgrading = await c.reconcile();
    expect(upgrading.resources['backup-schedule']!.spec.suspend).toBe(true);
  });

  it('are not composed for a copy that does not serve customers, nor without storage, where the instance says so', async () => {
    const s = await new Cluster(staging(), withStorage()).until('Running');
    expect(s.resources['backup-schedule']).toBeUndefined();
    expect(s.conditions.BackupReady).toBeUndefined();
    const p = await new Cluster(production()).until('Running');
    expect(p.resources['backup-schedule']).toBeUndefined();
    expect(p.conditions.BackupReady).toMatchObject({ status: 3, reason: 'NoStorage' });
  });

  it('are read for a staging copy the tenant routes as primary, too: it holds the customer’s data then', async () => {
    const required = withStorage();
    tenantOf(required).status.primaryInstance = 'staging';
    const r = await new Cluster(staging(), required).until('Running');
    expect(r.resources['backup-schedule']).toBeDefined();
    expect(r.rsp.requirements?.resources?.['scheduled-backup-pods']).toEqual({ apiVersion: 'v1', kind: 'Pod', namespace: 'acme', matchLabels: { labels: { 'odoo.io/instance': 'staging', 'odoo.io/lifecycle-step': 'scheduled-backup' } } });
  });

  it('report the last successful backup from the backup Pods Kubernetes keeps, and a failed one as a condition', async () => {
    const required = withStorage();
    const c = new Cluster(production(), required);
    const none = await c.until('Running');
    expect(none.rsp.requirements?.resources?.['scheduled-backup-pods']).toEqual({ apiVersion: 'v1', kind: 'Pod', namespace: 'acme', matchLabels: { labels: { 'odoo.io/instance': 'prod', 'odoo.io/lifecycle-step': 'scheduled-backup' } } });
    expect(none.conditions.BackupReady).toMatchObject({ status: 3, reason: 'NoBackupYet' });
    const report = { time: '2026-11-26T02:17:03Z', key: 'odoo/acme/acme/prod/scheduled/20261126T021703Z.zip', size: 3_355_443, kept: 7 };
    required.push(backupPod('prod-backup-29401337-abcde', '2026-11-26T02:17:00Z', 'Succeeded', report));
    const ok = await c.reconcile();
    expect(ok.status.backup).toEqual({
      schedule: spreadSchedule('acme', 'prod', 1, 4),
      location: 's3://acme-odoo-backups/odoo/acme/acme/prod/',
      lastSuccessful: { time: report.time, key: report.key, size: report.size },
      kept: 7,
    });
    expect(ok.conditions.BackupReady).toEqual({ status: 2, reason: 'Available', message: 'Last backup 2026-11-26T02:17:03Z: odoo/acme/acme/prod/scheduled/20261126T021703Z.zip (3.2 MiB); 7 kept' });
    required.push(backupPod('prod-backup-29402777-fghij', '2026-11-27T02:17:00Z', 'Failed'));
    const failed = await c.reconcile();
    expect(failed.status.backup.lastSuccessful.key).toBe(report.key);
    expect(failed.conditions.BackupReady).toEqual({
      status: 3,
      reason: 'BackupFailed',
      message: `The last scheduled backup failed (Pod prod-backup-29402777-fghij): read kubectl logs -n acme prod-backup-29402777-fghij --all-containers; the newest good backup is ${report.key} of ${report.time}`,
    });
  });

  it('before an upgrade go to the bucket under pre-upgrade/<from>-to-<to>.zip, dumped by the release the database runs', async () => {
    const c = new Cluster(production(), withStorage());
    await c.until('Running');
    c.xr.spec.release = '1.4.2';
    const r = await c.untilJob('prod-backup-1-4-1-to-1-4-2');
    expect(r.phase).toBe('BackingUp');
    const pod = r.resources['job-prod-backup-1-4-1-to-1-4-2']!.spec.template.spec;
    expect(pod.initContainers.find((x: Obj) => x.name === 'dump').image).toBe('registry.acme.example/odoo/acme:1.4.1');
    expect(pod.initContainers.find((x: Obj) => x.name === 'upload').command[2]).toContain('"backup:$BUCKET/odoo/acme/acme/prod/pre-upgrade/$(cat /backup/name)"');
    expect(pod.initContainers.find((x: Obj) => x.name === 'dump').command[2]).toContain('echo -n "1.4.1-to-1.4.2.zip" > /backup/name');
    expect(r.conditions.Lifecycle?.message).toContain('to s3://acme-odoo-backups/odoo/acme/acme/prod/pre-upgrade/1.4.1-to-1.4.2.zip before upgrading 1.4.1 → 1.4.2');
  });

  it('follow the tenant’s schedule and retention for the instance type over the App’s; where they go and the image that takes them stay the App’s', async () => {
    const required = withStorage((o) => {
      // A Tenant stored before its XRD refused storage and image: a bucket and an image of the tenant's choosing.
      tenantOf(o).spec.production = { backup: { schedule: { cron: '0 3 * * *' }, retention: { daily: 14 }, storage: { ...STORAGE, endpoint: 'https://s3.tenant.example', bucket: 'tenant-own-bucket' }, image: 'tenant.example/rclone:evil' } };
    });
    const r = await new Cluster(production(), required).until('Running');
    expect(r.resources['backup-schedule']!.spec.schedule).toBe('0 3 * * *');
    const pod = r.resources['backup-schedule']!.spec.jobTemplate.spec.template.spec;
    const plan = pod.initContainers.find((x: Obj) => x.name === 'plan');
    expect(plan.command[2]).toContain('/backup/meta.json 14 4 3 /backup/prune');
    expect(r.status.backup.location).toBe('s3://acme-odoo-backups/odoo/acme/acme/prod/');
    const everything = JSON.stringify(r.resources);
    expect(everything).not.toContain('tenant-own-bucket');
    expect(everything).not.toContain('s3.tenant.example');
    expect(everything).not.toContain('tenant.example/rclone');
  });
});

describe('restore', () => {
  it('creates a production instance from a backup instead of initializing it', async () => {
    const x = production();
    x.spec.restore = { key: 'prod/scheduled/20261126T021703Z.zip' };
    const c = new Cluster(x, withStorage());
    const phases: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) phases.push((await c.reconcile()).phase);
    const job = c.last!.resources['job-prod-restore']!;
    for (let i = 0; i < 3; i++) phases.push((await c.reconcile()).phase);
    expect(phases).toEqual(['Provisioning', 'Provisioning', 'Restoring', 'Starting', 'Running', 'Running']);
    expect(job.spec.template.spec.initContainers.find((x: Obj) => x.name === 'fetch').command[2]).toContain('rclone copyto "backup:$BUCKET/odoo/acme/acme/prod/scheduled/20261126T021703Z.zip" /backup/backup.zip');
    expect(job.spec.template.spec.containers[0].command[2]).toContain('python3 - "/backup/backup.zip" fresh 17.0');
    // Into an empty database only: one that holds Odoo's tables (an Instance created again over a retained database) is refused first.
    expect(job.spec.template.spec.containers[0].command[2].indexOf(emptyDatabaseCheck('acme_prod'))).toBe('set -euo pipefail\n'.length);
  });

  it('creates a staging instance from the newest backup of another, gives it its own identity, and neutralizes it', async () => {
    const x = staging();
    delete x.spec.source;
    x.spec.restore = { latestOf: 'prod' };
    const c = new Cluster(x, withStorage());
    const seen: [string | undefined, string[]][] = [];
    for (let i = 0; i < 5; i++) {
      const r = await c.reconcile();
      seen.push([r.phase, jobNames(r).sort()]);
    }
    expect(seen).toEqual([
      ['Provisioning', []],
      ['Provisioning', []],
      ['Restoring', ['staging-restore']],
      ['Neutralizing', ['staging-neutralize', 'staging-restore']],
      ['Starting', ['staging-neutralize', 'staging-restore']],
    ]);
    const restore = c.observed['job-staging-restore']!.spec.template.spec;
    expect(restore.initContainers.find((x: Obj) => x.name === 'fetch').command[2]).toContain('rclone lsf --files-only "backup:$BUCKET/odoo/acme/acme/prod/scheduled/"');
    expect(restore.containers[0].command[2]).toContain("UPDATE ir_config_parameter SET value = gen_random_uuid()::text WHERE key = 'database.uuid'");
  });

  it.each([
    { name: 'without storage', required: () => requiredObjects(), xr: () => ({ ...production(), spec: { ...production().spec, restore: { latestOf: 'prod' } } }), want: 'spec.restore needs backup storage' },
    {
      name: 'into a testing instance',
      required: () => withStorage(),
      xr: () => ({ ...example('instance-testing.yaml'), metadata: { name: 'ci', namespace: 'acme' }, spec: { ...example('instance-testing.yaml').spec, restore: { latestOf: 'prod' } } }),
      want: 'spec.restore is for production and staging instances, not testing',
    },
  ])('is refused $name, with the way forward', async ({ required, xr, want }) => {
    const r = await new Cluster(xr(), required()).reconcile();
    expect(r.fatal).toContain(want);
    expect(r.resources).toEqual({});
  });
});

// A destructive step (init, copy, restore, rollback) runs only when the
// instance's recorded state says it is due, never because an object is
// missing: deleting a Deployment or a finished Job is routine cleanup.
describe('destructive steps need proof, never absence', () => {
  /** An instance Running (and reconciled once more, so its status says so). */
  async function settled(xr: Obj, required?: Obj[]): Promise<Cluster> {
    const c = new Cluster(xr, required);
    await c.until('Running');
    await c.reconcile();
    return c;
  }

  /** A production instance whose upgrade to 1.4.2 failed, its rollback under way or done as `rollback` says. */
  async function failedUpgrade(rollback: 'running' | 'complete'): Promise<Cluster> {
    const c = await settled(production());
    c.xr.spec.release = '1.4.2';
    await c.untilJob('prod-upgrade-1-4-1-to-1-4-2');
    await c.reconcile({ jobs: { upgrade: 'failed', rollback } });
    return c;
  }

  it('a running production instance whose web Deployment is deleted gets it back on the release it ran: no init, no initSQL over its data', async () => {
    const c = await settled(production());
    const r = await c.reconcile({ deleted: ['web'] });
    expect(jobNames(r)).toEqual([]);
    expect(r.resources['init-sql']).toBeUndefined();
    expect(replicas(r)).toMatchObject({ web: 2, cron: 1, release: '1.4.1' });
    expect(r.resources.web!.spec.template.spec.containers[0].image).toBe('registry.acme.example/odoo/acme:1.4.1');
    expect(r.status.runningRelease).toBe('1.4.1');
    expect((await c.until('Running')).phase).toBe('Running');
    expect(jobNames(c.last!)).toEqual([]);
  });

  it('a production instance restored from a backup is not restored again when its web Deployment is deleted', async () => {
    const x = production();
    x.spec.restore = { key: 'prod/scheduled/20261126T021703Z.zip' };
    const c = await settled(x, withStorage());
    const r = await c.reconcile({ deleted: ['web', 'cron'] });
    expect(jobNames(r)).toEqual([]);
    expect(replicas(r)).toMatchObject({ web: 2, release: '1.4.1' });
  });

  it('a staging copy whose web Deployment is deleted is not copied over again', async () => {
    const c = await settled(staging());
    const r = await c.reconcile({ deleted: ['web'] });
    expect(jobNames(r)).toEqual([]);
    expect(replicas(r)).toMatchObject({ web: 1, release: '1.4.1' });
  });

  it('a web Deployment deleted while an upgrade backs up comes back on the release that ran, with its image, still stopped, and the upgrade goes on', async () => {
    const c = new Cluster(production());
    await c.until('Running');
    c.xr.spec.release = '1.4.2';
    const backingUp = await c.until('BackingUp', { jobs: { backup: 'running' } });
    expect(replicas(backingUp)).toMatchObject({ release: '1.4.1' });
    const r = await c.reconcile({ jobs: { backup: 'running' }, deleted: ['web'] });
    expect(r.phase).toBe('BackingUp');
    expect(replicas(r)).toMatchObject({ web: 0, release: '1.4.1' });
    expect(r.resources.web!.spec.template.spec.containers[0].image).toBe('registry.acme.example/odoo/acme:1.4.1');
  });

  it('a finished rollback Job deleted (cleanup) is not run again: the backup taken before the upgrade is never restored over what was written since', async () => {
    const c = await failedUpgrade('complete');
    const rolledBack = await c.reconcile({ jobs: { upgrade: 'failed' } });
    expect(rolledBack.conditions.Lifecycle?.reason).toBe('RolledBack');
    for (let i = 0; i < 3; i++) {
      const r = await c.reconcile({ jobs: { upgrade: 'failed' }, deleted: ['job-prod-rollback-1-4-1-to-1-4-2'] });
      expect(r.phase).toBe('UpgradeFailed');
      expect(r.conditions.Lifecycle).toEqual(rolledBack.conditions.Lifecycle);
      expect(jobNames(r).sort()).toEqual(['prod-backup-1-4-1-to-1-4-2', 'prod-upgrade-1-4-1-to-1-4-2']);
      expect(replicas(r)).toMatchObject({ web: 2, cron: 1, release: '1.4.1' });
    }
  });

  it('once the rollback is recorded, its finished Job is composed no more, so Crossplane deletes it: a Job kept in desired state is created again by the next apply if someone deletes it meanwhile', async () => {
    const c = await failedUpgrade('complete');
    const rolledBack = await c.reconcile({ jobs: { upgrade: 'failed' } });
    // The call that sees the rollback complete records it, and still lists the Job it observed.
    expect(jobNames(rolledBack)).toContain('prod-rollback-1-4-1-to-1-4-2');
    expect(rolledBack.status.rolledBack).toBe('prod-upgrade-1-4-1-to-1-4-2');
    // Every later call, with the finished rollback Job still there, leaves it out.
    const r = await c.reconcile({ jobs: { upgrade: 'failed' } });
    expect(r.phase).toBe('UpgradeFailed');
    expect(r.conditions.Lifecycle).toEqual(rolledBack.conditions.Lifecycle);
    expect(jobNames(r).sort()).toEqual(['prod-backup-1-4-1-to-1-4-2', 'prod-upgrade-1-4-1-to-1-4-2']);
  });

  it('a rollback stays done after a call Crossplane could not complete: status.rolledBack, not the Lifecycle condition it rewrites to Unknown, is the proof', async () => {
    const c = await failedUpgrade('complete');
    const rolledBack = await c.reconcile({ jobs: { upgrade: 'failed' } });
    expect(rolledBack.status.rolledBack).toBe('prod-upgrade-1-4-1-to-1-4-2');
    // What Crossplane v2.2.1 writes when a call fails (the function unreachable, a fatal result):
    // the function's conditions become Unknown/FatalError, its status fields stay.
    c.xr.status.conditions = c.xr.status.conditions.map((x: Obj) => (x.type === 'Lifecycle' ? { ...x, status: 'Unknown', reason: 'FatalError', message: 'A fatal error occurred before the status of this condition could be determined.' } : x));
    const r = await c.reconcile({ jobs: { upgrade: 'failed' }, deleted: ['job-prod-rollback-1-4-1-to-1-4-2'] });
    expect(r.phase).toBe('UpgradeFailed');
    expect(r.conditions.Lifecycle?.reason).toBe('RolledBack');
    expect(jobNames(r)).not.toContain('prod-rollback-1-4-1-to-1-4-2');
  });

  it('a cleanup that deletes every Job of a rolled-back upgrade runs none of them again: no backup, no upgrade, no restore', async () => {
    const c = await failedUpgrade('complete');
    await c.reconcile({ jobs: { upgrade: 'failed' } });
    const r = await c.reconcile({ deleted: ['job-prod-backup-1-4-1-to-1-4-2', 'job-prod-upgrade-1-4-1-to-1-4-2', 'job-prod-rollback-1-4-1-to-1-4-2'] });
    expect(r.phase).toBe('UpgradeFailed');
    expect(r.conditions.Lifecycle?.reason).toBe('RetryNeedsBackup');
    expect(jobNames(r)).toEqual([]);
    expect(replicas(r)).toMatchObject({ web: 2, cron: 1, release: '1.4.1' });
    // A new attempt starts from spec.release set back, then forward.
    c.xr.spec.release = '1.4.1';
    expect((await c.until('Running')).status.rolledBack).toBeUndefined();
  });

  it('an instance whose web Deployment is gone and whose release the App no longer lists is not served on another release: it says what to do', async () => {
    const c = await settled(production());
    const required = requiredObjects();
    const releases = app(required).spec.releases as Obj[];
    app(required).spec.releases = releases.filter((r) => r.version !== '1.4.1');
    c.required = required;
    c.xr.spec.release = '1.4.2';
    const r = await c.reconcile({ deleted: ['web', 'cron'] });
    expect(r.phase).toBe('Starting');
    expect(r.resources.web).toBeUndefined();
    expect(jobNames(r)).toEqual([]);
    expect(r.conditions.Lifecycle?.reason).toBe('RunningReleaseNotInApp');
    expect(r.conditions.Lifecycle?.message).toContain('release 1.4.1, which the database runs on, is no longer in App "acme"');
  });

  it('a rollback Job deleted before it finished runs again: the database may be half upgraded', async () => {
    const c = await failedUpgrade('running');
    const r = await c.reconcile({ jobs: { upgrade: 'failed', rollback: 'running' }, deleted: ['job-prod-rollback-1-4-1-to-1-4-2'] });
    expect(r.phase).toBe('RollingBack');
    expect(jobNames(r)).toContain('prod-rollback-1-4-1-to-1-4-2');
    expect(replicas(r)).toMatchObject({ web: 0, cron: 0 });
  });
});

describe('protection follows the data', () => {
  const promoted = () => {
    const required = withStorage();
    tenantOf(required).status.primaryInstance = 'v18';
    return required;
  };
  const migration = (): Obj => ({ ...example('instance-migration.yaml'), metadata: { name: 'v18', namespace: 'acme', uid: 'u-v18' } });

  it('a migration instance the tenant routes as primary is protected, retained on deletion, backed up before its next upgrade, and runs the cron', async () => {
    const required = withStorage();
    app(required).spec.releases.push({ version: '2.0.1', series: '18.0' });
    const c = new Cluster(migration(), required);
    const before = await c.until('Running');
    expect(guardedFromDeletion(before)).toEqual([]);
    expect(before.resources.cron).toBeUndefined();
    // The KAM promotes it; the tenant routes its base host name there.
    tenantOf(required).status.primaryInstance = 'v18';
    // First its status says it is protected; the claim is labelled once that status was written.
    expect(guardedFromDeletion(await c.reconcile())).toEqual(['instance']);
    const r = await c.reconcile();
    // Retained: deleting its Database object would not drop the database, so only the Instance and the filestore are guarded.
    expect(guardedFromDeletion(r)).toEqual(['filestore', 'instance']);
    expect(r.resources.database!.spec.managementPolicies).toEqual(['Observe', 'Create', 'Update', 'LateInitialize']);
    expect(replicas(r).cron).toBe(1);
    expect(r.resources['backup-schedule']).toBeDefined();
    c.xr.spec.release = '2.0.1';
    expect((await c.reconcile()).phase).toBe('BackingUp');
  });

  it('exactly one instance of a tenant runs the customer’s cron: the one routed as primary; a former primary and copies do not', async () => {
    const prodWhileRouted = await new Cluster(production(), withStorage()).until('Running');
    expect(replicas(prodWhileRouted).cron).toBe(1);
    const afterPromotion = await new Cluster(production(), promoted()).until('Running');
    expect(replicas(afterPromotion)).toEqual({ web: 2, cron: undefined, release: '1.4.1' });
    // A copy has no cron Deployment at all: nothing of it could run the customer's cron.
    const copy = await new Cluster(staging(), withStorage()).until('Running');
    expect(replicas(copy)).toMatchObject({ web: 1, cron: undefined });
    expect(copy.resources.cron).toBeUndefined();
  });

  it('a primary that stops being routed scales its cron to zero, and lets the Deployment go once its Pods are gone', async () => {
    const required = withStorage();
    const c = new Cluster(production(), required);
    expect(replicas(await c.until('Running')).cron).toBe(1);
    tenantOf(required).status.primaryInstance = 'v18';
    // The cron Pod still runs: the Deployment stays, at zero, until the ReplicaSet controller removed it.
    expect(replicas(await c.reconcile()).cron).toBe(0);
    expect((await c.reconcile()).resources.cron).toBeUndefined();
  });

  it('copies that hold no customer data are dropped with their instance and not protected', async () => {
    const r = await new Cluster(staging()).until('Running');
    expect(r.resources.database!.spec.managementPolicies).toBeUndefined();
    expect(guardedFromDeletion(r)).toEqual([]);
  });

  it('asking for it drops a production database with its instance', async () => {
    const x = production();
    x.spec.dataRetention = 'Delete';
    const r = await new Cluster(x).until('Running');
    expect(r.resources.database!.spec.managementPolicies).toBeUndefined();
    expect(r.resources.role!.spec.managementPolicies).toBeUndefined();
  });
});

describe('immutable type and tenant', () => {
  it('refuses a change of spec.type the API server let through, and changes nothing', async () => {
    const c = new Cluster(production());
    await c.until('Running');
    c.xr.spec.type = 'testing';
    const r = await c.reconcile();
    expect(r.fatal).toBe(
      'cannot compose Instance "prod": spec.type of Instance "prod" changed from production to testing: the type of an instance cannot change (a testing lifecycle would run over this production database). Set it back to production; for a testing instance, create a new one (a copy or a restore of this one)',
    );
  });

  it('is enforced by the API server too (CEL on the XRD)', async () => {
    const { readFileSync } = await import('node:fs');
    const xrd = readFileSync(new URL('../../apis/instance/definition.yaml', import.meta.url), 'utf8');
    for (const rule of ['self.type == oldSelf.type', 'self.tenantRef == oldSelf.tenantRef', '!has(oldSelf.source) || (has(self.source) && self.source == oldSelf.source)']) {
      expect(xrd).toContain(rule);
    }
  });
});

describe('deadlines', () => {
  it('every lifecycle Job has one, from the App', async () => {
    const required = requiredObjects();
    app(required).spec.lifecycle = { deadlines: { init: 900 } };
    const c = new Cluster(production(), required);
    await c.provision();
    const r = await c.reconcile();
    expect(r.resources['job-prod-init']!.spec.activeDeadlineSeconds).toBe(900);
  });

  it('a Job past its deadline fails the step, and the condition says it was stopped and which setting to raise', async () => {
    const c = new Cluster(production());
    await c.provision();
    await c.reconcile();
    const r = await c.reconcile({ jobs: { init: 'failed' }, jobFailure: 'DeadlineExceeded' });
    expect(r.phase).toBe('InitializationFailed');
    expect(r.conditions.Lifecycle?.message).toMatch(/^Job "prod-init" ran longer than its deadline of 3600 s and was stopped \(raise App spec\.lifecycle\.deadlines\.init if it needs longer\)\. Read its logs/);
  });
});

describe('quotas the platform owns', () => {
  it('refuses the instances of a tenant created after its maxInstances were reached; the older ones keep composing', async () => {
    const required = requiredObjects();
    app(required).spec.quotas = { maxInstances: 2 };
    const at = (name: string, time: string) => {
      const o = required.find((x) => x.kind === 'Instance' && x.metadata.name === name)!;
      o.metadata.creationTimestamp = time;
    };
    // The namespace holds prod, staging and ci of tenant acme, created in that order.
    at('prod', '2026-01-01T00:00:00Z');
    at('staging', '2026-02-01T00:00:00Z');
    at('ci', '2026-03-01T00:00:00Z');
    const prod = { ...production(), metadata: { ...production().metadata, creationTimestamp: '2026-01-01T00:00:00Z' } };
    expect((await new Cluster(prod, required).reconcile()).fatal).toBeUndefined();
    const ci = { ...example('instance-testing.yaml'), metadata: { name: 'ci', namespace: 'acme', uid: 'u-ci', creationTimestamp: '2026-03-01T00:00:00Z' } };
    expect((await new Cluster(ci, required).reconcile()).fatal).toBe(
      'cannot compose Instance "ci": Tenant "acme" has 3 instances and App "acme" spec.quotas.maxInstances allows 2: this one came after the first 2. Delete an instance you no longer need, or ask the DevOps team to raise the limit',
    );
    // The Tenant's own, tighter limit counts too.
    tenantOf(required).spec.quotas = { maxInstances: 1 };
    const staging = { ...example('instance-staging.yaml'), metadata: { name: 'staging', namespace: 'acme', uid: 'u-staging', creationTimestamp: '2026-02-01T00:00:00Z' } };
    expect((await new Cluster(staging, required).reconcile()).fatal).toMatch(/Tenant "acme" spec\.quotas\.maxInstances allows 1/);
    // Counted at admission only: one that already runs is not stopped by a limit lowered later.
    tenantOf(required).spec.quotas = {};
    const running = new Cluster(staging, required);
    await running.until('Running');
    tenantOf(running.required).spec.quotas = { maxInstances: 1 };
    expect((await running.reconcile()).fatal).toBeUndefined();
  });

  it('lets a KAM or an end user choose a filestore’s storage class only among those the App offers (its own and allowedStorageClasses)', async () => {
    const required = requiredObjects();
    app(required).spec.filestore = { ...app(required).spec.filestore, storageClassName: 'odoo-filestore' };
    const x = production();
    x.spec.filestore = { storageClassName: 'fast-delete' };
    const r = await new Cluster(x, required).reconcile();
    expect(r.fatal).toBe(
      'cannot compose Instance "prod": spec.filestore.storageClassName: "fast-delete" is not a storage class App "acme" lets tenants choose (its spec.filestore.storageClassName and allowedStorageClasses; it offers "odoo-filestore"); remove it, or ask the DevOps team to list it',
    );
    tenantOf(required).spec.production = { filestore: { storageClassName: 'fast-delete' } };
    const byTenant = await new Cluster(production(), required).reconcile();
    expect(byTenant.fatal).toMatch(/^cannot compose Instance "prod": Tenant "acme" spec\.production\.filestore\.storageClassName: "fast-delete" is not a storage class/);
    // Listed by the App: the claim gets it.
    app(required).spec.filestore = { ...app(required).spec.filestore, allowedStorageClasses: ['fast-delete'] };
    const listed = await new Cluster(x, required).reconcile();
    expect(listed.fatal).toBeUndefined();
    expect(listed.resources['filestore']!.spec.storageClassName).toBe('fast-delete');
  });

  it('refuses what an end user or a KAM asks for beyond the App’s and the Tenant’s limits, naming each field and limit', async () => {
    const required = requiredObjects();
    app(required).spec.quotas = { maxReplicas: 4, maxMemory: '8Gi', maxFilestore: '100Gi' };
    tenantOf(required).spec.quotas = { maxReplicas: 3 };
    tenantOf(required).spec.production = { resources: { web: { limits: { memory: '16Gi' } } } };
    const x = production();
    x.spec.replicas = 4;
    x.spec.filestore = { size: '1Ti' };
    const r = await new Cluster(x, required).reconcile();
    expect(r.fatal).toBe(
      [
        'cannot compose Instance "prod": Tenant "acme" spec.production.resources.web.limits.memory: 16Gi is over 8Gi, the limit App "acme" spec.quotas.maxMemory sets; ask for at most that, or ask the DevOps team to raise it',
        'spec.replicas: 4 is over 3, the limit Tenant "acme" spec.quotas.maxReplicas sets; ask for at most that, or ask the DevOps team to raise it',
        'spec.filestore.size: 1Ti is over 100Gi, the limit App "acme" spec.quotas.maxFilestore sets; ask for at most that, or ask the DevOps team to raise it',
      ].join('; '),
    );
  });

  it('counts an autoscaler’s bounds as replicas, and the memory limits derived from workers and limitMemoryHard as memory', async () => {
    const required = requiredObjects();
    app(required).spec.quotas = { maxReplicas: 4, maxMemory: '8Gi' };
    app(required).spec.database.appCredentials = { connectionLimit: 256 };
    tenantOf(required).spec.production = { autoscaling: { minReplicas: 2, maxReplicas: 20 } };
    const x = production();
    // 4 workers of 2560Mi each, plus the main process: a 12.5Gi web container nobody wrote down.
    x.spec.config = { workers: 4 };
    const r = await new Cluster(x, required).reconcile();
    expect(r.fatal).toBe(
      [
        'cannot compose Instance "prod": Tenant "acme" spec.production.autoscaling.maxReplicas: 20 is over 4, the limit App "acme" spec.quotas.maxReplicas sets; ask for at most that, or ask the DevOps team to raise it',
        'the web containers’ memory limit would be 12800Mi (derived from config.workers 4), over 8Gi, the limit App "acme" spec.quotas.maxMemory sets; ask for fewer workers or a lower limitMemoryHard, or set resources.web.limits.memory within it',
      ].join('; '),
    );
    // Within it once they say what the web containers may use.
    tenantOf(required).spec.production = { autoscaling: { minReplicas: 2, maxReplicas: 4 } };
    x.spec.resources = { web: { limits: { memory: '8Gi' } } };
    expect((await new Cluster(x, required).reconcile()).fatal).toBeUndefined();
    // Lowering limitMemoryHard raises nothing: what the App's own settings derive (the Jobs' 4Gi floor) is not theirs.
    app(required).spec.quotas = { maxMemory: '2Gi' };
    const lower = production();
    lower.spec.config = { limitMemoryHard: '512Mi' };
    expect((await new Cluster(lower, required).reconcile()).fatal).toBeUndefined();
  });

  it('lets the App’s own defaults be, and what stays within the limits through', async () => {
    const required = requiredObjects();
    app(required).spec.quotas = { maxReplicas: 4, maxMemory: '1Gi' };
    const r = await new Cluster(production(), required).until('Running');
    expect(r.fatal).toBeUndefined();
  });
});

describe('the connection budget (a full pool never meets a role over its limit)', () => {
  it('lets the defaults through with room: 2 replicas of 2 workers and a rollout’s third, a cron worker and a Job hold 91 of the role’s 128', async () => {
    const r = await new Cluster(production(), requiredObjects()).until('Running');
    expect(r.fatal).toBeUndefined();
    const tight = requiredObjects();
    app(tight).spec.database.appCredentials = { connectionLimit: 90 };
    expect((await new Cluster(production(), tight).reconcile()).fatal).toMatch(/may hold 91 connections /);
  });

  it('refuses, with each part’s figures and the db_maxconn that fits, an instance whose processes may hold more than its role may', async () => {
    const x = production();
    x.spec.replicas = 3;
    x.spec.config = { workers: 6, dbMaxconn: 8 };
    const r = await new Cluster(x, requiredObjects()).reconcile();
    expect(r.fatal).toBe(
      'cannot compose Instance "prod": connections: this instance\'s Odoo processes may hold 243 connections to PostgreSQL ' +
        '(web 4 Pods (3 replicas + 1 during a rollout) × (6 workers × 8 + websocket 8) = 224; cron 1 thread × 8 = 8; a lifecycle Job 8 + 3 for a backup\'s and a copy\'s clients = 11), ' +
        'over the 128 its role may hold (App "acme" spec.database.appCredentials.connectionLimit); ' +
        'set config.dbMaxconn to 4, or lower replicas, workers or maxCronThreads, or ask the DevOps team to raise the limit',
    );
    x.spec.config = { workers: 6, dbMaxconn: 4 };
    expect((await new Cluster(x, requiredObjects()).reconcile()).fatal).toBeUndefined();
  });

  it('refuses a pool smaller than a process needs: a cron worker holds 4 connections at once, threaded Odoo a browser’s parallel requests', async () => {
    const x = production();
    x.spec.config = { dbMaxconn: 3 };
    expect((await new Cluster(x, requiredObjects()).reconcile()).fatal).toBe(
      'cannot compose Instance "prod": config.dbMaxconn: 3 is below the 4 connections a cron worker holds its LISTEN connection, a job\'s cron and job cursors and a notification at once (Odoo fails the request when its pool is full); set at least 4',
    );
    x.spec.config = { workers: 0, maxCronThreads: 3, dbMaxconn: 8 };
    expect((await new Cluster(x, requiredObjects()).reconcile()).fatal).toMatch(/config\.dbMaxconn: 8 is below the 10 connections threaded Odoo's cron Pod holds a LISTEN connection and 3 per cron thread \(3\)/);
  });

  it('counts an autoscaler’s most replicas and the App’s own websocket pool, and says what to lower when no pool fits', async () => {
    const required = requiredObjects();
    app(required).spec.config = { ...app(required).spec.config, options: { db_maxconn_gevent: '40' } };
    tenantOf(required).spec.production = { autoscaling: { minReplicas: 2, maxReplicas: 6 } };
    const r = await new Cluster(production(), required).reconcile();
    expect(r.fatal).toMatch(/may hold 411 connections .*web 7 Pods \(autoscaling up to 6 \+ 1 during a rollout\) × \(2 workers × 8 \+ websocket 40\) = 392/);
    expect(r.fatal).toMatch(/; lower replicas, workers or maxCronThreads, or ask the DevOps team to raise the limit$/);
  });

  it('counts threaded Odoo (workers 0) as one process per Pod, and a test Job on 18.0+ as two pools', async () => {
    const x = production();
    x.spec.config = { workers: 0, maxCronThreads: 2 };
    const tight = requiredObjects();
    app(tight).spec.database.appCredentials = { connectionLimit: 40 };
    expect((await new Cluster(x, tight).reconcile()).fatal).toMatch(
      /may hold 43 connections to PostgreSQL \(web 3 Pods \(2 replicas \+ 1 during a rollout\) × \(threaded 8\) = 24; cron threaded 8; a lifecycle Job 8 \+ 3 for a backup's and a copy's clients = 11\)/,
    );
    const testing: Obj = { ...example('instance-testing.yaml'), metadata: { name: 'ci', namespace: 'acme', uid: 'u-ci' } };
    testing.spec.release = '2.0.0';
    app(tight).spec.database.appCredentials = { connectionLimit: 10 };
    expect((await new Cluster(testing, tight).reconcile()).fatal).toMatch(/a lifecycle Job 2 pools × 8 \(tests on 18\.0\+ add a read-only one\) \+ 3/);
  });

  it.each(['instance-production.yaml', 'instance-staging.yaml', 'instance-testing.yaml', 'instance-migration.yaml'])('admits %s on the example App and Tenant as a newcomer applies them', async (file) => {
    // examples/app.yaml and tenant.yaml, not the test fixtures: the SaaS e2e applies them, and a limit they
    // did not fit (48 connections for 147) refused every production and staging there.
    const required = requiredObjects().map((o) => (o.kind === 'App' ? { ...example('app.yaml'), status: o.status } : o.kind === 'Tenant' ? { ...example('tenant.yaml'), status: o.status } : o));
    app(required).spec.releases.splice(1, 0, { version: '1.4.2', series: '17.0' });
    const x: Obj = { ...example(file), metadata: { ...example(file).metadata, uid: 'u-example' } };
    expect((await new Cluster(x, required).reconcile()).fatal).toBeUndefined();
  });

  it('leaves a role without a limit (-1) alone', async () => {
    const unlimited = requiredObjects();
    app(unlimited).spec.database.appCredentials = { connectionLimit: -1 };
    const x = production();
    x.spec.replicas = 20;
    expect((await new Cluster(x, unlimited).reconcile()).fatal).toBeUndefined();
  });
});

describe('the cut-over of a promoted migration (nothing production saved after the rehearsal is lost)', () => {
  const migration = (): Obj => ({ ...example('instance-migration.yaml'), metadata: { name: 'v18', namespace: 'acme', uid: 'u-v18' } });
  const jobsOf = (r: Reconcile) => Object.values(r.resources).filter((o) => o.kind === 'Job');
  const prodOf = (objects: Obj[]) => objects.find((o) => o.kind === 'Instance' && o.metadata.name === 'prod')!;
  /** The tenant asks v18 to take prod over (token 7), and prod says it stopped for that (or not yet). */
  const cutOverAsked = (objects: Obj[], prodStopped = true) => {
    tenantOf(objects).status.cutOver = { instance: 'v18', from: 'prod', token: 7 };
    if (prodStopped) prodOf(objects).status = { ...prodOf(objects).status, phase: 'Retired', retiredBy: 'v18', serving: false };
  };

  it('the migration instance, once the tenant asks, copies the stopped primary again (its identity kept), migrates that copy with its own web stopped, and records the cut-over done', async () => {
    const c = new Cluster(migration(), withStorage());
    const rehearsed = await c.until('Running');
    expect(rehearsed.status.rehearsalSeconds).toBe(0);
    expect(rehearsed.status.cutOverFrom).toBeUndefined();
    cutOverAsked(c.required);
    const stopping = await c.reconcile({ jobs: { copy: 'running' } });
    expect(stopping.phase).toBe('Copying');
    expect(stopping.conditions.Lifecycle?.message).toMatch(/^Stopping web and cron before: Cut-over: copying "prod"/);
    const copying = await c.untilJob('v18-cutover-7-v18-copy-from-prod', { jobs: { copy: 'running' } });
    const copy = jobsOf(copying).find((j) => j.metadata.labels['odoo.io/lifecycle-step'] === 'copy')!;
    expect(copy.metadata.name).toBe('v18-cutover-7-v18-copy-from-prod');
    expect(copy.metadata.labels['odoo.io/cut-over-token']).toBe('7');
    expect(copy.metadata.labels['odoo.io/cut-over-from']).toBe('prod');
    // The database moved, not copied: no new uuid, secret or URL.
    expect(copy.spec.template.spec.containers[0].command[2]).not.toContain('gen_random_uuid');
    expect(replicas(copying).web).toBe(0);
    expect(copying.conditions.Lifecycle?.message).toContain('Cut-over: copying "prod" (release 1.4.1) again, now that it is stopped');
    const migrating = await c.until('Migrating', { jobs: { migrate: 'running' } });
    expect(jobsOf(migrating).map((j) => j.metadata.name)).toContain('v18-cutover-7-v18-migrate-18-0-2-0-0');
    expect(jobsOf(migrating).map((j) => j.metadata.name)).toContain('v18-cutover-7-v18-copy-from-prod');
    expect(replicas(migrating).web).toBe(0);
    const done = await c.until('Running');
    expect(done.status).toMatchObject({ cutOverFrom: 'prod', cutOverToken: 7 });
    // Done is recorded: the tenant still saying so does not copy again, and the Jobs go.
    const after = await c.reconcile();
    expect(after.phase).toBe('Running');
    expect(jobsOf(after)).toEqual([]);
    expect(after.status.cutOverFrom).toBe('prod');
  });

  it('copies nothing until the primary says it stopped for this cut-over (Pods missing for a moment prove nothing), nor while its web and cron Pods are there', async () => {
    const c = new Cluster(migration(), withStorage());
    await c.until('Running');
    cutOverAsked(c.required, false);
    for (let i = 0; i < 4; i++) {
      const r = await c.reconcile();
      expect(r.phase).toBe('Copying');
      expect(jobsOf(r)).toEqual([]);
      expect(Object.keys(r.rsp.requirements?.resources ?? {})).toEqual(expect.arrayContaining(['stopping-web-pods-prod', 'stopping-cron-pods-prod']));
    }
    expect(c.last!.conditions.Lifecycle?.message).toContain('(waiting for "prod" to stop for this cut-over (its phase Retired))');
    cutOverAsked(c.required);
    expect(jobNames(await c.untilJob('v18-cutover-7-v18-copy-from-prod'))).toContain('v18-cutover-7-v18-copy-from-prod');
  });

  it('a cut-over done for an earlier promotion does not count for the next one: the instance copies again', async () => {
    const c = new Cluster(migration(), withStorage());
    await c.until('Running');
    cutOverAsked(c.required);
    expect((await c.until('Running')).status).toMatchObject({ cutOverFrom: 'prod', cutOverToken: 7 });
    tenantOf(c.required).status.cutOver = { instance: 'v18', from: 'prod', token: 9 };
    await c.untilJob('v18-cutover-9-v18-copy-from-prod');
  });

  it('the primary stops for it and stays stopped once the tenant routes the instance that took it over; taken back before, it serves again', async () => {
    const c = new Cluster(production(), withStorage());
    await c.until('Running');
    // A migration instance in the tenant: it looks at the Tenant again soon (Crossplane does not watch it), so it
    // stops for a cut-over within seconds of the KAM promoting it, not at its next ten-minute look.
    expect((await c.reconcile()).rsp.meta?.ttl?.seconds).toBe(600);
    tenantOf(c.required).status.secondaryInstances = [{ name: 'v18', type: 'migration', phase: 'Running', host: 'v18.acme.odoo.example' }];
    expect((await c.reconcile()).rsp.meta?.ttl?.seconds).toBe(15);
    tenantOf(c.required).spec.primaryInstance = 'v18';
    expect((await c.reconcile()).rsp.meta?.ttl?.seconds).toBe(15);
    tenantOf(c.required).status.cutOver = { instance: 'v18', from: 'prod', token: 7 };
    const stopped = await c.reconcile();
    expect(stopped.phase).toBe('Retired');
    expect(replicas(stopped)).toMatchObject({ web: 0 });
    expect(stopped.status.retiredBy).toBe('v18');
    expect(stopped.status.transitioning).toBe(false);
    expect(stopped.conditions.Lifecycle?.message).toContain('Stopped for the cut-over to "v18"');
    delete tenantOf(c.required).status.cutOver;
    tenantOf(c.required).status.primaryInstance = 'v18';
    const retired = await c.reconcile();
    expect(retired.phase).toBe('Retired');
    expect(replicas(retired)).toMatchObject({ web: 0 });
    expect(retired.conditions.Lifecycle?.message).toContain('"v18" took this instance\'s data over at the cut-over');
    // Whatever the tenant routes later, its database stays as it was at the cut-over.
    tenantOf(c.required).status.primaryInstance = 'staging';
    expect((await c.reconcile()).phase).toBe('Retired');
    // A cut-over taken back before it was done: the tenant still routes prod, which serves again.
    const back = new Cluster(production(), withStorage());
    await back.until('Running');
    tenantOf(back.required).status.cutOver = { instance: 'v18', from: 'prod', token: 7 };
    expect((await back.reconcile()).phase).toBe('Retired');
    delete tenantOf(back.required).status.cutOver;
    const serving = await back.until('Running');
    expect(replicas(serving).web).toBeGreaterThan(0);
    expect(serving.status.retiredBy).toBeUndefined();
  });
});
