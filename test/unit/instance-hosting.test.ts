// What a hosted Odoo needs day to day, seen from the Instance: mail through
// the right server (its password from a Secret, never a ConfigMap), copies
// mailing the tenant's catcher, autoscaled production web Pods, testing
// instances that expire, and whether web answers (for the maintenance page).
import { describe, expect, it } from 'vitest';
import { app, Cluster, example, requiredObjects, tenantOf, type Obj, type Reconcile } from '../support/world.js';

const named = (file: string, name: string): Obj => ({ ...example(file), metadata: { name, namespace: 'acme', uid: `u-${name}` } });
const production = () => named('instance-production.yaml', 'prod');
const conf = (r: { resources: Record<string, Obj> }): string => r.resources['odoo-conf']!.data['odoo.conf'];
const SMTP = { host: 'smtp.acme.example', port: 587, user: 'odoo@acme.example', passwordSecretRef: { name: 'acme-smtp' }, from: 'odoo@acme.example' };

describe('outgoing mail of instances that serve customers', () => {
  it('goes through the App’s server; its password reaches odoo.conf in the Pod from the Secret, never the ConfigMap', async () => {
    const required = requiredObjects();
    app(required).spec.mail = { outgoing: SMTP };
    const c = new Cluster(production(), required);
    const r = await c.until('Running');
    expect(conf(r)).toContain(['smtp_server = smtp.acme.example', 'smtp_port = 587', 'smtp_ssl = True', 'smtp_user = odoo@acme.example', 'email_from = odoo@acme.example'].join('\n'));
    expect(conf(r)).not.toContain('smtp_password');
    for (const key of ['web', 'cron']) {
      const configure = r.resources[key]!.spec.template.spec.initContainers[0];
      expect(configure.env).toContainEqual({ name: 'SMTP_PASSWORD', valueFrom: { secretKeyRef: { name: 'acme-smtp', key: 'password' } } });
      expect(configure.command[2]).toContain("conf += 'smtp_password = ' + smtp");
      // Odoo itself never sees the variable: only the configure step does.
      expect(r.resources[key]!.spec.template.spec.containers[0].env.map((e: Obj) => e.name)).not.toContain('SMTP_PASSWORD');
    }
  });

  it('is not given to lifecycle Jobs, which send no mail', async () => {
    const required = requiredObjects();
    app(required).spec.mail = { outgoing: SMTP };
    const r = await new Cluster(production(), required).until('Initializing', { jobs: { init: 'running' } });
    const init = Object.values(r.resources).find((o) => o.kind === 'Job')!;
    expect(init.spec.template.spec.initContainers[0].env.map((e: Obj) => e.name)).toEqual(['PGPASSWORD', 'ODOO_DATABASE']);
  });

  it('goes through the tenant’s own server when it names one, replacing the App’s mail options', async () => {
    const required = requiredObjects();
    app(required).spec.mail = { outgoing: SMTP };
    app(required).spec.config = { options: { smtp_server: 'old.example', email_from: 'old@example.com' } };
    tenantOf(required).spec.mail = { outgoing: { host: 'mail.customer.example', encryption: 'none', port: 25 } };
    const r = await new Cluster(production(), required).until('Running');
    expect(conf(r)).toContain('smtp_server = mail.customer.example\nsmtp_port = 25\nsmtp_ssl = False\n');
    expect(conf(r)).not.toMatch(/old\.example|old@example\.com/);
    expect(r.resources.web!.spec.template.spec.initContainers[0].env.map((e: Obj) => e.name)).toEqual(['PGPASSWORD', 'ODOO_DATABASE']);
  });

  it('reads the tenant server’s password only from its own mail Secret (the App’s prefix and the tenant’s name: smtp-acme): pointed at another Secret, even one with the prefix, the App’s server is used', async () => {
    // Odoo would send the password to the tenant's host: an instance's database credentials, say.
    const required = requiredObjects();
    app(required).spec.mail = { outgoing: SMTP };
    tenantOf(required).spec.mail = { outgoing: { host: 'mail.customer.example', port: 587, passwordSecretRef: { name: 'prod-db-credentials', key: 'password' } } };
    const refused = await new Cluster(production(), required).until('Running');
    expect(conf(refused)).toContain('smtp_server = smtp.acme.example\n');
    expect(JSON.stringify(refused.resources)).not.toContain('mail.customer.example');
    expect(refused.resources.web!.spec.template.spec.initContainers[0].env).toContainEqual({ name: 'SMTP_PASSWORD', valueFrom: { secretKeyRef: { name: 'acme-smtp', key: 'password' } } });
    // An Instance named smtp-x has its database credentials in smtp-x-db-credentials: a prefix alone would let them go.
    tenantOf(required).spec.mail = { outgoing: { host: 'mail.customer.example', port: 587, passwordSecretRef: { name: 'smtp-x-db-credentials', key: 'password' } } };
    expect(JSON.stringify((await new Cluster(production(), required).until('Running')).resources)).not.toContain('mail.customer.example');
    tenantOf(required).spec.mail = { outgoing: { host: 'mail.customer.example', port: 587, passwordSecretRef: { name: 'smtp-acme', key: 'password' } } };
    const used = await new Cluster(production(), required).until('Running');
    expect(conf(used)).toContain('smtp_server = mail.customer.example\n');
    expect(used.resources.web!.spec.template.spec.initContainers[0].env).toContainEqual({ name: 'SMTP_PASSWORD', valueFrom: { secretKeyRef: { name: 'smtp-acme', key: 'password' } } });
  });
});

