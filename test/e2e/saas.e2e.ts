// A SaaS-shaped load on the real control plane: 1 App, E2E_SAAS_TENANTS
// Tenants (10 in npm run test:e2e, 50 in npm run bench:saas) of four Instances each, applied at once, until every
// Instance, Tenant and the App is Ready; time, CPU, objects and databases are
// written to .work/e2e-reports/saas-load.json. provider-sql creates every role and
// database in the real PostgreSQL, and the real Job, ReplicaSet and
// Deployment controllers make every Pod; the kubelet stand-in reports those
// Pods as run without running them (their images are the example App's, not
// test images of Odoo: 200 real Odoo databases would not fit on 2 cores),
// and the Gateway and volume provisioner are stand-ins.
import * as k8s from '@kubernetes/client-node';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../../scripts/function-process.js';
import { hasTrueCondition } from '../../functions/shared/readiness.js';
import { applyObjects, crdsEstablished } from './support/apply.js';
import type { ControlPlaneProfile } from './support/crossplane.js';
import { E2E_DIR, E2E_REPORTS, startHarness, type Harness } from './support/harness.js';
import { appPrerequisites } from './support/objects.js';
import { eventually } from './support/processes.js';
import { cpuSeconds, peakRssMiB } from './support/proc.js';
import { apiServerMetrics, delta, samples, sumBy } from './support/prometheus.js';

let h: Harness;

function example(file: string): Record<string, any> {
  return parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as Record<string, any>;
}

/** The example App under this name, on the test's PostgreSQL. */
function appOnTestPostgres(name: string): k8s.KubernetesObject {
  const app = example('app.yaml');
  app.metadata.name = name;
  app.spec.database = { ...app.spec.database, host: '127.0.0.1', port: h.pg.port, sslMode: 'disable' };
  app.spec.network = { postgres: { cidrs: ['127.0.0.1/32'] } };
  return app as k8s.KubernetesObject;
}

const flagsFrom = (value: string | undefined) => (value ?? '').split(/\s+/).filter((f) => f !== '');

// What a SaaS's control plane runs: Crossplane's and provider-sql's default
// intervals (E2E_SAAS_INTERVALS=test for the scenarios' short ones), without
// --debug unless E2E_SAAS_DEBUG=1 asks for the reconciles by cause.
const PROFILE: ControlPlaneProfile = {
  intervals: process.env.E2E_SAAS_INTERVALS === 'test' ? 'test' : 'production',
  debug: process.env.E2E_SAAS_DEBUG === '1',
  crossplaneFlags: flagsFrom(process.env.E2E_SAAS_CROSSPLANE_FLAGS),
  providerSqlFlags: flagsFrom(process.env.E2E_SAAS_PROVIDER_SQL_FLAGS),
};

beforeAll(async () => {
  h = await startHarness({ withCrossplane: true, profile: PROFILE });
  await eventually('the XRDs to be established as CRDs', async () => crdsEstablished(h.plane.kc, ['apps.app.odoo.io', 'tenants.tenant.odoo.io', 'instances.instance.odoo.io']).catch(() => undefined), 180_000);
}, 900_000);

afterAll(async () => {
  await h?.stop();
});

// The test suite proves many tenants converge together; the planners'
// figures come from npm run bench:saas (50 tenants, 200 instances), a
// benchmark that prints numbers rather than a timed test.
const SAAS_TENANTS = Number(process.env.E2E_SAAS_TENANTS ?? 10);
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
  // ACME's own domain is not theirs.
  delete tenant.spec.customDomains;
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
  const list = await h.cluster.objects.list(apiVersion, kind);
  return (list.items as Record<string, any>[]).filter((o) => String(o.metadata?.namespace ?? '').startsWith('saas-'));
}

/** Objects a namespace has whatever runs in it (the API server's CA bundle): not the function's. */
const namespaceDefault = (kind: string, o: Record<string, any>) => kind === 'ConfigMap' && o.metadata?.name === 'kube-root-ca.crt';

/**
 * Why Crossplane reconciled the SaaS namespaces' XRs, from its debug log
 * (the reason the harness runs it with --debug): the reconciles, and the
 * watch events of composed resources that asked for them, by kind. What is
 * left over came from the XR's own writes, TTLs and retries.
 */
