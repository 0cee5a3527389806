// The examples reconciled end to end by a real control plane on this
// machine: kube-apiserver on kine, Crossplane core, provider-sql against a
// real PostgreSQL, and function-odoo over mutual TLS. No kubelet runs: where
// a Pod would have run a Job, the test marks the Job finished, and says so.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync, readdirSync } from 'node:fs';
import { ROOT } from '../../scripts/function-process.js';
import { goModuleDir, SCHEMA_MODULES } from '../../scripts/schema-sources.js';
import { applyFiles, applyObjects, crdsEstablished } from './support/apply.js';
import { Cluster } from './support/cluster.js';
import { binaries, startControlPlane, type ControlPlane } from './support/control-plane.js';
import { startCrossplane, type RunningCrossplane } from './support/crossplane.js';
import { startPostgres, type Postgres } from './support/postgres.js';
import { eventually, Processes } from './support/processes.js';
import { cpuSeconds, peakRssMiB } from './support/proc.js';
import { hasTrueCondition } from '../../functions/shared/readiness.js';
import { StandInControllers } from './support/stand-ins.js';
import { installProviderSqlCrds, startProviderSql, type RunningProviderSql } from './support/provider-sql.js';

const DIR = join(ROOT, '.work', 'e2e');
const KEEP = process.env.E2E_KEEP === '1';
let processes: Processes;
let plane: ControlPlane;
let pg: Postgres;
let crossplane: RunningCrossplane;
let cluster: Cluster;
let providerSql: RunningProviderSql;

function example(file: string): Record<string, any> {
  return parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as Record<string, any>;
}

beforeAll(async () => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  processes = new Processes(DIR);
  const bin = binaries();
  plane = await startControlPlane(DIR, processes, bin);
  process.stderr.write(`e2e: kubeconfig ${plane.kubeconfig}; logs in ${DIR}\n`);
  cluster = new Cluster(plane.kc);
  pg = await startPostgres(join(DIR, 'pg'), processes);

  const gateway = join(goModuleDir(SCHEMA_MODULES.gatewayApi.module, SCHEMA_MODULES.gatewayApi.version), 'config', 'crd', 'standard');
  await applyFiles(plane.kc, readdirSync(gateway).filter((f) => f.endsWith('.yaml')).map((f) => join(gateway, f)));
  await installProviderSqlCrds(plane.kc);
  crossplane = await startCrossplane({ kc: plane.kc, kubeconfig: plane.kubeconfig, crossplane: process.env.E2E_CROSSPLANE!, dir: DIR, processes });
  providerSql = await startProviderSql(process.env.E2E_PROVIDER_SQL!, plane.kubeconfig, processes);

  await applyFiles(plane.kc, ['app', 'tenant', 'instance'].map((x) => join(ROOT, 'apis', x, 'definition.yaml')));
  await applyFiles(plane.kc, ['app', 'tenant', 'instance'].map((x) => join(ROOT, 'compositions', `${x}.yaml`)));
  await eventually('the XRDs to be established as CRDs', async () => {
    const ok = await crdsEstablished(plane.kc, ['apps.app.odoo.io', 'tenants.tenant.odoo.io', 'instances.instance.odoo.io']).catch(() => undefined);
    if (ok) return true;
    const xrd = await cluster.get('apiextensions.crossplane.io/v2', 'CompositeResourceDefinition', 'apps.app.odoo.io');
    throw new Error(`XRD apps.app.odoo.io: ${JSON.stringify(xrd?.status?.conditions ?? 'none')}`);
  }, 180_000);
}, 900_000);

afterAll(async () => {
  if (KEEP) {
    process.stderr.write(`e2e: E2E_KEEP=1, leaving the control plane up: KUBECONFIG=${plane?.kubeconfig}\n`);
    await new Promise(() => undefined);
  }
  pg?.stop();
  await processes?.stopAll();
});

describe('0. function-odoo as a Crossplane package', () => {
  it('is installed from the package cache and reached through its FunctionRevision’s endpoint', async () => {
    const list = (await plane.kc.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject({ group: 'pkg.crossplane.io', version: 'v1', plural: 'functionrevisions' })) as {
      items: { spec: { desiredState: string }; status?: { endpoint?: string } }[];
    };
    expect(list.items.map((r) => [r.spec.desiredState, r.status?.endpoint])).toEqual([['Active', crossplane.fnAddress]]);
  });
});