describe('mail of copies and tests', () => {
  it('goes to the tenant’s catcher from a staging copy: odoo.conf names it, and neutralize points Odoo’s own server at it', async () => {
    const required = requiredObjects();
    app(required).spec.mail = { outgoing: SMTP };
    const c = new Cluster(named('instance-staging.yaml', 'staging'), required);
    const r = await c.until('Neutralizing', { jobs: { neutralize: 'running' } });
    expect(conf(r)).toContain('smtp_server = acme-mailpit\nsmtp_port = 1025\nsmtp_ssl = False\n');
    expect(conf(r)).not.toContain('smtp.acme.example');
    const neutralize = Object.values(r.resources).find((o) => o.metadata.labels?.['odoo.io/lifecycle-step'] === 'neutralize')!;
    const script = neutralize.spec.template.spec.containers[0].command[2] as string;
    expect(script).toContain("smtp_host = 'acme-mailpit', smtp_port = 1025");
    expect(script).toContain("smtp_host NOT IN ('invalid', 'acme-mailpit')");
  });

  it('is neutralized even where the Tenant says neutralize: false, which its status says it ignores', async () => {
    const required = requiredObjects();
    tenantOf(required).spec.staging = { ...tenantOf(required).spec.staging, neutralize: false };
    const r = await new Cluster(named('instance-staging.yaml', 'staging'), required).until('Neutralizing', { jobs: { neutralize: 'running' } });
    expect(Object.values(r.resources).some((o) => o.metadata.labels?.['odoo.io/lifecycle-step'] === 'neutralize')).toBe(true);
  });

  it('goes to the catcher from a testing instance', async () => {
    const r = await new Cluster(named('instance-testing.yaml', 'ci')).until('Passed');
    expect(conf(r)).toContain('smtp_server = acme-mailpit\n');
  });

  it('goes nowhere from a migration copy the tenant does not route yet, whatever the App’s options say', async () => {
    const required = requiredObjects();
    app(required).spec.config = { options: { smtp_server: 'smtp.acme.example' } };
    const r = await new Cluster(named('instance-migration.yaml', 'v18'), required).reconcile();
    expect(conf(r)).not.toContain('smtp_');
  });

  it('goes nowhere from a staging copy when the App turns the catcher off: Odoo’s own "invalid" server stays', async () => {
    const required = requiredObjects();
    app(required).spec.mail = { catcher: { enabled: false } };
    const r = await new Cluster(named('instance-staging.yaml', 'staging'), required).until('Neutralizing', { jobs: { neutralize: 'running' } });
    expect(conf(r)).not.toContain('smtp_');
    const neutralize = Object.values(r.resources).find((o) => o.metadata.labels?.['odoo.io/lifecycle-step'] === 'neutralize')!;
    expect(neutralize.spec.template.spec.containers[0].command[2]).not.toContain('mailpit');
  });
});

