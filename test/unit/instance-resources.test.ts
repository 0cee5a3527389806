// What an Instance composes besides its lifecycle: database objects,
// odoo.conf, names — and the Fatal messages when its dependencies are wrong.
import { describe, expect, it } from 'vitest';
import { databaseName, instanceNames } from '../../functions/shared/instance-names.js';
import { app, Cluster, example, guardedFromDeletion, requiredObjects, tenantOf, type Obj } from '../support/world.js';

const production = (): Obj => ({ ...example('instance-production.yaml'), metadata: { name: 'prod', namespace: 'acme', uid: 'u-prod' } });

describe('database', () => {
  it('is a LOGIN role that is no superuser, with a generated password written to a Secret; once the role is ready, a database it owns', async () => {
    const c = new Cluster(production());
    const r = await c.reconcile();
    expect(r.resources.role!.spec).toEqual({
      forProvider: {
        privileges: { login: true, superUser: false, createDb: false, createRole: false, replication: false, bypassRls: false, inherit: true },
        connectionLimit: 128,
      },
      writeConnectionSecretToRef: { name: 'prod-db-credentials' },
      providerConfigRef: { kind: 'ClusterProviderConfig', name: 'odoo-acme' },
      // Production data outlives the Instance: deleting it lets go of the role and database without dropping them.
      managementPolicies: ['Observe', 'Create', 'Update', 'LateInitialize'],
    });
    expect(r.resources.role!.metadata.annotations).toEqual({ 'crossplane.io/external-name': 'acme_prod' });
    // provider-sql would fail CREATE DATABASE … OWNER for a role it has not created yet.
    expect(r.resources.database).toBeUndefined();
    const d = await c.reconcile();
    // The owner by name: provider-sql v0.16 never sees a Database with ownerRef as up to date.
    // Byte-order collation as Odoo creates its databases, and a ctype that folds case in every script.
    expect(d.resources.database!.spec.forProvider).toEqual({ owner: 'acme_prod', encoding: 'UTF8', lcCollate: 'C', lcCType: 'C.UTF-8', template: 'template0' });
    expect(d.status.databaseCType).toBe('C.UTF-8');
    // Retained (the production default): deleting the Database object would leave the database, so nothing guards it.
    expect(guardedFromDeletion(d)).toEqual(['filestore', 'instance']);
  });

  it('keeps ctype C for a database created with it (PostgreSQL cannot change it in place): from the observed Database, and from the status once that object is deleted and composed again', async () => {
    const c = new Cluster(production());
    const d = await c.provision();
    // A Database object composed by an earlier version, with ctype C.
    d.resources.database!.spec.forProvider.lcCType = 'C';
    const kept = await c.reconcile();
    expect(kept.resources.database!.spec.forProvider.lcCType).toBe('C');
    expect(kept.status.databaseCType).toBe('C');
    // Its object deleted (retained: the database stays): composed again as the status recorded it.
    delete kept.rsp.desired!.resources.database;
    const again = await c.reconcile();
    expect(again.resources.database!.spec.forProvider.lcCType).toBe('C');
  });

  it('labels the Database for the App’s deletion-protection policy where deleting it would drop the database (dataRetention: Delete), and composes no Usage', async () => {
    const xr = production();
    xr.spec.dataRetention = 'Delete';
    const c = new Cluster(xr);
    // The first call says in the status that the Instance is protected; the claim is labelled from the
    // next, once Crossplane wrote that status: never labelled while the Instance itself is deletable.
    const first = await c.reconcile();
    expect(guardedFromDeletion(first)).toEqual(['instance']);
    // Crossplane may not be woken by its own status write: the function asks to be called again soon.
    expect(first.rsp.meta?.ttl?.seconds).toBe(15);
    expect(guardedFromDeletion(await c.reconcile())).toEqual(['database', 'filestore', 'instance']);
    const d = await c.until('Running');
    expect(guardedFromDeletion(d)).toEqual(['database', 'filestore', 'instance']);
    expect(Object.values(d.resources).filter((o) => o.kind === 'Usage')).toEqual([]);
    // Turned off: the labels go in the same call that says so in the status, which Crossplane writes after applying them.
    c.xr.spec.deletionProtection = false;
    const off = await c.reconcile();
    expect(guardedFromDeletion(off)).toEqual([]);
    expect(off.status.deletionProtection).toBe(false);
  });

  it('guards itself with Crossplane Usages while the App’s policy is not in force (an upgrade from a version that used them, or an App that cannot compose it), and drops them once it is', async () => {
    const required = requiredObjects();
    delete app(required).status.deletionProtectionPolicy;
    const c = new Cluster(production(), required);
    const before = await c.until('Running');
    expect(Object.values(before.resources).filter((o) => o.kind === 'Usage').map((o) => o.spec.of.kind).sort()).toEqual(['Instance', 'PersistentVolumeClaim']);
    app(required).status.deletionProtectionPolicy = 'odoo-deletion-protection-acme';
    const after = await c.reconcile();
    expect(Object.values(after.resources).filter((o) => o.kind === 'Usage')).toEqual([]);
    expect(guardedFromDeletion(after)).toEqual(['filestore', 'instance']);
  });

  it('composes no Extension: the role creates unaccent and pg_trgm itself, so a copy or restore as that role can drop and recreate them', async () => {
    const c = new Cluster(production());
    const r = await c.until('Running');
    expect(Object.values(c.observed).filter((o) => o.kind === 'Extension')).toEqual([]);
    expect(Object.values(r.resources).filter((o) => o.kind === 'Extension')).toEqual([]);
  });

  it('lets go of Extensions an earlier version composed without dropping them: first Orphan-style management policies, then out of the desired state', async () => {
    const c = new Cluster(production());
    await c.until('Running');
    const legacy = {
      apiVersion: 'postgresql.sql.m.crossplane.io/v1alpha1',
      kind: 'Extension',
      metadata: { name: 'prod-ext-pg-trgm', namespace: 'acme', labels: { 'app.kubernetes.io/instance': 'prod' } },
      spec: { forProvider: { extension: 'pg_trgm', databaseRef: { name: 'prod-db' } }, providerConfigRef: { kind: 'ClusterProviderConfig', name: 'odoo-acme' } },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    };
    c.last!.rsp.desired!.resources!['extension-pg-trgm'] = { resource: legacy, connectionDetails: {}, ready: 1 } as never;
    const orphaning = await c.reconcile();
    expect(orphaning.resources['extension-pg-trgm']!.spec).toEqual({ ...legacy.spec, managementPolicies: ['Observe', 'Create', 'Update', 'LateInitialize'] });
    const gone = await c.reconcile();
    expect(gone.resources['extension-pg-trgm']).toBeUndefined();
    expect(gone.phase).toBe('Running');
  });

  it('keeps composing the database when its role stops being ready (a Database left out would be deleted)', async () => {
    const c = new Cluster(production());
    await c.until('Running');
    const r = await c.reconcile({ databaseReady: false });
    expect(r.resources.database!.metadata.name).toBe('prod-db');
  });

  it('applies the App’s role policy', async () => {
    const required = requiredObjects();
    app(required).spec.database.appCredentials = { connectionLimit: 100, statementTimeout: '15min' };
    const r = await new Cluster(production(), required).reconcile();
    expect(r.resources.role!.spec.forProvider.connectionLimit).toBe(100);
    expect(r.resources.role!.spec.forProvider.configurationParameters).toEqual([{ name: 'statement_timeout', value: '15min' }]);
  });
});