/** What an App needs before it is applied: the image cache namespace and the PostgreSQL admin Secret. */
function appPrerequisites(): k8s.KubernetesObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'odoo-system' } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'postgres-admin', namespace: 'crossplane-system' },
      stringData: { username: 'postgres', password: pg.password, endpoint: '127.0.0.1', port: String(pg.port) },
    } as k8s.KubernetesObject,
  ];
}

/** The example App under this name, on the test's PostgreSQL. */
function appOnTestPostgres(name: string): k8s.KubernetesObject {
  const app = example('app.yaml');
  app.metadata.name = name;
  app.spec.database = { ...app.spec.database, host: '127.0.0.1', port: pg.port, sslMode: 'disable' };
  return app as k8s.KubernetesObject;
}

describe('1. App', () => {
  it('composes a ClusterProviderConfig that provider-sql uses to reach PostgreSQL', async () => {
    await applyObjects(plane.kc, appPrerequisites());
    await applyObjects(plane.kc, [appOnTestPostgres('acme')]);
    const cpc = await cluster.until<Record<string, any>>('ClusterProviderConfig odoo-acme', 'postgresql.sql.m.crossplane.io/v1alpha1', 'ClusterProviderConfig', 'odoo-acme', undefined);
    expect(cpc.spec.credentials.connectionSecretRef).toEqual({ name: 'postgres-admin', namespace: 'crossplane-system' });
    const ds = await cluster.until<Record<string, any>>('the image cache DaemonSet', 'apps/v1', 'DaemonSet', 'odoo-image-cache-acme', 'odoo-system');
    expect(ds.spec.template.spec.initContainers.map((c: { image: string }) => c.image)).toEqual([
      'registry.acme.example/odoo/acme:1.4.0',
      'registry.acme.example/odoo/acme:1.4.1',
      'registry.acme.example/odoo/acme:2.0.0',
    ]);
  });
});

describe('2. Tenant and production Instance', () => {
  it('creates a real LOGIN role, not superuser, and a database it owns with unaccent and pg_trgm', async () => {
    await applyObjects(plane.kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'acme' } } as k8s.KubernetesObject]);
    await applyObjects(plane.kc, [example('tenant.yaml') as k8s.KubernetesObject, example('instance-production.yaml') as k8s.KubernetesObject]);
    await eventually('role and database acme_prod in PostgreSQL', async () => (pg.query("select 1 from pg_database where datname = 'acme_prod'").length === 1 ? true : undefined), 240_000, 1000);
    expect(pg.query("select rolcanlogin, rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = 'acme_prod'")).toEqual(['t\tf\tf\tf']);
    expect(pg.query("select pg_get_userbyid(datdba) from pg_database where datname = 'acme_prod'")).toEqual(['acme_prod']);
    await eventually('extensions in acme_prod', async () => (pg.query('select extname from pg_extension order by 1', 'acme_prod').join(',') === 'pg_trgm,plpgsql,unaccent' ? true : undefined), 120_000, 1000);
  });

  it('keeps the password in the role’s Secret only', async () => {
    const secret = await cluster.until<Record<string, any>>('the role connection Secret', 'v1', 'Secret', 'prod-db-credentials', 'acme');
    const password = Buffer.from(secret.data.password, 'base64').toString();
    expect(password.length).toBeGreaterThan(8);
    const conf = await cluster.until<Record<string, any>>('odoo.conf', 'v1', 'ConfigMap', 'prod-odoo-conf', 'acme');
    expect(JSON.stringify(conf)).not.toContain(password);
    const instance = await cluster.get('instance.odoo.io/v1alpha1', 'Instance', 'prod', 'acme');
    expect(JSON.stringify(instance)).not.toContain(password);
  });

  it('composes the Service, the filestore and the init Job, and waits in Initializing', async () => {
    await cluster.until('Service odoo-prod', 'v1', 'Service', 'odoo-prod', 'acme');
    await cluster.until('PVC prod-filestore', 'v1', 'PersistentVolumeClaim', 'prod-filestore', 'acme');
    await cluster.waitForJob('prod-init', 'acme');
    expect(await cluster.phase('prod', 'acme')).toBe('Initializing');
  });

  it('reaches Running when the test marks the init and InitSQL Jobs Complete (no kubelet runs them)', async () => {
    await cluster.finishJob('prod-init', 'acme', 'Complete');
    await cluster.waitForJob('prod-init-sql', 'acme');
    await cluster.finishJob('prod-init-sql', 'acme', 'Complete');
    await eventually('Instance prod Running', async () => ((await cluster.phase('prod', 'acme')) === 'Running' ? true : undefined), 180_000, 1000);
    const web = await cluster.until<Record<string, any>>('web Deployment', 'apps/v1', 'Deployment', 'prod-web', 'acme');
    expect(web.metadata.labels['odoo.io/release']).toBe('1.4.1');
    await cluster.until('cron Deployment', 'apps/v1', 'Deployment', 'prod-cron', 'acme');
  });

  it('routes the tenant’s base host name to the primary instance', async () => {
    const route = await cluster.until<Record<string, any>>('the primary HTTPRoute', 'gateway.networking.k8s.io/v1', 'HTTPRoute', 'acme-primary', 'acme', undefined, 180_000);
    expect(route.spec.hostnames).toEqual(['acme.odoo.example']);
    expect(route.spec.rules[1].backendRefs[0].name).toBe('odoo-prod');
  });
});