describe('web Pods under slow requests', () => {
  const web = async (config?: Obj) => {
    const xr = production();
    if (config !== undefined) xr.spec = { ...xr.spec, config };
    const r = await new Cluster(xr).until('Running');
    return { web: r.resources.web!.spec.template.spec, cron: r.resources.cron!.spec.template.spec };
  };

  it('stop within limit_time_real: Odoo lets each worker finish its request that long on SIGTERM, so the kubelet waits as long (and a little)', async () => {
    const { web: w, cron } = await web();
    expect(w.terminationGracePeriodSeconds).toBe(1200 + 30);
    expect(cron.terminationGracePeriodSeconds).toBe(1200 + 30);
    expect((await web({ limitTimeReal: 300 })).web.terminationGracePeriodSeconds).toBe(330);
  });

  it('are not killed while every HTTP worker is busy: liveness asks the gevent process on the websocket port; readiness and startup ask the HTTP workers; threaded Odoo has one port', async () => {
    const { web: w } = await web();
    const odoo = w.containers[0];
    expect(odoo.livenessProbe.httpGet).toEqual({ path: '/web/health', port: 'websocket' });
    expect(odoo.readinessProbe.httpGet).toEqual({ path: '/web/health', port: 'http' });
    expect(odoo.startupProbe.httpGet).toEqual({ path: '/web/health', port: 'http' });
    expect((await web({ workers: 0 })).web.containers[0].livenessProbe.httpGet).toEqual({ path: '/web/health', port: 'http' });
  });
});

describe('autoscaling', () => {
  const autoscaled = (accessMode = 'ReadWriteMany') => {
    const required = requiredObjects();
    app(required).spec.filestore = { accessMode };
    // Up to 7 web Pods (6 and a rollout's) of 3 pools each: more than the default 128 connections a role may hold.
    app(required).spec.database.appCredentials = { connectionLimit: 256 };
    const x = production();
    x.spec.autoscaling = { minReplicas: 2, maxReplicas: 6 };
    return new Cluster(x, required);
  };

  it('scales production web Pods on CPU with an HPA, keeps what the HPA set, and a PDB', async () => {
    const c = autoscaled();
    const r = await c.until('Running');
    expect(r.resources.hpa!.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'prod-web' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    });
    expect(r.resources.web!.spec.replicas).toBe(2);
    expect(r.resources.pdb!.spec.maxUnavailable).toBe(1);
    // The HPA scaled to 5: the next call applies 5, not the minimum.
    c.last!.rsp.desired!.resources!.web!.resource!.spec.replicas = 5;
    const next = await c.reconcile();
    expect(next.resources.web!.spec.replicas).toBe(5);
  });

  it('stops web for an upgrade (replicas 0) and starts again at the minimum', async () => {
    const c = autoscaled();
    await c.until('Running');
    c.xr.spec.release = '1.4.2';
    const stopping = await c.until('Upgrading', { jobs: { upgrade: 'running' } });
    expect(stopping.resources.web!.spec.replicas).toBe(0);
    const back = await c.until('Running');
    expect(back.resources.web!.spec.replicas).toBe(2);
  });

  it('is refused on a ReadWriteOnce filestore, and on anything but production', async () => {
    expect((await autoscaled('ReadWriteOnce').reconcile()).fatal).toBe(
      'cannot compose Instance "prod": autoscaling needs a ReadWriteMany filestore, since web Pods may run on several nodes: set the App’s spec.filestore.accessMode to ReadWriteMany (with a storage class that offers it), or remove autoscaling and set replicas: 1',
    );
    const staging = named('instance-staging.yaml', 'staging');
    staging.spec.autoscaling = { minReplicas: 1, maxReplicas: 3 };
    expect((await new Cluster(staging).reconcile()).fatal).toBe('cannot compose Instance "staging": spec.autoscaling is for production instances, not staging: remove it and set spec.replicas');
  });
});