describe('odoo.conf', () => {
  it('layers App → code → release → tenant type → instance, and holds no secret', async () => {
    const required = requiredObjects();
    const a = app(required);
    // Options, not the typed spec.mail.outgoing (which replaces them): the layering is what this shows.
    delete a.spec.mail;
    a.spec.config = { workers: 4, options: { smtp_server: 'smtp.acme.example', smtp_port: '587', limit_time_real_cron: '900' } };
    a.spec.code.config = { limitTimeReal: 1800 };
    // 6 workers on 3 web Pods (2 replicas and a rollout's): room for their connections.
    a.spec.database.appCredentials = { connectionLimit: 256 };
    a.spec.releases[0].config = { logLevel: 'warn' };
    tenantOf(required).spec.production = { config: { workers: 6 } };
    const x = production();
    x.spec.config = { options: { limit_time_real_cron: '600' } };
    const r = await new Cluster(x, required).reconcile();
    expect(r.resources['odoo-conf']!.data['odoo.conf']).toBe(
      [
        '[options]',
        'addons_path = /mnt/extra-addons',
        'data_dir = /var/lib/odoo',
        'db_host = postgres.databases.svc.cluster.local',
        'db_port = 5432',
        'db_user = acme_prod',
        'db_name = acme_prod',
        'db_sslmode = require',
        'list_db = False',
        'proxy_mode = True',
        'http_port = 8069',
        'gevent_port = 8072',
        'unaccent = True',
        'workers = 6',
        'max_cron_threads = 1',
        'limit_memory_soft = 2147483648',
        'limit_memory_hard = 2684354560',
        'limit_time_cpu = 600',
        'limit_time_real = 1800',
        'limit_request = 65536',
        'db_maxconn = 8',
        'log_level = warn',
        'server_wide_modules = base,web',
        'limit_time_real_cron = 600',
        'smtp_port = 587',
        'smtp_server = smtp.acme.example',
        '',
      ].join('\n'),
    );
    expect(r.resources['odoo-conf']!.data['odoo.conf']).not.toMatch(/admin_passwd|db_password/);
  });

  it.each([
    { name: 'an option the function renders', options: { workers: '8' }, want: 'spec.config.options.workers: is rendered by function-odoo' },
    { name: 'an option only the DevOps team may set', options: { smtp_server: 'evil.example' }, want: 'spec.config.options.smtp_server: may only be set by the DevOps team, in the App' },
    { name: 'a secret', options: { smtp_password: 'x' }, want: 'spec.config.options.smtp_password: is a secret and would sit in a ConfigMap' },
    { name: 'an option that points at another database server', options: { db_replica_host: 'other-tenant-db' }, want: 'spec.config.options.db_replica_host: is not an option that may be set through config.options; allowed: ' },
    { name: 'a value on two lines', options: { limit_time_real_cron: '600\nadmin_passwd = x' }, want: 'spec.config.options.limit_time_real_cron: must be one line without control characters' },
  ])('refuses $name in an Instance’s config.options, naming the field', async ({ options, want }) => {
    const x = production();
    x.spec.config = { options };
    const r = await new Cluster(x).reconcile();
    expect(r.fatal).toContain(want);
    expect(r.resources).toEqual({});
  });

  it('refuses an option the release’s Odoo series does not have', async () => {
    const required = requiredObjects();
    app(required).spec.config = { options: { import_file_maxbytes: '10485760' } };
    const r = await new Cluster(production(), required).reconcile();
    expect(r.fatal).toBe('cannot compose Instance "prod": config.options import_file_maxbytes: not an option of Odoo 17.0, which this instance\'s release runs; remove it from the layer that sets it (App, release, Tenant or Instance)');
  });

  it('reaches Odoo with the password from the role’s Secret, never from the ConfigMap', async () => {
    const c = new Cluster(production());
    const r = await c.until('Starting');
    const env = r.resources.web!.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'prod-db-credentials', key: 'password' } } });
  });
});

