// The Instance lifecycle, reconcile by reconcile, against a simulated
// cluster: what each phase composes and what a person reads.
import { describe, expect, it } from 'vitest';
import { failedTestPod } from '../../scripts/simulate.js';
import { settledTtl, TTL } from '../../functions/shared/composition.js';
import { notInitializedCheck } from '../../functions/instance/jobs/fresh-database.js';
import { notInstalledModulesCheck, UNFINISHED_MODULES_SQL } from '../../functions/instance/jobs/module-states.js';
import { SET_ADMIN_PASSWORD_PY } from '../../functions/instance/admin-login.js';
import { planModuleUpdates, recordModuleChecksums } from '../../functions/instance/jobs/module-updates.js';
import { IMMUTABLE_UNACCENT_SQL, ISOLATE_DATABASE_SQL, shellSingleQuoted } from '../../functions/instance/database.js';
import { ownReportUrlCommand } from '../../functions/instance/jobs/report-url.js';
import { app, Cluster, example, jobNames, replicas, requiredObjects, tenantOf, type Obj } from '../support/world.js';
import { runFunctionWithRequest } from '../../scripts/simulate.js';

const production = (): Obj => ({ ...example('instance-production.yaml'), metadata: { name: 'prod', namespace: 'acme', uid: 'u-prod' } });

/** The TTL each phase asked for, reconciling (at most 12 times) until `until`. */
async function ttlsThrough(c: Cluster, until: string, facts: Parameters<Cluster['reconcile']>[0] = {}): Promise<Record<string, number>> {
  const ttls = new Map<string, number>();
  for (let i = 0; i < 12; i++) {
    const r = await c.reconcile(facts);
    ttls.set(String(r.phase), Number(r.rsp.meta?.ttl?.seconds));
    if (r.phase === until) break;
  }
  return Object.fromEntries(ttls);
}

async function runningProduction(): Promise<Cluster> {
  const c = new Cluster(production());
  await c.until('Running');
  return c;
}

describe('production', () => {
  it('goes Provisioning → Initializing (init, then InitSQL) → Starting → Running, one step per observed change', async () => {
    const c = new Cluster(production());
    const seen: [string | undefined, string[], ReturnType<typeof replicas>][] = [];
    for (let i = 0; i < 7; i++) {
      const r = await c.reconcile();
      seen.push([r.phase, jobNames(r), replicas(r)]);
    }
    expect(seen).toEqual([
      ['Provisioning', [], {}],
      ['Provisioning', [], {}],
      ['Initializing', ['prod-init'], {}],
      ['Initializing', ['prod-init', 'prod-init-sql'], {}],
      ['Starting', ['prod-init', 'prod-init-sql'], { web: 2, cron: 1, release: '1.4.1' }],
      ['Running', [], { web: 2, cron: 1, release: '1.4.1' }],
      ['Running', [], { web: 2, cron: 1, release: '1.4.1' }],
    ]);
  });

  it('is Starting, not Running, until the web Deployment has rolled out the release; says so when its Pods do not come up', async () => {
    const c = new Cluster(production());
    await c.until('Starting');
    const waiting = await c.reconcile({ podsReady: false });
    expect(waiting.phase).toBe('Starting');
    expect(waiting.status.transitioning).toBe(true);
    expect(waiting.conditions.Lifecycle?.message).toBe('Starting release 1.4.1: 0 of 2 web Pods ready');
    const stalled = await c.reconcile({ podsReady: false, rolloutStalled: true });
    expect(stalled.phase).toBe('Starting');
    expect(stalled.conditions.Lifecycle?.message).toBe(
      'Release 1.4.1 does not start: 0 of 2 web Pods ready; ProgressDeadlineExceeded: ReplicaSet "prod-web-5d8f7c9b4" has timed out progressing. Read the web Pods\' logs (kubectl logs -n acme deployment/prod-web)',
    );
    expect((await c.reconcile()).phase).toBe('Running');
  });

  it('waits for role and database before any Job', async () => {
    const c = new Cluster(production());
    await c.provision();
    const r = await c.reconcile({ databaseReady: false });
    expect(r.phase).toBe('Provisioning');
    expect(jobNames(r)).toEqual([]);
    expect(r.conditions.DatabaseReady).toEqual({
      status: 3,
      reason: 'WaitingForDatabase',
      message: 'Waiting for the role, database of acme_prod (provider-sql)',
    });
  });

  it('stops at InitializationFailed when init fails, serves nothing, and says how to retry', async () => {
    const c = new Cluster(production());
    await c.provision();
    await c.reconcile();
    const r = await c.reconcile({ jobs: { init: 'failed' } });
    expect(r.phase).toBe('InitializationFailed');
    expect(r.resources.web).toBeUndefined();
    expect(r.status.transitioning).toBe(false);
    expect(r.conditions.Lifecycle?.message).toBe(
      'Job "prod-init" failed. Read its logs (kubectl logs -n acme job/prod-init), fix the cause, then delete the Job to run it again (kubectl delete -n acme job/prod-init)',
    );
  });

  it('refuses a database an init finished, closes the database to other roles and creates unaccent and pg_trgm as the instance’s role, then installs base and the init modules without demo data on 17.0, in one process, and checks they were', async () => {
    const c = new Cluster(production());
    await c.provision();
    const r = await c.reconcile();
    expect(r.resources['job-prod-init']!.spec.template.spec.containers[0].command).toEqual([
      'bash',
      '-c',
      [
        'set -euo pipefail',
        // Nothing over a database an init finished before (an Instance created again over a retained one).
        notInitializedCheck('acme_prod'),
        // Isolation, then unaccent as Odoo can index with (IMMUTABLE) and pg_trgm.
        `psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 --command=${shellSingleQuoted(`${ISOLATE_DATABASE_SQL} CREATE EXTENSION IF NOT EXISTS pg_trgm; ${IMMUTABLE_UNACCENT_SQL}`)}`,
        'odoo --config /run/odoo/odoo.conf --init base,sale_management,stock,acme_sale --without-demo=all --stop-after-init --workers=0 --max-cron-threads=0 --limit-memory-hard=0 --no-http',
        // Odoo only logs a module name it does not find; the Job fails on it.
        notInstalledModulesCheck(['sale_management', 'stock', 'acme_sale'], '1.4.1'),
        // The administrator gets the password of the instance's admin login Secret, not Odoo's admin/admin.
        `python3 -c ${shellSingleQuoted(SET_ADMIN_PASSWORD_PY)}`,
        // PDF reports are printed from the instance's own Service.
        ownReportUrlCommand(),
        // What the database runs, for the next upgrade to update only what changed.
        recordModuleChecksums(),
      ].join('\n'),
    ]);
    expect(r.resources['job-prod-init']!.spec.template.spec.containers[0].env).toContainEqual({ name: 'INSTANCE_REPORT_URL', value: 'http://odoo-prod:8069' });
    // libpq connects as the instance's own role to its own database.
    expect(r.resources['job-prod-init']!.spec.template.spec.containers[0].env).toEqual(
      expect.arrayContaining([{ name: 'PGUSER', value: 'acme_prod' }, { name: 'PGDATABASE', value: 'acme_prod' }]),
    );
  });
});