async function waitPhase(name: string, phase: string, timeoutMs = 180_000): Promise<void> {
  await eventually(`Instance ${name} ${phase}`, async () => {
    const now = await cluster.phase(name, 'acme');
    if (now === phase) return true;
    throw new Error(`phase is ${now}`);
  }, timeoutMs, 500);
}

async function patch(apiVersion: string, kind: string, name: string, namespace: string | undefined, body: Record<string, unknown>): Promise<void> {
  await cluster.objects.patch({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...body } as k8s.KubernetesObject, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch);
}

async function replicas(name: string): Promise<[number | undefined, number | undefined, string | undefined]> {
  const web = await cluster.get<Record<string, any>>('apps/v1', 'Deployment', `${name}-web`, 'acme');
  const cron = await cluster.get<Record<string, any>>('apps/v1', 'Deployment', `${name}-cron`, 'acme');
  return [web?.spec.replicas, cron?.spec.replicas, web?.metadata.labels['odoo.io/release']];
}

describe('3. Release bump within a series', () => {
  it('backs up while 1.4.1 serves, stops web and cron for the upgrade Job, then runs 1.4.2 (the test completes the Jobs)', async () => {
    const app = await cluster.get<Record<string, any>>('app.odoo.io/v1alpha1', 'App', 'acme');
    const releases = [...app!.spec.releases, { version: '1.4.2', series: '17.0' }, { version: '1.4.3', series: '17.0' }];
    await patch('app.odoo.io/v1alpha1', 'App', 'acme', undefined, { spec: { releases } });
    await patch('instance.odoo.io/v1alpha1', 'Instance', 'prod', 'acme', { spec: { release: '1.4.2' } });
    await cluster.waitForJob('prod-backup-1-4-1-to-1-4-2', 'acme');
    await waitPhase('prod', 'BackingUp');
    expect(await replicas('prod')).toEqual([2, 1, '1.4.1']);
    await cluster.finishJob('prod-backup-1-4-1-to-1-4-2', 'acme', 'Complete');
    await cluster.waitForJob('prod-upgrade-1-4-1-to-1-4-2', 'acme');
    await waitPhase('prod', 'Upgrading');
    expect(await replicas('prod')).toEqual([0, 0, '1.4.1']);
    await cluster.finishJob('prod-upgrade-1-4-1-to-1-4-2', 'acme', 'Complete');
    await waitPhase('prod', 'Running');
    expect(await replicas('prod')).toEqual([2, 1, '1.4.2']);
    await eventually('the upgrade Jobs to be removed', async () => ((await cluster.get('batch/v1', 'Job', 'prod-upgrade-1-4-1-to-1-4-2', 'acme')) === undefined ? true : undefined), 120_000);
  });

  it('after a failed upgrade Job (marked Failed by the test), 1.4.2 serves again and the phase says UpgradeFailed', async () => {
    await patch('instance.odoo.io/v1alpha1', 'Instance', 'prod', 'acme', { spec: { release: '1.4.3' } });
    await cluster.waitForJob('prod-backup-1-4-2-to-1-4-3', 'acme');
    await cluster.finishJob('prod-backup-1-4-2-to-1-4-3', 'acme', 'Complete');
    await cluster.waitForJob('prod-upgrade-1-4-2-to-1-4-3', 'acme');
    await cluster.finishJob('prod-upgrade-1-4-2-to-1-4-3', 'acme', 'Failed');
    await waitPhase('prod', 'UpgradeFailed');
    expect(await replicas('prod')).toEqual([2, 1, '1.4.2']);
    const instance = await cluster.get<Record<string, any>>('instance.odoo.io/v1alpha1', 'Instance', 'prod', 'acme');
    expect(instance!.status.conditions.find((c: { type: string }) => c.type === 'Lifecycle').message).toContain('restore /var/lib/odoo/backups/1.4.2-to-1.4.3');
    // Back to the release that works: the failed Jobs go away.
    await patch('instance.odoo.io/v1alpha1', 'Instance', 'prod', 'acme', { spec: { release: '1.4.2' } });
    await waitPhase('prod', 'Running');
  });
});

