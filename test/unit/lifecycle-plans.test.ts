// The lifecycle's plan for each kind of instance and transition, read from
// deriveLifecycle with the observed state written out: which step runs
// next, whether web and cron keep serving meanwhile, and what the Lifecycle
// condition tells a person (its reason is what alerts and `kubectl wait` read).
import { describe, expect, it } from 'vitest';
import { deriveLifecycle, STOPPING_PODS, type Lifecycle } from '../../functions/instance/lifecycle.js';
import type { ObservedObject } from '../../functions/shared/composition.js';
import { CRON, instanceFixture, lifecycleInput, NO_WORKLOAD_PODS, observedDeployment, observedJob, WEB, type InstanceFixture } from '../support/instance-input.js';
import type { Obj } from '../support/world.js';

const STORAGE = { endpoint: 'https://s3.example', bucket: 'acme-odoo-backups', prefix: 'odoo', region: 'eu-central-1', credentialsSecretName: 'odoo-backup-s3' };

const appOf = (objects: Obj[]) => objects.find((o) => o.kind === 'App')!;
const tenantOf = (objects: Obj[]) => objects.find((o) => o.kind === 'Tenant')!;
const instanceOf = (objects: Obj[], name: string) => objects.find((o) => o.kind === 'Instance' && o.metadata.name === name)!;

/** The admin login Secret of a new production, as composed and observed (admin-login.ts). */
const ADMIN_LOGIN_OBSERVED: Record<string, ObservedObject> = { 'admin-login': { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'prod-admin-login' }, data: { login: 'YWRtaW4=', password: 'c2VjcmV0' } } };

/** examples/required.yaml's App lists 1.4.1 and 1.4.2 (17.0) and 2.0.0 (18.0, which can migrate). */

/** Plays the lifecycle forward: each Job it asks for is observed as `outcome` (complete unless named), until it stops asking for new ones. */
function play(f: InstanceFixture, observed: Record<string, ObservedObject>, outcomes: Record<string, 'complete' | 'failed' | 'running'> = {}, max = 8): Lifecycle[] {
  const seen: Lifecycle[] = [];
  for (let i = 0; i < max; i++) {
    const l = deriveLifecycle(lifecycleInput(f, observed));
    seen.push(l);
    const next = l.jobs.find((j) => observed[`job-${j.metadata.name}`] === undefined);
    if (next === undefined) break;
    const step = (next.metadata.labels as Record<string, string>)['odoo.io/lifecycle-step']!;
    const [key, job] = observedJob(next, outcomes[step] ?? 'complete');
    observed[key] = job;
  }
  return seen;
}

const phases = (seen: Lifecycle[]) => seen.map((l) => l.phase);