function reconcilesByCause(logFrom: number): { instanceReconciles: number; tenantReconciles: number; composedResourceEvents: Record<string, number> } | undefined {
  if (!PROFILE.debug) return undefined;
  const log = readFileSync(join(E2E_DIR, 'crossplane.log'), 'utf8').slice(logFrom);
  let instanceReconciles = 0;
  let tenantReconciles = 0;
  const composedResourceEvents: Record<string, number> = {};
  for (const line of log.split('\n')) {
    if (!line.includes('"namespace":"saas-') && !line.includes('"namespace": "saas-')) continue;
    if (line.includes('\tReconciling\t')) {
      if (line.includes('composite/instances.instance.odoo.io')) instanceReconciles++;
      if (line.includes('composite/tenants.tenant.odoo.io')) tenantReconciles++;
    }
    const cause = /composed resource changed.*"cdGVK": "[^"]*Kind=(\w+)"/.exec(line);
    if (cause) composedResourceEvents[cause[1]!] = (composedResourceEvents[cause[1]!] ?? 0) + 1;
  }
  return { instanceReconciles, tenantReconciles, composedResourceEvents: Object.fromEntries(Object.entries(composedResourceEvents).sort((a, b) => b[1] - a[1])) };
}

describe('A SaaS-shaped load', () => {
  it(`1 App, ${SAAS_TENANTS} Tenants and ${SAAS_TENANTS * 4} Instances applied at once all become Ready (Pods, volumes and the Gateway are stand-ins); time, CPU, objects and databases reported`, async () => {
    const instances = SAAS_TENANTS * 4;
    const pids = Object.fromEntries(WATCHED.map((name) => [name, h.processes.latest(name).child.pid!]));
    const cpuBefore = Object.fromEntries(WATCHED.map((name) => [name, cpuSeconds(pids[name]!)]));
    // Where the work goes: the function's calls by kind, the API server's requests by verb and resource.
    const fnCalls = async () => sumBy(samples(await (await fetch(h.crossplane!.fnMetricsUrl)).text(), 'function_odoo_calls_total'), (l) => l.kind!);
    const apiRequests = () => samples(apiServerMetrics(process.env.E2E_KUBECTL!, h.plane.kubeconfig), 'apiserver_request_total');
    const byVerb = (l: Record<string, string>) => l.verb!;
    const byResource = (l: Record<string, string>) => `${l.verb} ${l.group ? `${l.resource}.${l.group}` : l.resource}${l.subresource ? `/${l.subresource}` : ''}`;
    const callsBefore = await fnCalls();
    // Crossplane's reconciles of the XRs, by controller (controller-runtime's own counter).
    const xrReconciles = async () =>
      sumBy(samples(await (await fetch(h.crossplane!.metricsUrl)).text(), 'controller_runtime_reconcile_total').filter((x) => /^composite\//.test(x.labels.controller ?? '')), (l) => l.controller!.replace(/^composite\//, ''));
    const reconcilesBefore = await xrReconciles();
    const logFrom = readFileSync(join(E2E_DIR, 'crossplane.log'), 'utf8').length;
    const requestsBefore = apiRequests();
    const start = Date.now();
    const at = () => (Date.now() - start) / 1000;
    const timeline: Record<string, number> = {};

    const namespaces = Array.from({ length: SAAS_TENANTS }, (_, i) => saasNamespace(i));
    {
      await applyObjects(h.plane.kc, [...appPrerequisites(h.pg), appOnTestPostgres('saas')]);
      await inParallel(namespaces, 8, (name) => applyObjects(h.plane.kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as k8s.KubernetesObject]));
      await inParallel(namespaces.flatMap(saasTenant), 8, (o) => applyObjects(h.plane.kc, [o as k8s.KubernetesObject]));
      timeline.applied = at();

      const saasDatabases = () => Number(h.pg.query("select count(*) from pg_database where datname like 'saas-%'")[0]);
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
      await h.cluster.until('App saas Ready', 'app.odoo.io/v1alpha1', 'App', 'saas', undefined, isReadyObject, 5 * 60_000);
      timeline.appReady = at();
    }

    const cpu = Object.fromEntries(WATCHED.map((name) => [name, Math.round((cpuSeconds(pids[name]!) - cpuBefore[name]!) * 10) / 10]));
    const calls = delta(callsBefore, await fnCalls());
    const requestsAfter = apiRequests();
    const requests = {
      total: Object.values(delta(sumBy(requestsBefore, () => 'all'), sumBy(requestsAfter, () => 'all')))[0] ?? 0,
      byVerb: delta(sumBy(requestsBefore, byVerb), sumBy(requestsAfter, byVerb)),
      top: delta(sumBy(requestsBefore, byResource), sumBy(requestsAfter, byResource), 15),
    };
    const objects: Record<string, number> = {};
    for (const [apiVersion, kind] of COUNTED) objects[kind] = (await listSaas(apiVersion, kind)).filter((o) => !namespaceDefault(kind, o)).length;
    const totalObjects = Object.values(objects).reduce((a, b) => a + b, 0);
    // What exists because of the instances: all but the Tenant and Instance XRs the users applied.
    const composedObjects = totalObjects - objects.Tenant! - objects.Instance!;
    const databases = h.pg.query("select datname from pg_database where datname like 'saas-%' order by 1");
    const report = {
      tenants: SAAS_TENANTS,
      instances,
      secondsFromFirstApply: timeline,
      cpuSeconds: cpu,
      controlPlaneCpuSecondsPerInstance: Math.round((Object.values(cpu).reduce((a, b) => a + b, 0) / instances) * 100) / 100,
      functionCpuMsPerInstance: Math.round((cpu['function-odoo']! * 1000) / instances),
      functionCalls: { ...calls, instancePerInstance: Math.round(((calls.Instance ?? 0) / instances) * 10) / 10 },
      reconciles: { byXrKind: delta(reconcilesBefore, await xrReconciles()), ...(reconcilesByCause(logFrom) ?? {}) },
      apiServerRequests: { ...requests, perInstance: Math.round(requests.total / instances) },
      // What the harness runs the control plane with (docs/performance.md: The SaaS-shaped load).
      controlPlaneFlags: Object.fromEntries(['crossplane', 'provider-sql'].map((name) => [name, h.processes.latest(name).child.spawnargs.filter((a) => a.startsWith('--') && !/(port|dir|address)=/.test(a))])),
      functionPeakRssMiB: Math.round(peakRssMiB(pids['function-odoo']!)),
      apiObjects: { ...objects, total: totalObjects, composedPerInstance: Math.round((composedObjects / instances) * 10) / 10 },
      postgresDatabases: databases.length,
      kubelet: h.kubelet.counts,
      routesAccepted: h.gateway.routesAccepted,
    };
    writeFileSync(join(E2E_REPORTS, 'saas-load.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`e2e: SaaS-shaped load:\n${JSON.stringify(report, null, 2)}\n`);

    expect(databases).toHaveLength(instances);
    expect(databases).toContain('saas-01_prod');
    expect(objects.Instance).toBe(instances);
    expect(objects.HTTPRoute).toBe(instances);
    // Every production instance is a LOGIN role without superuser, like every other.
    expect(h.pg.query("select count(*) from pg_roles where rolname like 'saas-%' and rolcanlogin and not rolsuper")).toEqual([String(instances)]);
    // The per-instance figures a SaaS pays, checked at any size: each reconcile of an Instance costs
    // Crossplane two calls (the requirement loop settles at once), and a tenant of this shape (production,
    // staging, two testing instances with a lifetime) holds at most 45 objects besides its Tenant and
    // Instances once Ready: production 12, staging 8, testing 10 each, the tenant's own 5 (docs/performance.md:
    // The SaaS-shaped load says what each is for).
    const instanceReconciles = report.reconciles.byXrKind['instances.instance.odoo.io'] ?? 0;
    expect(calls.Instance ?? 0).toBeLessThanOrEqual(2 * instanceReconciles);
    expect(composedObjects).toBeLessThanOrEqual(SAAS_TENANTS * 45);
  }, 60 * 60_000);
});