describe('4. Staging, migration and promotion under the lock', () => {
  it('copies prod into a staging instance and neutralizes it (the test completes the Jobs)', async () => {
    // Production runs 1.4.2 since the release bump; a copy must not be older than its source.
    const staging = example('instance-staging.yaml');
    staging.spec.release = '1.4.2';
    await applyObjects(plane.kc, [staging as k8s.KubernetesObject]);
    await eventually('database acme_staging', async () => (pg.query("select 1 from pg_database where datname = 'acme_staging'").length === 1 ? true : undefined), 240_000, 1000);
    await cluster.waitForJob('staging-copy-from-prod', 'acme');
    await waitPhase('staging', 'Copying');
    await cluster.finishJob('staging-copy-from-prod', 'acme', 'Complete');
    await cluster.waitForJob('staging-neutralize', 'acme');
    await waitPhase('staging', 'Neutralizing');
    await cluster.finishJob('staging-neutralize', 'acme', 'Complete');
    await waitPhase('staging', 'Running');
    const route = await cluster.until<Record<string, any>>('the staging route', 'gateway.networking.k8s.io/v1', 'HTTPRoute', 'staging-route', 'acme');
    expect(route.spec.hostnames).toEqual(['staging.acme.odoo.example']);
  });

  it('holds a promotion while the migration runs, and applies it once the migration is Running', async () => {
    await applyObjects(plane.kc, [example('instance-migration.yaml') as k8s.KubernetesObject]);
    await cluster.waitForJob('v18-copy-from-prod', 'acme');
    await cluster.finishJob('v18-copy-from-prod', 'acme', 'Complete');
    await cluster.waitForJob('v18-migrate-18-0-2-0-0', 'acme');
    await waitPhase('v18', 'Migrating');
    await patch('tenant.odoo.io/v1alpha1', 'Tenant', 'acme', 'acme', { spec: { primaryInstance: 'v18' } });
    await eventually('the Tenant to report the held promotion', async () => {
      const t = await cluster.get<Record<string, any>>('tenant.odoo.io/v1alpha1', 'Tenant', 'acme', 'acme');
      return t?.status?.conditions?.some((c: { type: string; reason: string }) => c.type === 'Locked' && c.reason === 'ChangeHeld') ? true : undefined;
    }, 120_000);
    const held = await cluster.get<Record<string, any>>('gateway.networking.k8s.io/v1', 'HTTPRoute', 'acme-primary', 'acme');
    expect(held!.spec.rules[1].backendRefs[0].name).toBe('odoo-prod');
    await cluster.finishJob('v18-migrate-18-0-2-0-0', 'acme', 'Complete');
    await waitPhase('v18', 'Running');
    await eventually('the base host name to route to v18', async () => {
      const r = await cluster.get<Record<string, any>>('gateway.networking.k8s.io/v1', 'HTTPRoute', 'acme-primary', 'acme');
      return r?.spec.rules[1].backendRefs[0].name === 'odoo-v18' ? true : undefined;
    }, 180_000);
    await cluster.until('prod on its own host', 'gateway.networking.k8s.io/v1', 'HTTPRoute', 'prod-route', 'acme');
  });
});