describe('a new instance', () => {
  it('says which modules it installs, base first and once, into which database', () => {
    const f = instanceFixture('production', { instance: (xr) => (xr.spec.initModules = ['sale_management', 'base', 'stock']) });
    const l = deriveLifecycle(lifecycleInput(f, ADMIN_LOGIN_OBSERVED));
    expect(l.phase).toBe('Initializing');
    expect(l.condition.message).toBe('Installing base, sale_management, stock into acme_prod (Job prod-init)');
  });

  it('starts a new production’s init only once its admin login Secret exists, which the Job reads the administrator’s password from', () => {
    const f = instanceFixture('production', { instance: (xr) => (xr.spec.initModules = ['sale']) });
    const waiting = deriveLifecycle(lifecycleInput(f));
    expect(waiting.phase).toBe('Initializing');
    expect(waiting.jobs).toEqual([]);
    expect(waiting.condition.message).toBe(
      "Installing base, sale into acme_prod (Job prod-init) (waiting for Secret prod-admin-login with the administrator's password, derived from the role's password once provider-sql wrote it)",
    );
    const init = deriveLifecycle(lifecycleInput(f, ADMIN_LOGIN_OBSERVED)).jobs[0] as Obj;
    expect(init.spec.template.spec.containers[0].env).toEqual(
      expect.arrayContaining([
        { name: 'ODOO_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'prod-admin-login', key: 'password' } } },
        { name: 'ODOO_ADMIN_SECRET', value: 'prod-admin-login' },
      ]),
    );
    expect(init.spec.template.spec.containers[0].command[2]).toContain('UPDATE res_users SET password');
    // A testing instance keeps admin/admin, which Odoo's own tests log in with; it needs no Secret.
    const testing = deriveLifecycle(lifecycleInput(instanceFixture('testing'))).jobs[0] as Obj;
    expect(testing.spec.template.spec.containers[0].command[2]).not.toContain('UPDATE res_users');
  });

  it('says a testing instance installs demo data, and a production one does not', () => {
    const testing = deriveLifecycle(lifecycleInput(instanceFixture('testing', { instance: (xr) => (xr.spec.initModules = ['sale']) })));
    expect(testing.condition.message).toBe('Installing base, sale into acme_testing with demo data (Job testing-init)');
    const production = deriveLifecycle(lifecycleInput(instanceFixture('production', { instance: (xr) => (xr.spec.initModules = ['sale']) }), ADMIN_LOGIN_OBSERVED));
    expect(production.condition.message).toBe('Installing base, sale into acme_prod (Job prod-init)');
  });
});

describe('a copy waiting for its source', () => {
  const blocked = (edit: Parameters<typeof instanceFixture>[1], observed: Record<string, ObservedObject> = {}) => {
    const l = deriveLifecycle(lifecycleInput(instanceFixture('staging', edit), observed));
    return { phase: l.phase, reason: l.condition.reason, jobs: l.jobs.length };
  };

  it('without a primary on the tenant nor spec.source: NoSource', () => {
    expect(
      blocked({
        instance: (xr) => delete xr.spec.source,
        required: (o) => {
          delete tenantOf(o).spec.primaryInstance;
          delete tenantOf(o).status.primaryInstance;
        },
      }),
    ).toEqual({ phase: 'WaitingForSource', reason: 'NoSource', jobs: 0 });
  });

  it('copying itself: SourceIsSelf', () => {
    expect(blocked({ instance: (xr) => (xr.spec.source = { instance: 'staging' }) })).toEqual({ phase: 'WaitingForSource', reason: 'SourceIsSelf', jobs: 0 });
  });

  it('whose source does not exist: SourceNotFound', () => {
    expect(blocked({ instance: (xr) => (xr.spec.source = { instance: 'gone' }) })).toEqual({ phase: 'WaitingForSource', reason: 'SourceNotFound', jobs: 0 });
  });

  it('whose source is not Running yet: SourceNotRunning', () => {
    expect(blocked({ required: (o) => (instanceOf(o, 'prod').status.phase = 'Upgrading') })).toEqual({ phase: 'WaitingForSource', reason: 'SourceNotRunning', jobs: 0 });
  });

  it('whose source runs a newer release than the copy’s: SourceNewer', () => {
    expect(blocked({ required: (o) => (instanceOf(o, 'prod').status.runningRelease = '2.0.0') })).toEqual({ phase: 'WaitingForSource', reason: 'SourceNewer', jobs: 0 });
  });

  it('whose copy Job recorded a release the App no longer lists: UnknownSourceRelease, naming the releases it has', () => {
    const f = instanceFixture('staging');
    const copy = deriveLifecycle(lifecycleInput(f)).jobs[0]!;
    const [key, job] = observedJob({ ...copy, metadata: { ...copy.metadata, labels: { ...copy.metadata.labels, 'odoo.io/source-release': '0.9.0' } } }, 'running');
    const l = deriveLifecycle(lifecycleInput(f, { [key]: job }));
    expect(l.phase).toBe('WaitingForSource');
    expect(l.condition.reason).toBe('UnknownSourceRelease');
    expect(l.condition.message).toBe('spec.release: "0.9.0" is not a release of App "acme"; use one of 1.4.1, 1.4.2, 2.0.0');
  });

  it('reads what was copied from its copy Job only: another object carrying the same labels (composed by an earlier pipeline step) does not say so', () => {
    const labelled: ObservedObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'staging-notes', labels: { 'odoo.io/source-instance': 'other', 'odoo.io/source-release': '2.0.0' } },
    };
    const l = deriveLifecycle(lifecycleInput(instanceFixture('staging'), { notes: labelled }));
    expect(l.phase).toBe('Copying');
    expect(l.jobs.map((j) => j.metadata.name)).toEqual(['staging-copy-from-prod']);
  });
});