describe('the odoo user', () => {
  const uids = (r: { resources: Record<string, Obj> }) =>
    Object.fromEntries(
      Object.entries(r.resources)
        .filter(([, o]) => o.kind === 'Job' || o.kind === 'Deployment')
        .map(([k, o]) => [k, [o.spec.template.spec.securityContext.runAsUser, o.spec.template.spec.securityContext.runAsGroup, o.spec.template.spec.securityContext.fsGroup]]),
    );

  it('is the official image’s for each series: 101 on 17.0, 100 on 18.0, group 101 everywhere', async () => {
    const c = new Cluster(production());
    expect(uids(await c.until('Starting'))).toEqual({ 'job-prod-init': [101, 101, 101], 'job-prod-init-sql': [101, 101, 101], web: [101, 101, 101], cron: [101, 101, 101] });
    const v18 = new Cluster({ ...example('instance-migration.yaml'), metadata: { name: 'v18', namespace: 'acme', uid: 'u-v18' } });
    const r = await v18.until('Migrating');
    // The copy and the migration run the 18.0 image, as its odoo user; the copy reads the 17.0 filestore through group 101.
    expect(uids(r)).toEqual({ 'job-v18-copy-from-prod': [100, 101, 101], 'job-v18-migrate-18-0-2-0-0': [100, 101, 101] });
    // Not routed as primary: it runs no cron, so it has no cron Deployment.
    expect(uids(await v18.until('Running'))).toEqual({ web: [100, 101, 101] });
  });

  it('is the release’s own, else the code’s, when the DevOps team sets one', async () => {
    const required = requiredObjects();
    app(required).spec.code.runAsUser = 1000;
    app(required).spec.releases[0].runAsUser = 1001;
    const r = await new Cluster(production(), required).until('Starting');
    expect(uids(r).web).toEqual([1001, 101, 101]);
    const other = requiredObjects();
    app(other).spec.code.runAsUser = 1000;
    expect(uids(await new Cluster(production(), other).until('Starting')).web).toEqual([1000, 101, 101]);
  });
});