/** The error the API server answered a delete with, or undefined when it deleted. */
async function refusedDelete(apiVersion: string, kind: string, name: string, namespace: string): Promise<string | undefined> {
  try {
    await cluster.objects.delete({ apiVersion, kind, metadata: { name, namespace } });
    return undefined;
  } catch (error) {
    const e = error as { code?: number; body?: unknown; message?: string };
    return `${e.code}: ${typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? e.message)}`;
  }
}

async function synced(name: string): Promise<{ status?: string; message?: string } | undefined> {
  const instance = await cluster.get<Record<string, any>>('instance.odoo.io/v1alpha1', 'Instance', name, 'acme');
  return instance?.status?.conditions?.find((c: { type: string }) => c.type === 'Synced');
}

const acmeDatabases = () => pg.query("select datname from pg_database where datname like 'acme_%' order by 1");

describe('5. Faults', () => {
  it('keeps a row written into production through every fault below', async () => {
    pg.query('create table e2e_marker (note text); insert into e2e_marker values (\'written before the faults\')', 'acme_prod');
    expect(pg.query('select note from e2e_marker', 'acme_prod')).toEqual(['written before the faults']);
  });

  it('function-odoo killed mid-change: nothing is composed while it is down, and the change lands once it is back', async () => {
    await crossplane.killFunction();
    try {
      await patch('instance.odoo.io/v1alpha1', 'Instance', 'staging', 'acme', { spec: { replicas: 2 } });
      await new Promise((r) => setTimeout(r, 15_000));
      expect((await replicas('staging'))[0]).toBe(1);
    } finally {
      crossplane.startFunction();
    }
    await eventually('the change to reach the staging web Deployment', async () => ((await replicas('staging'))[0] === 2 ? true : undefined), 240_000);
    await eventually('Instance staging Synced', async () => ((await synced('staging'))?.status === 'True' ? true : undefined), 120_000, 500);
  });

  it('provider-sql killed and PostgreSQL restarted: a new instance’s database waits, then is created; no database or row is lost', async () => {
    const before = acmeDatabases();
    await providerSql.kill();
    try {
      await applyObjects(plane.kc, [example('instance-testing.yaml') as k8s.KubernetesObject]);
      await cluster.until('the Role of Instance ci', 'postgresql.sql.m.crossplane.io/v1alpha1', 'Role', 'ci-role', 'acme', undefined, 120_000);
      await pg.restart();
      await new Promise((r) => setTimeout(r, 5000));
      expect(acmeDatabases()).toEqual(before);
    } finally {
      await providerSql.start();
    }
    await eventually('database acme_ci', async () => (pg.query("select 1 from pg_database where datname = 'acme_ci'").length === 1 ? true : undefined), 240_000, 1000);
    expect(acmeDatabases()).toEqual([...before, 'acme_ci'].sort());
    expect(pg.query('select note from e2e_marker', 'acme_prod')).toEqual(['written before the faults']);
    expect(await cluster.phase('prod', 'acme')).toBe('Running');
  });
});

describe('5. Deletion', () => {
  it('refuses to delete a production instance, or its Database, while deletion protection is on (Crossplane’s Usage webhook)', async () => {
    await eventually('the Usages to mark the Instance in use', async () => {
      const prod = await cluster.get<Record<string, any>>('instance.odoo.io/v1alpha1', 'Instance', 'prod', 'acme');
      return prod?.metadata.labels?.['crossplane.io/in-use'] === 'true' ? true : undefined;
    }, 120_000);
    const instance = await refusedDelete('instance.odoo.io/v1alpha1', 'Instance', 'prod', 'acme');
    expect(instance).toMatch(/^4\d\d: .*Instance .*prod.* is protected \(spec\.deletionProtection\): set it to false before deleting/);
    const database = await refusedDelete('postgresql.sql.m.crossplane.io/v1alpha1', 'Database', 'prod-db', 'acme');
    expect(database).toContain('spec.deletionProtection');
    expect(pg.query("select 1 from pg_database where datname = 'acme_prod'")).toEqual(['1']);
    expect(pg.query('select note from e2e_marker', 'acme_prod')).toEqual(['written before the faults']);
  });

  it('drops the database of a deleted staging instance, and keeps the production database', async () => {
    expect(await refusedDelete('instance.odoo.io/v1alpha1', 'Instance', 'staging', 'acme')).toBeUndefined();
    await eventually('database acme_staging to be dropped', async () => (pg.query("select 1 from pg_database where datname = 'acme_staging'").length === 0 ? true : undefined), 240_000, 1000);
    expect(pg.query("select 1 from pg_database where datname = 'acme_prod'")).toEqual(['1']);
  });

  it('deletes a production instance once its deletion protection is turned off', async () => {
    await patch('instance.odoo.io/v1alpha1', 'Instance', 'prod', 'acme', { spec: { deletionProtection: false } });
    await eventually('Instance prod to be deletable', async () => ((await refusedDelete('instance.odoo.io/v1alpha1', 'Instance', 'prod', 'acme')) === undefined ? true : undefined), 120_000, 1000);
    await eventually('database acme_prod to be dropped', async () => (pg.query("select 1 from pg_database where datname = 'acme_prod'").length === 0 ? true : undefined), 240_000, 1000);
    expect(pg.query("select 1 from pg_database where datname = 'acme_v18'")).toEqual(['1']);
  });
});