describe('a staging copy of an older release of its series', () => {
  const fixture = () => instanceFixture('staging', { instance: (xr) => (xr.spec.release = '1.4.2') });

  it('copies, upgrades the copy without a backup (it holds no customer data), then neutralizes it', () => {
    expect(phases(play(fixture(), {}))).toEqual(['Copying', 'Upgrading', 'Neutralizing', 'Starting']);
  });
});

describe('a staging copy being neutralized', () => {
  it('when neutralize fails, says the copy was not started, so it mailed no one, and how to retry', () => {
    const l = play(instanceFixture('staging'), {}, { neutralize: 'failed' }).at(-1)!;
    expect(l.phase).toBe('NeutralizationFailed');
    expect(l.workloads).toBeUndefined();
    expect(l.condition.message).toBe(
      'Job "staging-neutralize" failed. The copy was not started, so it cannot mail anyone. Read its logs (kubectl logs -n acme job/staging-neutralize), fix the cause, then delete the Job to run it again (kubectl delete -n acme job/staging-neutralize)',
    );
  });
});

describe('a migration instance', () => {
  const migration = (edit: { instance?: (xr: Obj) => void; required?: (o: Obj[]) => void } = {}) => instanceFixture('migration', edit);

  it('to a newer release of the same series: copies, then upgrades in place without a backup', () => {
    const f = migration({ instance: (xr) => (xr.spec.release = '1.4.2') });
    const seen = play(f, {});
    expect(phases(seen)).toEqual(['Copying', 'Upgrading', 'Starting']);
    expect(seen.at(-1)!.jobs.map((j) => j.metadata.name)).toEqual(['migration-copy-from-prod', 'migration-upgrade-1-4-1-to-1-4-2']);
  });

  it('to an older series: MigrationFailed, Downgrade — OpenUpgrade only goes forward', () => {
    const f = migration({
      instance: (xr) => (xr.spec.release = '1.4.1'),
      required: (o) => {
        appOf(o).spec.releases = [
          { version: '1.0.0', series: '18.0' },
          { version: '1.4.1', series: '17.0' },
        ];
        instanceOf(o, 'prod').status.runningRelease = '1.0.0';
      },
    });
    const l = deriveLifecycle(lifecycleInput(f));
    expect([l.phase, l.condition.reason, l.condition.message]).toEqual(['MigrationFailed', 'Downgrade', 'Cannot migrate from Odoo 18.0 down to 17.0; choose a release of 18.0 or a later series']);
  });

  it('migrates onto its own release when that one can migrate, not onto a newer release of the target series', () => {
    const f = migration({
      required: (o) => appOf(o).spec.releases.push({ version: '2.1.0', series: '18.0', migration: { upgradePath: '/ou/18-new' } }),
    });
    const seen = play(f, {});
    expect(phases(seen)).toEqual(['Copying', 'Migrating', 'Starting']);
    expect(seen.at(-1)!.jobs.map((j) => j.metadata.name)).toEqual(['migration-copy-from-prod', 'migration-migrate-18-0-2-0-0']);
  });

  it('without a release of a series that can migrate: MigrationFailed, NoMigrationPath', () => {
    const f = migration({ required: (o) => delete appOf(o).spec.releases.find((r: Obj) => r.version === '2.0.0').migration });
    const l = deriveLifecycle(lifecycleInput(f));
    expect([l.phase, l.condition.reason]).toEqual(['MigrationFailed', 'NoMigrationPath']);
  });

  it('whose migration step fails says the source keeps serving and how to retry', () => {
    const seen = play(migration(), {}, { migrate: 'failed' });
    const failed = seen.at(-1)!;
    expect(failed.phase).toBe('MigrationFailed');
    expect(failed.condition.message).toBe(
      'Job "migration-migrate-18-0-2-0-0" failed. The source keeps serving. Read its logs (kubectl logs -n acme job/migration-migrate-18-0-2-0-0), fix the cause, then delete the Job to run it again (kubectl delete -n acme job/migration-migrate-18-0-2-0-0)',
    );
  });
});