describe('a testing instance’s lifetime', () => {
  const withLifetime = () => {
    const required = requiredObjects();
    tenantOf(required).spec.testing = { lifetime: '72h' };
    return new Cluster(named('instance-testing.yaml', 'ci'), required);
  };

  it('is counted by a Job that runs no Pod, whose deadline is the lifetime; the XR stays ready meanwhile', async () => {
    const c = withLifetime();
    const r = await c.until('Passed');
    const clock = r.resources.lifetime!;
    expect(clock.metadata.name).toBe('ci-lifetime');
    expect(clock.spec).toMatchObject({ parallelism: 0, backoffLimit: 0, activeDeadlineSeconds: 259200 });
    expect(clock.spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(c.last!.rsp.desired!.resources!.lifetime!.ready).toBe(1);
    expect(r.conditions.Expired).toMatchObject({ status: 3, reason: 'WithinLifetime' });
    expect(r.status).toMatchObject({ expired: false, serving: true });
    expect(r.resources.web!.spec.replicas).toBe(1);
  });

  it('stops web and cron once the Job controller says the deadline passed, keeps the database, and says how to delete or extend it', async () => {
    const c = withLifetime();
    await c.until('Passed');
    const r = await c.reconcile({ lifetimeOver: true });
    // A testing instance never runs the customer's cron, so only web had Pods to stop.
    expect([r.resources.web!.spec.replicas, r.resources.cron]).toEqual([0, undefined]);
    expect(r.resources.database).toBeDefined();
    expect(r.status).toMatchObject({ phase: 'Passed', expired: true, serving: false });
    // Stays Passed with its web at 0 (not Starting, which would lock the tenant's routes for good: seen in the e2e).
    const later = await c.reconcile({ lifetimeOver: true });
    expect(later.status).toMatchObject({ phase: 'Passed', transitioning: false });
    expect(r.conditions.Expired).toEqual({
      status: 2,
      reason: 'LifetimeOver',
      message: "Lived its tenant's testing lifetime of 72h: web and cron are stopped, the database is kept. Delete the Instance (kubectl delete -n acme instance/ci), or delete Job ci-lifetime to give it another 72h",
    });
  });

  it('is looked at again within a quarter of the lifetime (at most the steady 10 minutes), should Crossplane’s circuit breaker drop the Job’s event', async () => {
    const ttl = (r: Reconcile) => Number(r.rsp.meta?.ttl?.seconds);
    const short = requiredObjects();
    tenantOf(short).spec.testing = { lifetime: '4m' };
    const c = new Cluster(named('instance-testing.yaml', 'ci'), short);
    expect(ttl(await c.until('Passed'))).toBe(60);
    expect(ttl(await c.reconcile({ lifetimeOver: true }))).toBe(600);
    expect(ttl(await withLifetime().until('Passed'))).toBe(600);
  });

  it('is at most the App’s maxTestingLifetime: a longer tenant lifetime is cut to it (a refusal would leave a running instance unstopped), and a tenant that sets none gets it', async () => {
    const required = requiredObjects();
    app(required).spec.quotas = { maxTestingLifetime: '168h' };
    tenantOf(required).spec.testing = { lifetime: '720h' };
    const capped = new Cluster(named('instance-testing.yaml', 'ci'), required);
    const r = await capped.until('Passed');
    expect(r.fatal).toBeUndefined();
    expect(r.resources.lifetime!.spec.activeDeadlineSeconds).toBe(168 * 3600);
    const over = await capped.reconcile({ lifetimeOver: true });
    expect(over.conditions.Expired?.message).toMatch(/^Lived the testing lifetime of 168h \(App "acme" spec\.quotas\.maxTestingLifetime, shorter than its tenant's 720h\): web and cron are stopped/);
    delete tenantOf(required).spec.testing.lifetime;
    const unset = await new Cluster(named('instance-testing.yaml', 'ci'), required).until('Passed');
    expect(unset.resources.lifetime!.spec.activeDeadlineSeconds).toBe(168 * 3600);
    // A shorter one of the tenant's own stays.
    tenantOf(required).spec.testing = { lifetime: '4m' };
    expect((await new Cluster(named('instance-testing.yaml', 'ci'), required).until('Passed')).resources.lifetime!.spec.activeDeadlineSeconds).toBe(240);
  });

  it('does not exist without a lifetime, nor for other types', async () => {
    const without = requiredObjects();
    delete tenantOf(without).spec.testing.lifetime;
    const r = await new Cluster(named('instance-testing.yaml', 'ci'), without).until('Passed');
    expect(r.resources.lifetime).toBeUndefined();
    expect(r.conditions.Expired).toBeUndefined();
    const required = requiredObjects();
    tenantOf(required).spec.testing = { lifetime: '72h' };
    expect((await new Cluster(production(), required).until('Running')).resources.lifetime).toBeUndefined();
  });
});

describe('status.serving', () => {
  it('is false until a web Pod is ready, false while an upgrade stops web, and true once it answers again', async () => {
    const c = new Cluster(production());
    const first = await c.reconcile();
    expect(first.status.serving).toBe(false);
    expect((await c.until('Running')).status.serving).toBe(true);
    c.xr.spec.release = '1.4.2';
    const upgrading = await c.until('Upgrading', { jobs: { upgrade: 'running' } });
    expect(upgrading.status.serving).toBe(false);
    expect((await c.until('Running')).status.serving).toBe(true);
  });
});