// Scenario 6, sized by E2E_SAAS_TENANTS (default 50) tenants of four instances each.
const SAAS_TENANTS = Number(process.env.E2E_SAAS_TENANTS ?? 50);
const saasNamespace = (i: number) => `saas-${String(i + 1).padStart(2, '0')}`;
const WATCHED = ['function-odoo', 'crossplane', 'provider-sql', 'kube-apiserver', 'kine'];
const COUNTED: [string, string][] = [
  ['tenant.odoo.io/v1alpha1', 'Tenant'],
  ['instance.odoo.io/v1alpha1', 'Instance'],
  ['postgresql.sql.m.crossplane.io/v1alpha1', 'Role'],
  ['postgresql.sql.m.crossplane.io/v1alpha1', 'Database'],
  ['postgresql.sql.m.crossplane.io/v1alpha1', 'Extension'],
  ['protection.crossplane.io/v1beta1', 'Usage'],
  ['apps/v1', 'Deployment'],
  ['v1', 'Service'],
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['v1', 'PersistentVolumeClaim'],
  ['policy/v1', 'PodDisruptionBudget'],
  ['batch/v1', 'Job'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['gateway.networking.k8s.io/v1', 'HTTPRoute'],
];

/** One tenant of the SaaS: production, a staging copy of it, and two testing instances. */
function saasTenant(namespace: string): Record<string, any>[] {
  const tenant = example('tenant.yaml');
  tenant.metadata = { name: namespace, namespace };
  tenant.spec.appRef = { name: 'saas' };
  tenant.spec.baseHostName = `${namespace}.odoo.example`;
  const instance = (file: string, name: string) => {
    const o = example(file);
    o.metadata = { name, namespace };
    o.spec.tenantRef = { name: namespace };
    return o;
  };
  return [tenant, instance('instance-production.yaml', 'prod'), instance('instance-staging.yaml', 'staging'), instance('instance-testing.yaml', 'ci'), instance('instance-testing.yaml', 'dev')];
}

async function inParallel<T>(items: T[], width: number, each: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await each(item);
  }));
}

const isReadyObject = (o: Record<string, any>) => hasTrueCondition(o, 'Ready');

async function listSaas(apiVersion: string, kind: string): Promise<Record<string, any>[]> {
  const list = await cluster.objects.list(apiVersion, kind);
  return (list.items as Record<string, any>[]).filter((o) => String(o.metadata?.namespace ?? '').startsWith('saas-'));
}