describe('an in-place upgrade of an instance that serves customers', () => {
  const fixture = () =>
    instanceFixture('production', {
      instance: (xr) => (xr.spec.release = '1.4.2'),
      required: (o) => {
        appOf(o).spec.backup = { storage: STORAGE };
      },
      hasWeb: true,
    });
  const serving = (): Record<string, ObservedObject> => ({ [WEB]: observedDeployment('1.4.1', { replicas: 2 }), [CRON]: observedDeployment('1.4.1', { name: 'prod-cron' }) });
  const stopped = (): Record<string, ObservedObject> => ({ [WEB]: observedDeployment('1.4.1', { replicas: 0 }), [CRON]: observedDeployment('1.4.1', { replicas: 0, name: 'prod-cron' }) });

  it('stops web and cron before the backup a rollback would restore, and backs up only once both are at 0', () => {
    const l = deriveLifecycle(lifecycleInput(fixture(), serving()));
    expect(l.phase).toBe('BackingUp');
    expect(l.workloads).toEqual({ release: '1.4.1', image: 'registry.example/odoo:1.4.1', stopped: true });
    expect(l.jobs).toEqual([]);
    expect(l.condition.message).toMatch(/^Stopping web and cron before: Backing up acme_prod/);
    const stopping = deriveLifecycle(lifecycleInput(fixture(), { ...stopped(), [CRON]: observedDeployment('1.4.1', { name: 'prod-cron' }) }));
    expect(stopping.jobs).toEqual([]);
    const backingUp = deriveLifecycle(lifecycleInput(fixture(), stopped()));
    expect(backingUp.workloads?.stopped).toBe(true);
    expect(backingUp.jobs.map((j) => j.metadata.name)).toEqual(['prod-backup-1-4-1-to-1-4-2']);
    expect(backingUp.condition.message).toMatch(/web and cron are stopped, so it holds every write$/);
  });

  it('backs up only once the web and cron Pods themselves are gone: a Deployment at 0 no longer counts a Pod still shutting down, which may still write', () => {
    const selectors = {
      [STOPPING_PODS.web]: { apiVersion: 'v1', kind: 'Pod', namespace: 'acme', matchLabels: { 'odoo.io/instance': 'prod', 'app.kubernetes.io/component': 'web' } },
      [STOPPING_PODS.cron]: { apiVersion: 'v1', kind: 'Pod', namespace: 'acme', matchLabels: { 'odoo.io/instance': 'prod', 'app.kubernetes.io/component': 'cron' } },
    };
    // Crossplane has not fetched the Pods yet: asks for them, composes nothing.
    const asking = deriveLifecycle(lifecycleInput(fixture(), stopped(), true, {}));
    expect(asking.jobs).toEqual([]);
    expect(asking.requirements).toEqual(selectors);
    // A cron Pod still exiting (its Deployment already counts 0): waits for it, by name, and looks again soon.
    const exiting = { metadata: { name: 'prod-cron-5f7d-x2x9q', deletionTimestamp: '2026-12-05T18:20:00Z' } };
    const waiting = deriveLifecycle(lifecycleInput(fixture(), stopped(), true, { ...NO_WORKLOAD_PODS, [STOPPING_PODS.cron]: [exiting] }));
    expect(waiting.jobs).toEqual([]);
    expect(waiting.awaitingPods).toBe(true);
    expect(waiting.condition.message).toMatch(/^Stopping web and cron before: Backing up .* \(waiting for prod-cron-5f7d-x2x9q to exit\)$/);
    // All gone: the backup Job, and the same requirements, so Crossplane's requirement loop settles on this answer.
    const backingUp = deriveLifecycle(lifecycleInput(fixture(), stopped(), true, NO_WORKLOAD_PODS));
    expect(backingUp.jobs.map((j) => j.metadata.name)).toEqual(['prod-backup-1-4-1-to-1-4-2']);
    expect(backingUp.requirements).toEqual(selectors);
    expect(backingUp.awaitingPods).toBeUndefined();
    // Once the Job exists, the Pods are no longer asked for.
    const [key, job] = observedJob(backingUp.jobs[0]!, 'running');
    expect(deriveLifecycle(lifecycleInput(fixture(), { ...stopped(), [key]: job }, true, {})).requirements).toEqual({});
  });

  it('when the backup fails, says nothing was changed and the old release serves again', () => {
    const f = fixture();
    const backup = deriveLifecycle(lifecycleInput(f, stopped())).jobs[0]!;
    const [key, job] = observedJob(backup, 'failed');
    const l = deriveLifecycle(lifecycleInput(f, { ...serving(), [key]: job }));
    expect(l.phase).toBe('BackupFailed');
    expect(l.workloads?.stopped).toBe(false);
    expect(l.condition.message).toBe(
      'Job "prod-backup-1-4-1-to-1-4-2" failed. Release 1.4.1 is serving again and nothing was changed. Read its logs (kubectl logs -n acme job/prod-backup-1-4-1-to-1-4-2), fix the cause, then delete the Job to run it again (kubectl delete -n acme job/prod-backup-1-4-1-to-1-4-2), or set spec.release back to 1.4.1',
    );
  });

  it('while the failed upgrade is being rolled back, the reason is RollingBack; when the restore fails too, RollbackFailed, with web and cron still stopped', () => {
    const f = fixture();
    const observed = stopped();
    const seen = play(f, observed, { upgrade: 'failed', rollback: 'running' });
    expect(seen.at(-1)!.phase).toBe('RollingBack');
    expect(seen.at(-1)!.condition.reason).toBe('RollingBack');
    const rollback = seen.at(-1)!.jobs.at(-1)!;
    const [key, job] = observedJob(rollback, 'failed');
    const l = deriveLifecycle(lifecycleInput(f, { ...observed, [key]: job }));
    expect([l.phase, l.condition.reason, l.workloads?.stopped]).toEqual(['RollbackFailed', 'RollbackFailed', true]);
  });

  /** The same fixture, with the Lifecycle condition an earlier call recorded in the status. */
  const recorded = (condition: unknown[]) =>
    instanceFixture('production', {
      instance: (xr) => {
        xr.spec.release = '1.4.2';
        xr.status = { conditions: condition };
      },
      required: (o) => (appOf(o).spec.backup = { storage: STORAGE }),
      hasWeb: true,
    });

  it('composes the finished rollback Job no more on the calls after the status recorded RolledBack (Crossplane deletes it), keeps the failed upgrade Job, and says the same', () => {
    const observed = stopped();
    const rolledBack = play(fixture(), observed, { upgrade: 'failed' }).at(-1)!;
    expect(rolledBack.condition.reason).toBe('RolledBack');
    expect(rolledBack.jobs.map((j) => j.metadata.name)).toContain('prod-rollback-1-4-1-to-1-4-2');
    const l = deriveLifecycle(lifecycleInput(recorded([{ type: 'Lifecycle', status: 'False', reason: 'RolledBack', message: rolledBack.condition.message }]), observed));
    expect(l.jobs.map((j) => j.metadata.name)).toEqual(['prod-backup-1-4-1-to-1-4-2', 'prod-upgrade-1-4-1-to-1-4-2']);
    expect(l.condition).toEqual(rolledBack.condition);
  });

  it('rolls a failed upgrade back even when the status recorded RolledBack for another upgrade Job', () => {
    const observed = stopped();
    const seen = play(fixture(), observed, { upgrade: 'failed' });
    delete observed['job-prod-rollback-1-4-1-to-1-4-2'];
    const other = 'Upgrade 1.4.1 → 1.4.3 failed and was rolled back: … Read why it failed: kubectl logs -n acme job/prod-upgrade-1-4-1-to-1-4-3. …';
    const l = deriveLifecycle(lifecycleInput(recorded([{ type: 'Lifecycle', status: 'False', reason: 'RolledBack', message: other }]), observed));
    expect(seen.at(-1)!.phase).toBe('UpgradeFailed');
    expect(l.phase).toBe('RollingBack');
    expect(l.jobs.map((j) => j.metadata.name)).toContain('prod-rollback-1-4-1-to-1-4-2');
  });

  it('reads a status whose conditions hold a null entry (written by hand) as no recorded condition', () => {
    const observed = stopped();
    play(fixture(), observed, { upgrade: 'failed' });
    delete observed['job-prod-rollback-1-4-1-to-1-4-2'];
    const l = deriveLifecycle(lifecycleInput(recorded([null]), observed));
    expect(l.phase).toBe('RollingBack');
  });

  it('keeps the finished rollback Job composed once the failed upgrade Job is deleted, so Kubernetes keeps its record', () => {
    const f = fixture();
    const observed = stopped();
    const seen = play(f, observed, { upgrade: 'failed' });
    const rollback = seen.at(-1)!.jobs.at(-1)!;
    expect(rollback.metadata.name).toBe('prod-rollback-1-4-1-to-1-4-2');
    delete observed['job-prod-upgrade-1-4-1-to-1-4-2'];
    const l = deriveLifecycle(lifecycleInput(f, observed));
    expect(l.condition.reason).toBe('RetryNeedsBackup');
    expect(l.jobs.map((j) => j.metadata.name)).toEqual(['prod-backup-1-4-1-to-1-4-2', 'prod-rollback-1-4-1-to-1-4-2']);
  });
});