describe('names', () => {
  it('keeps every composed name within Kubernetes and PostgreSQL limits', () => {
    const long = 'a'.repeat(63);
    expect(databaseName('b'.repeat(63), long).length).toBeLessThanOrEqual(63);
    expect(databaseName('a-b', 'c')).not.toBe(databaseName('a', 'b-c'));
    const names = instanceNames(long);
    for (const n of [names.role, names.database, names.credentials, names.config, names.filestore, names.service, names.web, names.job('upgrade', '10.20.30', 'to', '10.20.31')]) {
      expect(n.length).toBeLessThanOrEqual(63);
      expect(n).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });

  // A database is found by its name alone: a release of the function that
  // cut or hashed names differently would point every long-named instance at
  // a new, empty database (and leave the customer's one behind). These
  // values are what every earlier release composed; they never change.
  it('names the same database and objects as every earlier release, long names included', () => {
    expect(databaseName('acme', 'prod')).toBe('acme_prod');
    expect(databaseName('b'.repeat(63), 'a'.repeat(63))).toBe('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb_14f52b58');
    expect(databaseName('acme-corp-with-a-long-namespace-name', 'production-2024-migration-rehearsal')).toBe(
      'acme-corp-with-a-long-namespace-name_production-2024-m_90eb7756',
    );
    const names = instanceNames('a'.repeat(63));
    expect([names.role, names.database, names.web, names.job('upgrade', '10.20.30', 'to', '10.20.31')]).toEqual([
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-82cf1ffa',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-cc5f3f35',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-d1383908',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-7ab5bc9b',
    ]);
    expect(instanceNames('prod')).toMatchObject({ role: 'prod-role', database: 'prod-db', credentials: 'prod-db-credentials', filestore: 'prod-filestore', service: 'odoo-prod', web: 'prod-web' });
  });
});

describe('dependencies', () => {
  it.each([
    {
      name: 'TenantMissing',
      edit: (o: any[]) => o.filter((x) => x.kind !== 'Tenant'),
      want: 'cannot compose Instance "prod": Tenant "acme" not found in namespace "acme": create the Tenant, or fix spec.tenantRef.name',
    },
    {
      name: 'AppMissing',
      edit: (o: any[]) => o.filter((x) => x.kind !== 'App'),
      want: 'cannot compose Instance "prod": App "acme" of Tenant "acme" not found: ask the DevOps team to create it, or fix the Tenant\'s spec.appRef.name',
    },
    {
      name: 'AppNotForNamespace',
      edit: (o: any[]) => o.map((x) => (x.kind === 'App' ? { ...x, spec: { ...x.spec, tenantNamespaces: ['customer-*'] } } : x)),
      want: 'cannot compose Instance "prod": App "acme" does not serve namespace "acme": its spec.tenantNamespaces allows "customer-*"; ask its DevOps team to add this namespace, or name an App that serves it in spec.appRef.name',
    },
    {
      name: 'UnknownRelease',
      edit: (o: any[]) => o.map((x) => (x.kind === 'App' ? { ...x, spec: { ...x.spec, releases: x.spec.releases.filter((r: any) => r.version !== '1.4.1') } } : x)),
      want: 'cannot compose Instance "prod": spec.release: "1.4.1" is not a release of App "acme"; use one of 1.4.2 (17.0), 2.0.0 (18.0)',
    },
    {
      name: 'RetiredReleaseForNewInstance',
      edit: (o: any[]) => o.map((x) => (x.kind === 'App' ? { ...x, spec: { ...x.spec, releases: x.spec.releases.map((r: any) => (r.version === '1.4.1' ? { ...r, retired: true } : r)) } } : x)),
      want: 'cannot compose Instance "prod": spec.release: "1.4.1" is retired in App "acme" and a new instance cannot start on it; use one of 1.4.2 (17.0), 2.0.0 (18.0)',
    },
  ])('$name gives a Fatal result and composes nothing', async ({ edit, want }) => {
    const r = await new Cluster(production(), edit(requiredObjects())).reconcile();
    expect(r.fatal).toBe(want);
    expect(r.resources).toEqual({});
  });

  it('lets a running instance stay on a release the App has since retired', async () => {
    const c = new Cluster(production());
    await c.until('Running');
    app(c.required).spec.releases[0].retired = true;
    const r = await c.reconcile();
    expect(r.fatal).toBeUndefined();
    expect(r.phase).toBe('Running');
  });
});