describe('6. A SaaS-shaped load', () => {
  it(`1 App, ${SAAS_TENANTS} Tenants and ${SAAS_TENANTS * 4} Instances applied at once all become Ready (the test plays the kubelet, volume and Gateway controllers); time, CPU, objects and databases reported`, async () => {
    const instances = SAAS_TENANTS * 4;
    const standIns = new StandInControllers(plane.kc, (ns) => ns.startsWith('saas-') || ns === 'odoo-system');
    const pids = Object.fromEntries(WATCHED.map((name) => [name, processes.latest(name).child.pid!]));
    const cpuBefore = Object.fromEntries(WATCHED.map((name) => [name, cpuSeconds(pids[name]!)]));
    const start = Date.now();
    const at = () => (Date.now() - start) / 1000;
    const timeline: Record<string, number> = {};

    const namespaces = Array.from({ length: SAAS_TENANTS }, (_, i) => saasNamespace(i));
    standIns.start();
    try {
      await applyObjects(plane.kc, [...appPrerequisites(), appOnTestPostgres('saas')]);
      await inParallel(namespaces, 8, (name) => applyObjects(plane.kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as k8s.KubernetesObject]));
      await inParallel(namespaces.flatMap(saasTenant), 8, (o) => applyObjects(plane.kc, [o as k8s.KubernetesObject]));
      timeline.applied = at();

      const saasDatabases = () => Number(pg.query("select count(*) from pg_database where datname like 'saas-%'")[0]);
      await eventually(`${instances} databases in PostgreSQL`, async () => {
        const n = saasDatabases();
        if (n === instances) return true;
        throw new Error(`${n} so far`);
      }, 40 * 60_000, 2000);
      timeline.databasesCreated = at();

      await eventually(`all ${instances} Instances Ready`, async () => {
        const all = await listSaas('instance.odoo.io/v1alpha1', 'Instance');
        const waiting = all.filter((o) => !isReadyObject(o));
        if (all.length === instances && waiting.length === 0) return true;
        const phases = waiting.reduce<Record<string, number>>((m, o) => ({ ...m, [o.status?.phase ?? 'none']: (m[o.status?.phase ?? 'none'] ?? 0) + 1 }), {});
        const sample = waiting[0]?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
        throw new Error(`${waiting.length} not Ready, by phase ${JSON.stringify(phases)}; e.g. ${waiting[0]?.metadata.namespace}/${waiting[0]?.metadata.name}: ${JSON.stringify(sample)}`);
      }, 40 * 60_000, 3000);
      timeline.instancesReady = at();

      await eventually(`all ${SAAS_TENANTS} Tenants Ready`, async () => {
        const waiting = (await listSaas('tenant.odoo.io/v1alpha1', 'Tenant')).filter((o) => !isReadyObject(o));
        if (waiting.length === 0) return true;
        throw new Error(`${waiting.length} not Ready, e.g. ${waiting[0]?.metadata.name}: ${JSON.stringify(waiting[0]?.status?.conditions)}`);
      }, 20 * 60_000, 3000);
      timeline.tenantsReady = at();
      await cluster.until('App saas Ready', 'app.odoo.io/v1alpha1', 'App', 'saas', undefined, isReadyObject, 5 * 60_000);
      timeline.appReady = at();
    } finally {
      await standIns.stop();
    }

    const cpu = Object.fromEntries(WATCHED.map((name) => [name, Math.round((cpuSeconds(pids[name]!) - cpuBefore[name]!) * 10) / 10]));
    const objects: Record<string, number> = {};
    for (const [apiVersion, kind] of COUNTED) objects[kind] = (await listSaas(apiVersion, kind)).length;
    const totalObjects = Object.values(objects).reduce((a, b) => a + b, 0);
    const databases = pg.query("select datname from pg_database where datname like 'saas-%' order by 1");
    const report = {
      tenants: SAAS_TENANTS,
      instances,
      secondsFromFirstApply: timeline,
      cpuSeconds: cpu,
      functionCpuMsPerInstance: Math.round((cpu['function-odoo']! * 1000) / instances),
      functionPeakRssMiB: Math.round(peakRssMiB(pids['function-odoo']!)),
      apiObjects: { ...objects, total: totalObjects, perInstance: Math.round((totalObjects / instances) * 10) / 10 },
      postgresDatabases: databases.length,
      standInWrites: standIns.counts,
    };
    writeFileSync(join(DIR, 'saas-load.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`e2e: SaaS-shaped load:\n${JSON.stringify(report, null, 2)}\n`);

    expect(databases).toHaveLength(instances);
    expect(databases).toContain('saas-01_prod');
    expect(objects.Instance).toBe(instances);
    expect(objects.HTTPRoute).toBe(instances);
    // Every production instance is a LOGIN role without superuser, like every other.
    expect(pg.query("select count(*) from pg_roles where rolname like 'saas-%' and rolcanlogin and not rolsuper")).toEqual([String(instances)]);
  }, 60 * 60_000);
});