describe('an in-place upgrade of a copy (no backup)', () => {
  const fixture = () => instanceFixture('staging', { instance: (xr) => (xr.spec.release = '1.4.2'), hasWeb: true });
  const stopped = (): Record<string, ObservedObject> => ({
    [WEB]: observedDeployment('1.4.1', { replicas: 0, name: 'staging-web' }),
    [CRON]: observedDeployment('1.4.1', { replicas: 0, name: 'staging-cron' }),
  });

  it('goes straight to Upgrading: stopping web and cron first', () => {
    const l = deriveLifecycle(lifecycleInput(fixture(), { [WEB]: observedDeployment('1.4.1', { name: 'staging-web' }) }));
    expect(l.phase).toBe('Upgrading');
    expect(l.workloads?.stopped).toBe(true);
    expect(l.condition.message).toMatch(/^Stopping web and cron before: Upgrading 1\.4\.1 → 1\.4\.2/);
  });

  it('never drops an upgrade Job that already runs, even when web is observed serving again (scaled by hand): it stops web again and lets the upgrade finish', () => {
    const f = fixture();
    const upgrade = play(f, stopped(), { upgrade: 'running' }).at(-1)!.jobs.at(-1)!;
    const [key, job] = observedJob(upgrade, 'running');
    const l = deriveLifecycle(lifecycleInput(f, { [WEB]: observedDeployment('1.4.1', { name: 'staging-web' }), [key]: job }));
    expect(l.phase).toBe('Upgrading');
    expect(l.jobs.map((j) => j.metadata.name)).toEqual(['staging-upgrade-1-4-1-to-1-4-2']);
    expect(l.workloads?.stopped).toBe(true);
  });

  it('when the upgrade fails, serves the old release again and says how to retry', () => {
    const f = fixture();
    const seen = play(f, stopped(), { upgrade: 'failed' });
    const l = seen.at(-1)!;
    expect(l.phase).toBe('UpgradeFailed');
    expect(l.workloads).toEqual({ release: '1.4.1', image: 'registry.example/odoo:1.4.1', stopped: false });
    expect(l.condition.message).toBe(
      'Job "staging-upgrade-1-4-1-to-1-4-2" failed. Release 1.4.1 is serving again. Read its logs (kubectl logs -n acme job/staging-upgrade-1-4-1-to-1-4-2), fix the cause, then delete the Job to run it again (kubectl delete -n acme job/staging-upgrade-1-4-1-to-1-4-2), or set spec.release back to 1.4.1',
    );
  });

  it('stopped at its deadline, names the upgrade deadline to raise', () => {
    const f = fixture();
    const upgrade = play(f, stopped(), { upgrade: 'running' }).at(-1)!.jobs.at(-1)!;
    const [key, job] = observedJob(upgrade, 'failed', 'DeadlineExceeded');
    const l = deriveLifecycle(lifecycleInput(f, { ...stopped(), [key]: job }));
    expect(l.condition.message).toMatch(/^Job "staging-upgrade-1-4-1-to-1-4-2" ran longer than its deadline of \d+ s and was stopped \(raise App spec\.lifecycle\.deadlines\.upgrade if it needs longer\)/);
  });
});