describe('in-place upgrade within a series', () => {
  it('stops web and cron, backs up with nothing writing, upgrades, then starts the new release', async () => {
    const c = await runningProduction();
    c.xr.spec.release = '1.4.2';
    const steps: [string | undefined, string[], ReturnType<typeof replicas>][] = [];
    for (let i = 0; i < 6; i++) {
      const r = await c.reconcile();
      steps.push([r.phase, jobNames(r), replicas(r)]);
    }
    expect(steps).toEqual([
      // No backup Job until web and cron are observed at 0: a rollback restores it, so it must hold every acknowledged write.
      ['BackingUp', [], { web: 0, cron: 0, release: '1.4.1' }],
      ['BackingUp', ['prod-backup-1-4-1-to-1-4-2'], { web: 0, cron: 0, release: '1.4.1' }],
      ['Upgrading', ['prod-backup-1-4-1-to-1-4-2', 'prod-upgrade-1-4-1-to-1-4-2'], { web: 0, cron: 0, release: '1.4.1' }],
      ['Starting', ['prod-backup-1-4-1-to-1-4-2', 'prod-upgrade-1-4-1-to-1-4-2'], { web: 2, cron: 1, release: '1.4.2' }],
      ['Running', [], { web: 2, cron: 1, release: '1.4.2' }],
      ['Running', [], { web: 2, cron: 1, release: '1.4.2' }],
    ]);
  });

  it('waits for a web Pod still exiting after its Deployment went to 0, looking again within 10 s, and backs up once it is gone', async () => {
    const c = await runningProduction();
    c.xr.spec.release = '1.4.2';
    const exiting = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'prod-web-7c9d-abcde', namespace: 'acme', labels: { 'odoo.io/instance': 'prod', 'app.kubernetes.io/component': 'web' }, deletionTimestamp: '2026-12-05T18:20:00Z' } };
    c.required = [...c.required, exiting];
    await c.reconcile();
    const waiting = await c.reconcile();
    expect(waiting.phase).toBe('BackingUp');
    expect(jobNames(waiting)).toEqual([]);
    expect(waiting.conditions.Lifecycle?.message).toContain('(waiting for prod-web-7c9d-abcde to exit)');
    expect(Number(waiting.rsp.meta?.ttl?.seconds)).toBe(TTL.customerWaiting);
    c.required = c.required.filter((o) => o !== exiting);
    expect(jobNames(await c.reconcile())).toEqual(['prod-backup-1-4-1-to-1-4-2']);
  });

  it('runs the upgrade with the new image, updating the modules whose code changed (or all, where the App or release says so)', async () => {
    const c = await runningProduction();
    c.xr.spec.release = '1.4.2';
    const upgrading = await c.untilJob('prod-upgrade-1-4-1-to-1-4-2');
    expect(upgrading.phase).toBe('Upgrading');
    const job = upgrading.resources['job-prod-upgrade-1-4-1-to-1-4-2']!;
    expect(job.spec.template.spec.containers[0].image).toBe('registry.acme.example/odoo/acme:1.4.2');
    const script: string = job.spec.template.spec.containers[0].command[2];
    expect(script).toContain(`${planModuleUpdates('changed')}\nif [ -n "$modules" ]; then\nodoo --config /run/odoo/odoo.conf --update "$modules" --stop-after-init --workers=0 --max-cron-threads=0 --limit-memory-hard=0 --no-http\nfi\n`);
    // Odoo exits 0 when it could not load a module whose code the image lacks: the Job fails then, and the upgrade
    // is rolled back. Checked also when nothing was updated: half-done modules are never recorded as sound.
    expect(script.indexOf(UNFINISHED_MODULES_SQL.slice(0, 30))).toBeGreaterThan(script.indexOf('--update "$modules" --stop-after-init --workers=0 --max-cron-threads=0 --limit-memory-hard=0 --no-http\nfi\n'));
    expect(script).toMatch(/if \[ -n "\$unfinished" \]; then\n.*is not in the image of release 1\.4\.2.*\n  exit 1\nfi\n/);
    // What the database runs is recorded once the update succeeded; then report.url, for databases made before init set it.
    expect(script.endsWith(`\n${recordModuleChecksums()}\n${ownReportUrlCommand()}`)).toBe(true);
    // Databases made before init closed them to other roles are closed here.
    expect(job.spec.template.spec.containers[0].command[2]).toContain('REVOKE ALL ON DATABASE %I FROM PUBLIC');

    const required = requiredObjects();
    app(required).spec.releases.find((r: Obj) => r.version === '1.4.2').updateModules = 'all';
    const forced = new Cluster(production(), required);
    await forced.until('Running');
    forced.xr.spec.release = '1.4.2';
    const all = (await forced.untilJob('prod-upgrade-1-4-1-to-1-4-2')).resources['job-prod-upgrade-1-4-1-to-1-4-2']!;
    expect(all.spec.template.spec.containers[0].command[2]).toContain(planModuleUpdates('all'));
    // The App's code.updateModules: all, for every release that does not say otherwise.
    const appWide = requiredObjects();
    app(appWide).spec.code = { ...app(appWide).spec.code, updateModules: 'all' };
    const everything = new Cluster(production(), appWide);
    await everything.until('Running');
    everything.xr.spec.release = '1.4.2';
    const allOfApp = (await everything.untilJob('prod-upgrade-1-4-1-to-1-4-2')).resources['job-prod-upgrade-1-4-1-to-1-4-2']!;
    expect(allOfApp.spec.template.spec.containers[0].command[2]).toContain(planModuleUpdates('all'));
  });

  it('after a failed upgrade, restores the backup taken before it with web and cron stopped, and only then serves the previous release', async () => {
    const c = await runningProduction();
    c.xr.spec.release = '1.4.2';
    await c.untilJob('prod-upgrade-1-4-1-to-1-4-2');
    const rolling = await c.reconcile({ jobs: { upgrade: 'failed', rollback: 'running' } });
    expect(rolling.phase).toBe('RollingBack');
    expect(rolling.status.transitioning).toBe(true);
    expect(replicas(rolling)).toEqual({ web: 0, cron: 0, release: '1.4.1' });
    expect(jobNames(rolling).sort()).toEqual(['prod-backup-1-4-1-to-1-4-2', 'prod-rollback-1-4-1-to-1-4-2', 'prod-upgrade-1-4-1-to-1-4-2']);
    const restore = rolling.resources['job-prod-rollback-1-4-1-to-1-4-2']!;
    // The backup taken before the upgrade, restored over the database by the image of the release it was taken with.
    expect(restore.spec.template.spec.containers[0].image).toBe('registry.acme.example/odoo/acme:1.4.1');
    expect(restore.spec.template.spec.containers[0].command[2]).toContain('python3 - "/var/lib/odoo/backups/pre-upgrade/1.4.1-to-1.4.2.zip" replace 17.0');
    const back = await c.reconcile({ jobs: { upgrade: 'failed' } });
    expect(back.phase).toBe('UpgradeFailed');
    expect(replicas(back)).toEqual({ web: 2, cron: 1, release: '1.4.1' });
    expect(back.status.runningRelease).toBe('1.4.1');
    expect(back.conditions.Lifecycle).toEqual({
      status: 3,
      reason: 'RolledBack',
      message:
        'Upgrade 1.4.1 → 1.4.2 failed and was rolled back: the database and filestore are as they were before it (restored from /var/lib/odoo/backups/pre-upgrade/1.4.1-to-1.4.2.zip) and release 1.4.1 serves again. Read why it failed: kubectl logs -n acme job/prod-upgrade-1-4-1-to-1-4-2. To try again, set spec.release back to 1.4.1, wait for Running, then to a release that fixes it',
    });
    // The failed Jobs stay, so the state stays until a person acts.
    expect((await c.reconcile({ jobs: { upgrade: 'failed' } })).phase).toBe('UpgradeFailed');
  });

  it('keeps web and cron stopped when the restore fails, and says how to go on', async () => {
    const c = await runningProduction();
    c.xr.spec.release = '1.4.2';
    await c.untilJob('prod-upgrade-1-4-1-to-1-4-2');
    await c.reconcile({ jobs: { upgrade: 'failed' } });
    const r = await c.reconcile({ jobs: { upgrade: 'failed', rollback: 'failed' } });
    expect(r.phase).toBe('RollbackFailed');
    expect(replicas(r)).toEqual({ web: 0, cron: 0, release: '1.4.1' });
    expect(r.conditions.Lifecycle?.message).toMatch(
      /^Job "prod-rollback-1-4-1-to-1-4-2" failed\. Web and cron stay stopped: the database may be partly upgraded, and restoring \/var\/lib\/odoo\/backups\/pre-upgrade\/1\.4\.1-to-1\.4\.2\.zip did not finish\./,
    );
  });

  it('with onUpgradeFailure: hold, keeps web and cron stopped for a person after a failed upgrade', async () => {
    const required = requiredObjects();
    app(required).spec.backup = { onUpgradeFailure: 'hold' };
    const c = new Cluster(production(), required);
    await c.until('Running');
    c.xr.spec.release = '1.4.2';
    await c.untilJob('prod-upgrade-1-4-1-to-1-4-2');
    const r = await c.reconcile({ jobs: { upgrade: 'failed' } });
    expect(r.phase).toBe('UpgradeFailed');
    expect(replicas(r)).toEqual({ web: 0, cron: 0, release: '1.4.1' });
    expect(jobNames(r)).toEqual(['prod-backup-1-4-1-to-1-4-2', 'prod-upgrade-1-4-1-to-1-4-2']);
    expect(r.conditions.Lifecycle?.message).toContain('Web and cron stay stopped (onUpgradeFailure: hold)');
  });

  it('does not run a rolled-back upgrade again from the old backup when its Job is deleted: it asks for a fresh start', async () => {
    const c = await runningProduction();
    c.xr.spec.release = '1.4.2';
    await c.untilJob('prod-upgrade-1-4-1-to-1-4-2');
    await c.reconcile({ jobs: { upgrade: 'failed' } });
    await c.reconcile({ jobs: { upgrade: 'failed' } });
    delete c.observed['job-prod-upgrade-1-4-1-to-1-4-2'];
    c.last!.rsp.desired!.resources = Object.fromEntries(Object.entries(c.last!.rsp.desired!.resources).filter(([k]) => k !== 'job-prod-upgrade-1-4-1-to-1-4-2'));
    const r = await c.reconcile();
    expect(r.phase).toBe('UpgradeFailed');
    expect(replicas(r)).toEqual({ web: 2, cron: 1, release: '1.4.1' });
    expect(jobNames(r)).not.toContain('prod-upgrade-1-4-1-to-1-4-2');
    expect(r.conditions.Lifecycle?.reason).toBe('RetryNeedsBackup');
  });

  it('retries the upgrade when a person deletes the failed Job of an instance without a backup (a staging copy)', async () => {
    const c = new Cluster({ ...example('instance-staging.yaml'), metadata: { name: 'staging', namespace: 'acme', uid: 'u-staging' } });
    await c.until('Running');
    c.xr.spec.release = '1.4.2';
    await c.untilJob('staging-upgrade-1-4-1-to-1-4-2');
    expect((await c.reconcile({ jobs: { upgrade: 'failed' } })).phase).toBe('UpgradeFailed');
    delete c.observed['job-staging-upgrade-1-4-1-to-1-4-2'];
    c.last!.rsp.desired!.resources = Object.fromEntries(Object.entries(c.last!.rsp.desired!.resources).filter(([k]) => k !== 'job-staging-upgrade-1-4-1-to-1-4-2'));
    const r = await c.reconcile();
    expect(r.phase).toBe('Upgrading');
    expect(replicas(r)).toMatchObject({ web: 0, cron: undefined });
  });

  it('goes back to Running on the old release, and drops the Jobs, when spec.release is set back', async () => {
    const c = await runningProduction();
    c.xr.spec.release = '1.4.2';
    await c.untilJob('prod-upgrade-1-4-1-to-1-4-2');
    await c.reconcile({ jobs: { upgrade: 'failed' } });
    c.xr.spec.release = '1.4.1';
    const r = await c.reconcile({ jobs: { upgrade: 'failed' } });
    // Its web Deployment is at 0 (stopped for the upgrade): Starting until it serves again, not Running at once.
    expect(r.phase).toBe('Starting');
    expect(jobNames(r)).toEqual([]);
    expect(replicas(r).web).toBeGreaterThan(0);
    expect((await c.until('Running', { jobs: { upgrade: 'failed' } })).phase).toBe('Running');
  });

  it('refuses a downgrade and keeps serving: Odoo cannot take a database back to older code', async () => {
    const c = await runningProduction();
    c.xr.spec.release = '1.4.2';
    await c.until('Running');
    await c.reconcile();
    c.xr.spec.release = '1.4.1';
    const r = await c.reconcile();
    expect(r.phase).toBe('Running');
    expect(jobNames(r)).toEqual([]);
    expect(replicas(r)).toEqual({ web: 2, cron: 1, release: '1.4.2' });
    expect(r.conditions.Lifecycle?.reason).toBe('DowngradeRefused');
    expect(r.conditions.Lifecycle?.message).toContain('Odoo cannot downgrade a database');
  });

  it('refuses a change of series in place and keeps serving', async () => {
    const c = await runningProduction();
    c.xr.spec.release = '2.0.0';
    const r = await c.reconcile();
    expect(r.phase).toBe('Running');
    expect(replicas(r)).toEqual({ web: 2, cron: 1, release: '1.4.1' });
    expect(r.conditions.Lifecycle).toEqual({
      status: 3,
      reason: 'ReleaseChangeRefused',
      message:
        'spec.release "2.0.0" is on Odoo 18.0 but the instance runs "1.4.1" on 17.0; an in-place change of series is a migration: create a migration instance from this one, then promote it. Still serving "1.4.1"',
    });
  });
});

describe('staging', () => {
  const staging = (): Obj => ({ ...example('instance-staging.yaml'), metadata: { name: 'staging', namespace: 'acme', uid: 'u-staging' } });

  it('copies the source, neutralizes, then runs; the source keeps serving throughout', async () => {
    const c = new Cluster(staging());
    const phases: (string | undefined)[] = [];
    for (let i = 0; i < 6; i++) phases.push((await c.reconcile()).phase);
    expect(phases).toEqual(['Provisioning', 'Provisioning', 'Copying', 'Neutralizing', 'Starting', 'Running']);
  });

  it('records the source release on the copy Job and keeps going if the source disappears after the copy', async () => {
    const c = new Cluster(staging());
    await c.provision();
    const copying = await c.reconcile();
    expect(copying.resources['job-staging-copy-from-prod']!.metadata.labels['odoo.io/source-release']).toBe('1.4.1');
    c.required = c.required.filter((o) => !(o.kind === 'Instance' && o.metadata.name === 'prod'));
    expect((await c.reconcile()).phase).toBe('Neutralizing');
  });

  it('refuses to copy a source that runs a newer release than its own', async () => {
    const required = requiredObjects();
    required.find((o) => o.kind === 'Instance' && o.metadata.name === 'prod')!.status.runningRelease = '1.4.2';
    const c = new Cluster(staging(), required);
    await c.provision();
    const r = await c.reconcile();
    expect(r.phase).toBe('WaitingForSource');
    expect(jobNames(r)).toEqual([]);
    expect(r.conditions.Lifecycle?.message).toBe('Source instance "prod" runs "1.4.2", newer than spec.release "1.4.1": Odoo cannot downgrade the copy. Set spec.release to "1.4.2" or later');
  });

  it('neutralizes even when the tenant says neutralize: false: a copy never reaches the outside world', async () => {
    const required = requiredObjects();
    tenantOf(required).spec.staging.neutralize = false;
    const c = new Cluster(staging(), required);
    const phases: (string | undefined)[] = [];
    for (let i = 0; i < 6; i++) phases.push((await c.reconcile()).phase);
    expect(phases).toEqual(['Provisioning', 'Provisioning', 'Copying', 'Neutralizing', 'Starting', 'Running']);
  });

  it('neutralize fails the Job when a mail server or a cron is still active', async () => {
    const c = new Cluster(staging());
    await c.until('Neutralizing');
    const script = c.last!.resources['job-staging-neutralize']!.spec.template.spec.containers[0].command[2];
    expect(script).toContain('odoo neutralize --config /run/odoo/odoo.conf --database "$PGDATABASE"');
    expect(script).toContain('FROM ir_mail_server WHERE active');
    expect(script).toContain("d.name = 'autovacuum_job'");
    expect(script).toContain('exit 1');
    const r = await c.reconcile({ jobs: { neutralize: 'failed' } });
    expect(r.phase).toBe('NeutralizationFailed');
    expect(r.resources.web).toBeUndefined();
  });

  it('while it waits for its source, asks to be called again soon (the source is another XR, which Crossplane does not watch)', async () => {
    const required = requiredObjects();
    required.find((o) => o.kind === 'Instance' && o.metadata.name === 'prod')!.status = { phase: 'Initializing', transitioning: true };
    const c = new Cluster(staging(), required);
    await c.provision();
    const waiting = await c.reconcile();
    expect(waiting.phase).toBe('WaitingForSource');
    expect(waiting.status.transitioning).toBe(false);
    expect(waiting.rsp.meta?.ttl?.seconds).toBe(15);
    const running = await runningProduction();
    expect(running.last!.rsp.meta?.ttl?.seconds).toBe(600);
  });

  it('named as the tenant’s primary but not routed yet, it looks at the Tenant every 15 s only once it runs: until then its own Jobs and Deployments wake it', async () => {
    const required = requiredObjects();
    delete tenantOf(required).status.primaryInstance;
    const c = new Cluster({ ...example('instance-production.yaml'), metadata: { name: 'prod', namespace: 'acme', uid: 'u-prod' } }, required);
    const initializing = await c.until('Initializing');
    expect(initializing.rsp.meta?.ttl?.seconds).toBe(60);
    const running = await c.until('Running');
    expect(running.rsp.meta?.ttl?.seconds).toBe(15);
  });

  it('leaves a transition moved by its own Jobs and Deployments to Crossplane’s watches: a long safety-net TTL, not a poll', async () => {
    const c = new Cluster(production());
    await c.provision();
    // Initializing waits for the init Job and Starting for the web Deployment, both watched by Crossplane.
    expect(await ttlsThrough(c, 'Running')).toMatchObject({ Initializing: 60, Starting: 60, Running: 600 });
  });

  it('asks again every 10 s while web and cron of an instance that ran are held at 0 for a step (backup, upgrade, rollback), since its users wait behind the maintenance page and Crossplane’s circuit breaker, emptied by the upgrade’s own events, would hear a step only every 30 s; a rollout and a test run keep the watched TTL', async () => {
    const upgraded = await runningProduction();
    upgraded.xr.spec.release = '1.4.2';
    expect(await ttlsThrough(upgraded, 'Running')).toEqual({ BackingUp: 10, Upgrading: 10, Starting: 60, Running: 600 });
    const failing = await runningProduction();
    failing.xr.spec.release = '1.4.2';
    await failing.until('Upgrading');
    expect(await ttlsThrough(failing, 'RollingBack', { jobs: { upgrade: 'failed', rollback: 'running' } })).toEqual({ RollingBack: 10 });
    const testing = new Cluster({ ...example('instance-testing.yaml'), metadata: { name: 'ci', namespace: 'acme', uid: 'u-ci' } });
    const running = await testing.until('Testing', { jobs: { test: 'running' } });
    expect(Number(running.rsp.meta?.ttl?.seconds)).toBe(60);
  });

  it('costs Crossplane two calls per reconcile, whatever the type: it asks at once for everything it reads, so the second call asks for the same and ends the round', async () => {
    const required = requiredObjects();
    required.find((o) => o.kind === 'Instance' && o.metadata.name === 'prod')!.status = { phase: 'Running', runningRelease: '1.4.1' };
    for (const xr of [production(), staging(), example('instance-testing.yaml'), { ...example('instance-migration.yaml'), metadata: { name: 'v18', namespace: 'acme', uid: 'u-v18' } }]) {
      const c = new Cluster(xr, required);
      for (let i = 0; i < 6; i++) expect((await c.reconcile()).calls, `${xr.spec.type}, reconcile ${i + 1}`).toBe(2);
    }
  });

  it('keeps the watched TTL while a composed resource is still becoming ready, since its one event can be dropped by Crossplane’s circuit breaker; a failed Job does not hold it', () => {
    const of = (kind: string, ready: boolean) => ({ key: kind, object: { apiVersion: 'v1', kind, metadata: { name: 'x' } }, ready });
    expect(settledTtl(TTL.steady, [of('Deployment', true), of('Deployment', false)])).toBe(TTL.watched);
    expect(settledTtl(TTL.steady, [of('Deployment', true), of('Job', false)])).toBe(TTL.steady);
    expect(settledTtl(TTL.awaitingOthers, [of('Deployment', false)])).toBe(TTL.awaitingOthers);
    expect(settledTtl(TTL.steady, [of('Deployment', true)])).toBe(TTL.steady);
  });

  it('waits for a missing source and composes no Job', async () => {
    const x = staging();
    x.spec.source.instance = 'gone';
    const c = new Cluster(x);
    await c.provision();
    const r = await c.reconcile();
    expect(r.phase).toBe('WaitingForSource');
    expect(jobNames(r)).toEqual([]);
    expect(r.conditions.Lifecycle?.message).toBe(
      'Waiting for source instance "gone": it does not exist in this namespace; create it, or set spec.source.instance to an existing instance',
    );
  });
});