describe('a testing instance', () => {
  it('runs its tests again while it keeps serving, once a person deletes the test Job', () => {
    const f = instanceFixture('testing', { hasWeb: true });
    const l = deriveLifecycle(lifecycleInput(f, { [WEB]: observedDeployment('1.4.1', { name: 'testing-web' }) }));
    expect(l.phase).toBe('Testing');
    expect(l.workloads?.stopped).toBe(false);
    expect(l.jobs.map((j) => j.metadata.labels?.['odoo.io/lifecycle-step'])).toEqual(['test']);
  });

  it('upgraded in place, runs its tests on the new release after the upgrade', () => {
    const f = instanceFixture('testing', { instance: (xr) => (xr.spec.release = '1.4.2'), hasWeb: true });
    const observed = { [WEB]: observedDeployment('1.4.1', { replicas: 0, name: 'testing-web' }), [CRON]: observedDeployment('1.4.1', { replicas: 0, name: 'testing-cron' }) };
    expect(phases(play(f, observed))).toEqual(['Upgrading', 'Testing', 'Starting']);
  });
});

describe('an instance whose release the App no longer lists', () => {
  it('refuses a change of release and says the series it runs is unknown', () => {
    const f = instanceFixture('production', { hasWeb: true });
    const l = deriveLifecycle(lifecycleInput(f, { [WEB]: observedDeployment('0.9.0', { replicas: 2 }) }));
    expect(l.phase).toBe('Running');
    expect(l.condition.reason).toBe('ReleaseChangeRefused');
    expect(l.condition.message).toContain('the instance runs "0.9.0" on an unknown series');
  });
});