describe('migration', () => {
  const migration = (): Obj => ({ ...example('instance-migration.yaml'), metadata: { name: 'v18', namespace: 'acme', uid: 'u-v18' } });

  it('copies the primary, migrates one series at a time, and runs without cron until promoted', async () => {
    const required = requiredObjects();
    const a = app(required);
    a.spec.releases = [
      { version: '1.0.0', series: '16.0' },
      { version: '1.4.1', series: '17.0', migration: { upgradePath: '/ou/17' } },
      { version: '2.0.0', series: '18.0', migration: { upgradePath: '/ou/18' } },
    ];
    required.find((o) => o.kind === 'Instance' && o.metadata.name === 'prod')!.status.runningRelease = '1.0.0';
    const c = new Cluster(migration(), required);
    const seen: [string | undefined, string[]][] = [];
    for (let i = 0; i < 7; i++) {
      const r = await c.reconcile();
      seen.push([r.phase, jobNames(r)]);
    }
    expect(seen).toEqual([
      ['Provisioning', []],
      ['Provisioning', []],
      ['Copying', ['v18-copy-from-prod']],
      ['Migrating', ['v18-copy-from-prod', 'v18-migrate-17-0-1-4-1']],
      ['Migrating', ['v18-copy-from-prod', 'v18-migrate-17-0-1-4-1', 'v18-migrate-18-0-2-0-0']],
      ['Starting', ['v18-copy-from-prod', 'v18-migrate-17-0-1-4-1', 'v18-migrate-18-0-2-0-0']],
      ['Running', []],
    ]);
    const r = c.last!;
    expect(replicas(r)).toEqual({ web: 1, cron: undefined, release: '2.0.0' });
    const migrate: string = c.observed['job-v18-migrate-18-0-2-0-0']!.spec.template.spec.containers[0].command[2];
    expect(migrate).toContain(' --update all --upgrade-path=/ou/18 --load=base,web,openupgrade_framework ');
    // Before hours of -u all, every installed module must be in the 18.0 image (migration-preflight.ts; PostgreSQL tests run it).
    expect(migrate).toContain("the migration to release %s was not started");
    expect(migrate).toContain(" '/run/odoo/odoo.conf' '/ou/18' 18.0 '2.0.0'\nodoo --config /run/odoo/odoo.conf --update all ");
    // A module the new series lacks is left unloaded by Odoo, which exits 0: the migration fails instead.
    expect(migrate).toMatch(/--no-http\nunfinished="\$\(psql [^\n]*\)"\nif \[ -n "\$unfinished" \]; then\n.*release 2\.0\.0/);
    // Promoted: the tenant routes v18 as primary, so its cron runs.
    tenantOf(c.required).status = { primaryInstance: 'v18', baseHostName: 'acme.odoo.example' };
    expect(replicas(await c.reconcile())).toEqual({ web: 1, cron: 1, release: '2.0.0' });
    expect(c.last!.status.url).toBe('https://acme.odoo.example');
  });

  it('keeps migrating from the copied source when the tenant is asked to promote it mid-way', async () => {
    const c = new Cluster(migration());
    await c.until('Migrating');
    tenantOf(c.required).spec.primaryInstance = 'v18';
    const r = await c.reconcile({ jobs: { migrate: 'running' } });
    expect(r.phase).toBe('Migrating');
    expect(jobNames(r)).toEqual(['v18-copy-from-prod', 'v18-migrate-18-0-2-0-0']);
  });

  it('fails with a clear message when no release of a series can migrate', async () => {
    const required = requiredObjects();
    delete app(required).spec.releases.find((r: any) => r.version === '2.0.0').migration;
    const c = new Cluster(migration(), required);
    await c.provision();
    const r = await c.reconcile();
    expect(r.phase).toBe('MigrationFailed');
    expect(r.conditions.Lifecycle?.message).toBe(
      'No release of Odoo 18.0 in App "acme" can migrate a database (none sets migration.upgradePath); ask the DevOps team to add one',
    );
  });
});