describe('an instance restored from a backup', () => {
  const withStorage = (o: Obj[]) => (appOf(o).spec.backup = { storage: STORAGE });

  it('production, from a named backup: restores it instead of initializing, then starts (no neutralize)', () => {
    const f = instanceFixture('production', { instance: (xr) => (xr.spec.restore = { key: 'prod/scheduled/20261126T013000Z.zip' }), required: withStorage });
    const seen = play(f, {});
    expect(phases(seen)).toEqual(['Restoring', 'Starting']);
    expect(seen[0]!.condition.message).toBe('Restoring backup prod/scheduled/20261126T013000Z.zip into acme_prod and its filestore (Job prod-restore)');
  });

  it('production keeps the identity of the restored database (its uuid, secret and URL); a staging copy gets its own', () => {
    const script = (f: InstanceFixture) => JSON.stringify(deriveLifecycle(lifecycleInput(f)).jobs[0]!.spec);
    const production = instanceFixture('production', { instance: (xr) => (xr.spec.restore = { key: 'prod/scheduled/20261126T013000Z.zip' }), required: withStorage });
    const staging = instanceFixture('staging', { instance: (xr) => (xr.spec.restore = { latestOf: 'prod' }), required: withStorage });
    expect(script(production)).not.toContain('database.uuid');
    expect(script(staging)).toContain("key = 'database.uuid'");
  });

  it('staging, from the newest backup of another instance: restores it, then neutralizes the copy', () => {
    const f = instanceFixture('staging', { instance: (xr) => (xr.spec.restore = { latestOf: 'prod' }), required: withStorage });
    const seen = play(f, {});
    expect(phases(seen)).toEqual(['Restoring', 'Neutralizing', 'Starting']);
    expect(seen[0]!.condition.message).toBe('Restoring the newest scheduled backup of instance "prod" into acme_staging and its filestore (Job staging-restore)');
  });
});