describe('testing', () => {
  const testing = (): Obj => ({ ...example('instance-testing.yaml'), metadata: { name: 'ci', namespace: 'acme', uid: 'u-ci' } });

  it('initializes with demo data, tests with the tenant’s tags, then Passed and keeps running', async () => {
    const c = new Cluster(testing());
    await c.provision();
    const init = await c.reconcile();
    // The Job runs ['bash', '-c', script]: read the script, not the array's elements.
    const initScript = init.resources['job-ci-init']!.spec.template.spec.containers[0].command.join(' ');
    expect(initScript).toMatch(/--init base,\S+/);
    expect(initScript).not.toContain('--without-demo');
    const testingPhase = await c.reconcile();
    expect(testingPhase.phase).toBe('Testing');
    const script = testingPhase.resources['job-ci-test-1-4-1']!.spec.template.spec.containers[0].command[2];
    // One process with its HTTP server on: browser tests need it, and Odoo wants --workers 0 for tests.
    expect(script).toContain(
      'if odoo --config /run/odoo/odoo.conf --test-enable --log-level=test --update acme_sale,acme_stock --test-tags=/acme_sale,/acme_stock --stop-after-init --workers=0 --max-cron-threads=0 --limit-memory-hard=0 2>&1 | tee /tmp/odoo-tests.log; then',
    );
    expect(script).not.toContain('--no-http');
    const r = await c.until('Passed');
    expect(r.status.transitioning).toBe(false);
    expect(replicas(r)).toMatchObject({ web: 1, release: '1.4.1' });
  });

  it('keeps the Pod template a Job was created with when the function would now write another: Kubernetes refuses to change it', async () => {
    const c = new Cluster(testing());
    await c.until('Passed');
    // What an older version of the function wrote into the test Job, which Kubernetes keeps.
    const older = structuredClone(c.observed['job-ci-test-1-4-1']!);
    older.spec.template.spec.containers[0].command = ['bash', '-c', 'odoo --test-enable --stop-after-init'];
    older.spec.template.metadata.labels['batch.kubernetes.io/controller-uid'] = 'u-job';
    const { rsp } = await runFunctionWithRequest(c.xr, { ...c.observed, 'job-ci-test-1-4-1': older }, c.required);
    const job = rsp.desired!.resources['job-ci-test-1-4-1']!.resource as Obj;
    expect(job.spec.template).toEqual(older.spec.template);
    // Only the template: the rest is composed as this version writes it.
    expect(job.metadata).toEqual(c.last!.resources['job-ci-test-1-4-1']!.metadata);
    // Deleted (to run the tests again), it is created with this version's template.
    const { rsp: again } = await runFunctionWithRequest(c.xr, Object.fromEntries(Object.entries(c.observed).filter(([k]) => k !== 'job-ci-test-1-4-1')), c.required);
    expect((again.desired!.resources['job-ci-test-1-4-1']!.resource as Obj).spec.template.spec.containers[0].command[2]).toContain('--test-enable');
    expect((again.desired!.resources['job-ci-test-1-4-1']!.resource as Obj).spec.template.spec.containers[0].command[2]).toContain('--limit-memory-hard=0');
  });

  it('reports Failed when a test fails, names the failed tests from the Job’s Pod, and still runs for inspection', async () => {
    const c = new Cluster(testing());
    await c.until('Testing');
    c.required.push(failedTestPod('acme', 'ci-test-1-4-1', 'acme_sale: FAIL TestOrder.test_confirm\nacme_stock: ERROR TestPicking.test_done\n'));
    const r = await c.reconcile({ jobs: { test: 'failed' } });
    expect(r.phase).toBe('Failed');
    expect(replicas(r)).toMatchObject({ web: 1, release: '1.4.1' });
    expect(r.rsp.requirements?.resources?.['failed-test-pods']).toEqual({ apiVersion: 'v1', kind: 'Pod', namespace: 'acme', matchLabels: { labels: { 'batch.kubernetes.io/job-name': 'ci-test-1-4-1' } } });
    expect(r.conditions.Lifecycle?.message).toBe(
      'Tests failed on release 1.4.1: acme_sale: FAIL TestOrder.test_confirm; acme_stock: ERROR TestPicking.test_done. Read kubectl logs -n acme job/ci-test-1-4-1; the instance keeps running for inspection. Delete the Job to run the tests again',
    );
  });

  it('names no test when the Pod is gone, and passes on nothing else a Pod says', async () => {
    const c = new Cluster(testing());
    await c.until('Testing');
    expect((await c.reconcile({ jobs: { test: 'failed' } })).conditions.Lifecycle?.message).toBe(
      'Tests failed on release 1.4.1. Read kubectl logs -n acme job/ci-test-1-4-1; the instance keeps running for inspection. Delete the Job to run the tests again',
    );
    c.required.push(failedTestPod('acme', 'ci-test-1-4-1', 'password=hunter2\nacme_sale: FAIL TestOrder.test_confirm'));
    expect((await c.reconcile({ jobs: { test: 'failed' } })).conditions.Lifecycle?.message).toMatch(/^Tests failed on release 1\.4\.1: acme_sale: FAIL TestOrder\.test_confirm\. Read/);
  });

  it('runs the instance’s own test tags over the tenant’s', async () => {
    const x = testing();
    x.spec.testTags = 'e2e_pass';
    const c = new Cluster(x);
    const r = await c.until('Testing');
    expect(r.resources['job-ci-test-1-4-1']!.spec.template.spec.containers[0].command[2]).toContain('--test-tags=e2e_pass ');
  });
});
