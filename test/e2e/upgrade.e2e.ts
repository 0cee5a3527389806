// Upgrading the package under a running tenant (issue 25): version N (this
// tree, as the README installs it) runs tenant acme with a production, a
// staging copy and a testing instance on real Odoo 17.0; then version N+1 —
// this tree with its version raised, a field added to the Instance XRD, an
// annotation on every instance's web Service and an environment variable in
// staging's web Pod template (support/next-package.ts) — is installed by the
// commands of docs/devops.md "Package upgrades", run as written. Read from
// the objects before and after: no lifecycle Job runs again, no database is
// touched, only the Pods whose template changed restart (staging's web), and
// every XR is Ready after; the XRD change is one the API server accepts with
// the objects it stores, as the schema check of npm test says.
// Before that, the same N+1 runs as the candidate channel (docs/devops.md
// "Tenant by tenant"): a second tenant, beta, is moved to it and composed by
// it, while acme, not moved, stays as it was.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { xrdBreaks } from '../../scripts/schema-compat.js';
import { ROOT } from '../../scripts/function-process.js';
import { CHANNEL_LABEL } from '../../scripts/apis.js';
import { CANDIDATE_FUNCTION_NAME, CANDIDATE_FUNCTION_PACKAGE, FUNCTION_PACKAGE, packageVersion } from '../../scripts/package-metadata.js';
import { FUNCTION_OBJECT } from './support/crossplane.js';
import { applyObjects } from './support/apply.js';
import { E2E_DIR, E2E_REPORTS, startHarness, type Harness } from './support/harness.js';
import { buildNextPackage, NEXT_CHANGES, NEXT_SERVICE_ANNOTATION, NEXT_STAGING_ENV, type NextPackage } from './support/next-package.js';
import { app, appPrerequisites, backupCredentials, instance, tenant, tenantNamespace } from './support/objects.js';
import { runReadmeBlock } from './support/package-install.js';
import { eventually } from './support/processes.js';
import { functionCalls, reconcileAgain } from './support/reconciles.js';

let h: Harness;
let next: Promise<NextPackage>;
const NS = 'acme';
const INSTANCES = ['prod', 'stage', 'ci'] as const;
/** The tenant the hoster moves to the candidate channel: a production instance of its own. */
const MOVED = 'beta';
/** The App's namespace for cluster-wide pieces (objects.ts: cache.namespace), where its image-cache DaemonSet runs. */
const CACHE_NAMESPACE = 'odoo-system';

beforeAll(async () => {
  // The next version builds (about a minute) while the control plane comes up.
  next = buildNextPackage(join(E2E_DIR, '..', 'upgrade-next'));
  next.catch(() => undefined);
  h = await startHarness({ withCrossplane: true, edition: 'install' });
}, 900_000);

afterAll(async () => {
  await h?.stop();
});

type Conditioned = { metadata: { generation?: number; uid?: string }; status?: { phase?: string; conditions?: { type: string; status: string; reason?: string }[] } };
const condition = (o: Conditioned | undefined, type: string) => o?.status?.conditions?.find((c) => c.type === type);

async function waitPhase(name: string, phase: string, timeoutMs = 900_000, ns = NS): Promise<void> {
  await eventually(`Instance ${ns}/${name} ${phase}`, async () => {
    const now = (await h.cluster.instance(name, ns))?.status?.phase as string | undefined;
    if (now === phase) return true;
    if (now?.endsWith('Failed')) throw new Error(`Instance ${ns}/${name} is ${now}`);
    return undefined;
  }, timeoutMs, 1000);
}

/** What an upgrade must leave as it was: each Pod, Deployment, Job and database of the tenant, and its XRs. */
interface TenantState {
  /**
   * The Pods of each Deployment of the tenant (Odoo web and cron, the mail
   * catcher, the maintenance page), by Deployment, and of the App's
   * DaemonSets (the image cache), by name: a new UID is a restart.
   */
  pods: Record<string, string>;
  deployments: Record<string, number>;
  /** Lifecycle Jobs (not those a CronJob made: a scheduled backup may start at any minute). */
  jobs: Record<string, string>;
  databases: Record<string, { oid: string; modules: string }>;
  xrs: Record<string, { generation: number; phase: string | undefined; ready: string | undefined }>;
  /** Deployments still rolling out: a snapshot is compared only once there are none. */
  rolling: string[];
}

/** A Deployment's Pod is named after it, its ReplicaSet's hash and a suffix of its own. */
const deploymentOf = (pod: k8s.V1Pod) => pod.metadata!.name!.replace(/-[a-z0-9]+-[a-z0-9]+$/, '');

/** A namespace's lifecycle Jobs: not those a CronJob made (a scheduled backup may start at any minute). */
const lifecycleJobs = async (ns: string) => (await h.cluster.batch.listNamespacedJob({ namespace: ns })).items.filter((j) => !j.metadata?.ownerReferences?.some((o) => o.kind === 'CronJob'));

async function tenantState(): Promise<TenantState> {
  const owned = (kind: string) => (p: k8s.V1Pod) => p.metadata?.deletionTimestamp === undefined && p.metadata?.ownerReferences?.some((o) => o.kind === kind);
  const pods = (await h.cluster.core.listNamespacedPod({ namespace: NS })).items.filter(owned('ReplicaSet'));
  const cachePods = (await h.cluster.core.listNamespacedPod({ namespace: CACHE_NAMESPACE })).items.filter(owned('DaemonSet'));
  const deployments = (await h.cluster.apps.listNamespacedDeployment({ namespace: NS })).items;
  const jobs = await lifecycleJobs(NS);
  const databases: TenantState['databases'] = {};
  for (const name of INSTANCES) {
    const db = `acme_${name}`;
    // A drop and re-create (init, copy, restore) gives a new OID; an odoo -i or -u writes ir_module_module.
    databases[db] = { oid: h.pg.query(`SELECT oid FROM pg_database WHERE datname = '${db}'`)[0]!, modules: h.pg.query("SELECT count(*) || ' ' || max(write_date) FROM ir_module_module", db)[0]! };
  }
  const xrs: TenantState['xrs'] = {};
  for (const [kind, name] of [['Tenant', 'acme'], ...INSTANCES.map((i) => ['Instance', i])] as const) {
    const group = kind === 'Tenant' ? 'tenant.odoo.io' : 'instance.odoo.io';
    const o = (await h.cluster.get<Conditioned>(`${group}/v1alpha1`, kind, name, NS))!;
    xrs[`${kind}/${name}`] = { generation: o.metadata.generation ?? 0, phase: o.status?.phase, ready: condition(o, 'Ready')?.status };
  }
  return {
    // One replica each here: a second Pod of a Deployment means it is rolling.
    pods: Object.fromEntries([
      ...pods.map((p) => [deploymentOf(p), p.metadata!.uid!]),
      ...cachePods.map((p) => [`${CACHE_NAMESPACE}/${p.metadata!.name!}`, p.metadata!.uid!]),
    ]),
    rolling: deployments.filter((d) => (d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0) || d.status?.updatedReplicas !== d.spec?.replicas || d.status?.readyReplicas !== d.spec?.replicas).map((d) => d.metadata!.name!).concat(
      pods.length > new Set(pods.map(deploymentOf)).size ? ['two Pods of one Deployment'] : [],
    ),
    deployments: Object.fromEntries(deployments.map((d) => [d.metadata!.name!, d.metadata!.generation ?? 0])),
    jobs: Object.fromEntries(jobs.map((j) => [j.metadata!.name!, j.metadata!.uid!])),
    databases,
    xrs,
  };
}

let before: TenantState;
let upgraded: NextPackage;
let nextMetricsUrl: string;

describe('version N runs a tenant', () => {
  it('production, a staging copy and a testing instance on real Odoo 17.0 settle: Running, Running, Passed', async () => {
    await applyObjects(h.plane.kc, [...appPrerequisites(h.pg), app('acme', h.pg, h.s3), tenantNamespace(NS)]);
    await applyObjects(h.plane.kc, [backupCredentials(NS, h.s3), tenant('acme', NS, { primaryInstance: 'prod' }), instance('prod', NS, { release: '1.4.1', type: 'production', initModules: ['contacts'] })]);
    // beta: the tenant the candidate channel gets (below), initialized meanwhile.
    await applyObjects(h.plane.kc, [tenantNamespace(MOVED)]);
    await applyObjects(h.plane.kc, [backupCredentials(MOVED, h.s3), tenant(MOVED, MOVED, { primaryInstance: 'prod' }), instance('prod', MOVED, { release: '1.4.1', type: 'production' })]);
    await waitPhase('prod', 'Running');
    await applyObjects(h.plane.kc, [
      instance('stage', NS, { release: '1.4.1', type: 'staging', source: { instance: 'prod' } }),
      instance('ci', NS, { release: '1.4.1', type: 'testing', initModules: ['e2e_acme'], testTags: '/e2e_acme:TestE2EPass' }),
    ]);
    await waitPhase('stage', 'Running');
    await waitPhase('ci', 'Passed');
    await waitPhase('prod', 'Running', 900_000, MOVED);
    // Settled: every XR Ready, and the Tenant unlocked (it looks at its instances again within a minute).
    before = await eventually('the tenant settled: its XRs Ready and their web Pods running', async () => {
      const state = await tenantState();
      const unready = Object.entries(state.xrs).filter(([, x]) => x.ready !== 'True');
      const tenantObject = await h.cluster.get<{ status?: { hasTransitioningInstance?: boolean } }>('tenant.odoo.io/v1alpha1', 'Tenant', 'acme', NS);
      return unready.length === 0 && state.rolling.length === 0 && tenantObject?.status?.hasTransitioningInstance === false ? state : undefined;
    }, 300_000, 2000);
    expect(Object.keys(before.pods)).toEqual(expect.arrayContaining(['prod-web', 'prod-cron', 'stage-web']));
    writeFileSync(join(E2E_REPORTS, 'upgrade-before.json'), JSON.stringify(before, null, 2));
  });
});

const tools = () => ({ crossplane: process.env.E2E_CROSSPLANE_CLI!, kubectl: process.env.E2E_KUBECTL!, kubeconfig: h.plane.kubeconfig });

/** Runs a docs block in N+1's tree while the harness plays the package runtime the block waits for. */
async function runBlockServingRevisions(name: string, env: Record<string, string>): Promise<void> {
  let done = false;
  const block = runReadmeBlock(name, tools(), env, E2E_DIR, upgraded.root).finally(() => (done = true));
  block.catch(() => undefined); // awaited below; a timeout of the wait must not leave it unhandled
  await eventually(`the docs block "${name}" to finish`, async () => {
    await h.crossplane!.runtime.reconcile();
    return done || undefined;
  }, 900_000, 1000);
  await block;
}

/** An end user of beta, as the API server sees them: kubectl impersonating a user of a group the App does not name as movers. */
const END_USER = ['--as=ann@beta.example', '--as-group=beta-users'];
async function kubectlAsEndUser(args: string[], input?: string): Promise<{ ok: boolean; output: string }> {
  const child = promisify(execFile)(tools().kubectl, ['--kubeconfig', h.plane.kubeconfig, ...END_USER, ...args], { encoding: 'utf8' });
  if (input !== undefined) child.child.stdin!.end(input);
  try {
    const { stdout, stderr } = await child;
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

type Composite = Conditioned & { spec: { crossplane?: { compositionRef?: { name: string }; compositionRevisionRef?: { name: string } } } };
const serviceAnnotations = async (instanceName: string, ns: string) =>
  (await h.cluster.core.readNamespacedService({ name: `odoo-${instanceName}`, namespace: ns })).metadata?.annotations ?? {};
/** One of beta's XRs Ready on the latest revision of its channel's Composition (the candidate's are prefixed). */
const XR_KINDS = { Tenant: ['tenant.odoo.io', 'tenants'], Instance: ['instance.odoo.io', 'instances'] } as const;
async function readyOnChannel(kind: keyof typeof XR_KINDS, name: string, prefix: '' | 'candidate.'): Promise<Composite> {
  const [group, plural] = XR_KINDS[kind];
  return eventually(`${kind} ${name} Ready on ${prefix === '' ? 'stable' : 'the candidate'}`, async () => {
    const o = await h.cluster.get<Composite>(`${group}/v1alpha1`, kind, name, MOVED);
    return condition(o, 'Ready')?.status === 'True' && o?.spec.crossplane?.compositionRevisionRef?.name.startsWith(`${prefix}${plural}.${group}-`) ? o : undefined;
  }, 300_000, 2000);
}
const jobUids = async (ns: string) => (await lifecycleJobs(ns)).map((j) => j.metadata!.uid!).sort();

describe('a candidate channel: N+1 installed beside N, and one tenant moved to it, as docs/devops.md says', () => {
  let candidateMetricsUrl: string;
  beforeAll(async () => {
    upgraded = await next;
    const started = await h.crossplane!.startOtherVersion(`${CANDIDATE_FUNCTION_PACKAGE}:${upgraded.version}`, upgraded.bundle);
    candidateMetricsUrl = started.metricsUrl;
    await runBlockServingRevisions('channel', { REGISTRY: h.crossplane!.registry, VERSION: upgraded.version });
  }, 1_200_000);

  it('installs the candidate Function beside the stable one, and the candidate’s Compositions beside the stable ones, which stay the XRDs’ default', async () => {
    const candidate = await h.cluster.get<Conditioned & { spec: { package: string } }>('pkg.crossplane.io/v1', 'Function', CANDIDATE_FUNCTION_NAME);
    expect(candidate?.spec.package).toBe(`${CANDIDATE_FUNCTION_PACKAGE}:${upgraded.version}`);
    expect(condition(candidate, 'Healthy')?.status).toBe('True');
    const stable = await h.cluster.get<{ spec: { package: string } }>('pkg.crossplane.io/v1', 'Function', FUNCTION_OBJECT);
    expect(stable?.spec.package).toBe(`${FUNCTION_PACKAGE}:${packageVersion()}`);
    const compositions = (await h.cluster.objects.list('apiextensions.crossplane.io/v1', 'Composition')).items as unknown as {
      metadata: { name: string; labels?: Record<string, string> };
      spec: { pipeline: { functionRef: { name: string } }[] };
    }[];
    const channels = Object.fromEntries(compositions.map((c) => [c.metadata.name, `${c.metadata.labels?.[CHANNEL_LABEL]} → ${c.spec.pipeline.map((p) => p.functionRef.name).join(',')}`]));
    expect(channels).toEqual({
      'apps.app.odoo.io': `stable → ${FUNCTION_OBJECT}`,
      'tenants.tenant.odoo.io': `stable → ${FUNCTION_OBJECT}`,
      'instances.instance.odoo.io': `stable → ${FUNCTION_OBJECT}`,
      'candidate.tenants.tenant.odoo.io': `candidate → ${CANDIDATE_FUNCTION_NAME}`,
      'candidate.instances.instance.odoo.io': `candidate → ${CANDIDATE_FUNCTION_NAME}`,
    });
    for (const xrd of ['apps.app.odoo.io', 'tenants.tenant.odoo.io', 'instances.instance.odoo.io']) {
      expect((await h.cluster.get<{ spec: { defaultCompositionRef?: { name: string } } }>('apiextensions.crossplane.io/v2', 'CompositeResourceDefinition', xrd))?.spec.defaultCompositionRef?.name).toBe(xrd);
    }
  });

  it('acme, not moved, is not changed by the candidate: N composes it, and its Pods, Jobs, databases and XRs are as they were', async () => {
    for (const name of INSTANCES) {
      expect(await reconcileAgain(h.cluster, h.crossplane!.fnMetricsUrl, { apiVersion: 'instance.odoo.io/v1alpha1', kind: 'Instance', name, namespace: NS }, ['Instance'], 1)).toBeGreaterThanOrEqual(1);
      expect((await serviceAnnotations(name, NS))[NEXT_SERVICE_ANNOTATION]).toBeUndefined();
      expect((await h.cluster.get<Composite>('instance.odoo.io/v1alpha1', 'Instance', name, NS))?.spec.crossplane?.compositionRef?.name).toBe('instances.instance.odoo.io');
    }
    expect(await reconcileAgain(h.cluster, h.crossplane!.fnMetricsUrl, { apiVersion: 'tenant.odoo.io/v1alpha1', kind: 'Tenant', name: 'acme', namespace: NS }, ['Tenant'], 1)).toBeGreaterThanOrEqual(1);
    expect(await tenantState()).toEqual(before);
  });

  it('an end user of beta cannot choose its channel: the App’s channel guard refuses spec.crossplane from anyone but its movers, and lets every other change through', async () => {
    // What an end user and their KAM may do in their namespace (SECURITY.md): create and update Instances, update the Tenant.
    await applyObjects(h.plane.kc, [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'odoo-end-user', namespace: MOVED }, rules: [
        { apiGroups: ['instance.odoo.io'], resources: ['instances'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
        { apiGroups: ['tenant.odoo.io'], resources: ['tenants'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
      ] } as k8s.KubernetesObject,
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'odoo-end-user', namespace: MOVED },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'odoo-end-user' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'beta-users' }] } as k8s.KubernetesObject,
    ]);
    // The API server's RBAC reads bindings from its cache: wait until it knows this one.
    await eventually('the end user’s RoleBinding in force', async () => ((await kubectlAsEndUser(['auth', 'can-i', 'patch', 'instances.instance.odoo.io', '-n', MOVED])).output.trim() === 'yes' ? true : undefined), 60_000, 500);
    const toCandidate = (plural: string) => JSON.stringify({ spec: { crossplane: { compositionRef: { name: `candidate.${plural}` } } } });
    const moveInstance = await kubectlAsEndUser(['patch', 'instances.instance.odoo.io', 'prod', '-n', MOVED, '--type=merge', '-p', toCandidate('instances.instance.odoo.io')]);
    expect(moveInstance).toMatchObject({ ok: false });
    expect(moveInstance.output).toContain('spec.crossplane of Instance "prod" is its channel, which the hoster does (App acme, spec.channels.movers: group system:masters)');
    const moveTenant = await kubectlAsEndUser(['patch', 'tenants.tenant.odoo.io', MOVED, '-n', MOVED, '--type=merge', '-p', toCandidate('tenants.tenant.odoo.io')]);
    expect(moveTenant).toMatchObject({ ok: false });
    expect(moveTenant.output).toContain(`spec.crossplane of Tenant "${MOVED}" is its channel`);
    // Holding a revision, or one of another Composition, is choosing a version too.
    const revision = (await h.cluster.get<Composite>('instance.odoo.io/v1alpha1', 'Instance', 'prod', MOVED))!.spec.crossplane!.compositionRevisionRef!.name;
    for (const crossplane of [{ compositionUpdatePolicy: 'Manual' }, { compositionRevisionRef: { name: `${revision}-held` } }, { compositionSelector: { matchLabels: { 'odoo.io/channel': 'candidate' } } }]) {
      const held = await kubectlAsEndUser(['patch', 'instances.instance.odoo.io', 'prod', '-n', MOVED, '--type=merge', '-p', JSON.stringify({ spec: { crossplane } })]);
      expect(held).toMatchObject({ ok: false });
      expect(held.output).toContain('spec.crossplane of Instance "prod" is its channel');
    }
    const onCandidate = instance('sneaky', MOVED, { release: '1.4.1', type: 'staging', source: { instance: 'prod' }, crossplane: { compositionRef: { name: 'candidate.instances.instance.odoo.io' } } });
    const created = await kubectlAsEndUser(['create', '-f', '-'], JSON.stringify(onCandidate));
    expect(created).toMatchObject({ ok: false });
    expect(created.output).toContain('spec.crossplane of a new Instance chooses its channel');
    expect(await h.cluster.instance('sneaky', MOVED)).toBeUndefined();
    // Any other change of theirs goes through: the guard reads spec.crossplane only.
    expect(await kubectlAsEndUser(['label', 'instances.instance.odoo.io', 'prod', '-n', MOVED, 'e2e.odoo.io/touched-by=end-user'])).toMatchObject({ ok: true });
    expect((await h.cluster.get<Composite>('instance.odoo.io/v1alpha1', 'Instance', 'prod', MOVED))?.spec.crossplane?.compositionRef?.name).toBe('instances.instance.odoo.io');
  });

  it('the hoster moves beta to the candidate: N+1 composes its XRs from then on, with no Job run again and its database untouched; acme stays as it was', async () => {
    const database = () => h.pg.query(`SELECT oid FROM pg_database WHERE datname = '${MOVED}_prod'`)[0];
    const [oidBefore, jobsBefore] = [database(), await jobUids(MOVED)];
    await runReadmeBlock('move-tenant', tools(), { TENANT: MOVED, NAMESPACE: MOVED, CHANNEL: 'candidate' }, E2E_DIR);
    await h.cluster.until(`the web Service of ${MOVED}'s prod rendered by the candidate`, 'v1', 'Service', 'odoo-prod', MOVED, (s: { metadata: { annotations?: Record<string, string> } }) => s.metadata.annotations?.[NEXT_SERVICE_ANNOTATION] === 'true', 600_000);
    expect(await reconcileAgain(h.cluster, candidateMetricsUrl, { apiVersion: 'instance.odoo.io/v1alpha1', kind: 'Instance', name: 'prod', namespace: MOVED }, ['Instance'], 1)).toBeGreaterThanOrEqual(1);
    expect(await reconcileAgain(h.cluster, candidateMetricsUrl, { apiVersion: 'tenant.odoo.io/v1alpha1', kind: 'Tenant', name: MOVED, namespace: MOVED }, ['Tenant'], 1)).toBeGreaterThanOrEqual(1);
    // On the candidate Composition's latest revision, and Ready there.
    for (const [kind, name] of [['Tenant', MOVED], ['Instance', 'prod']] as const) {
      const xr = await readyOnChannel(kind, name, 'candidate.');
      expect(xr.spec.crossplane?.compositionRef?.name).toBe(`candidate.${XR_KINDS[kind][1]}.${XR_KINDS[kind][0]}`);
    }
    expect((await h.cluster.instance('prod', MOVED))?.status?.phase).toBe('Running');
    expect(database()).toBe(oidBefore);
    expect(await jobUids(MOVED)).toEqual(jobsBefore);
    // acme: no Service took what only N+1 renders, nothing restarted, ran or changed.
    for (const name of INSTANCES) expect((await serviceAnnotations(name, NS))[NEXT_SERVICE_ANNOTATION]).toBeUndefined();
    expect(await tenantState()).toEqual(before);
  });

  it('an Instance the end user creates after the move starts on stable; the move block, run again, takes it to the candidate', async () => {
    const copy = instance('copy', MOVED, { release: '1.4.1', type: 'staging', source: { instance: 'prod' } });
    expect(await kubectlAsEndUser(['create', '-f', '-'], JSON.stringify(copy))).toMatchObject({ ok: true });
    const started = await eventually('the new Instance on a Composition', async () => (await h.cluster.get<Composite>('instance.odoo.io/v1alpha1', 'Instance', 'copy', MOVED))?.spec.crossplane?.compositionRef?.name, 120_000, 1000);
    expect(started).toBe('instances.instance.odoo.io');
    await runReadmeBlock('move-tenant', tools(), { TENANT: MOVED, NAMESPACE: MOVED, CHANNEL: 'candidate' }, E2E_DIR);
    await waitPhase('copy', 'Running', 900_000, MOVED);
    await h.cluster.until(`the web Service of ${MOVED}'s copy rendered by the candidate`, 'v1', 'Service', 'odoo-copy', MOVED, (s: { metadata: { annotations?: Record<string, string> } }) => s.metadata.annotations?.[NEXT_SERVICE_ANNOTATION] === 'true', 600_000);
    expect((await h.cluster.get<Composite>('instance.odoo.io/v1alpha1', 'Instance', 'copy', MOVED))?.spec.crossplane?.compositionRef?.name).toBe('candidate.instances.instance.odoo.io');
  });

  it('the hoster moves beta back to stable: N composes it again and drops what only N+1 rendered, with no Job run again and no database touched', async () => {
    const databases = () => h.pg.query(`SELECT datname || ':' || oid FROM pg_database WHERE datname LIKE '${MOVED}\\_%' ORDER BY datname`);
    const [databasesBefore, jobsBefore] = [databases(), await jobUids(MOVED)];
    expect(databasesBefore).toHaveLength(2);
    await runReadmeBlock('move-tenant', tools(), { TENANT: MOVED, NAMESPACE: MOVED, CHANNEL: 'stable' }, E2E_DIR);
    for (const name of ['prod', 'copy']) {
      await h.cluster.until(`the web Service of ${MOVED}'s ${name} rendered by stable again`, 'v1', 'Service', `odoo-${name}`, MOVED, (s: { metadata: { annotations?: Record<string, string> } }) => s.metadata.annotations?.[NEXT_SERVICE_ANNOTATION] === undefined, 600_000);
      expect(await reconcileAgain(h.cluster, h.crossplane!.fnMetricsUrl, { apiVersion: 'instance.odoo.io/v1alpha1', kind: 'Instance', name, namespace: MOVED }, ['Instance'], 1)).toBeGreaterThanOrEqual(1);
    }
    for (const [kind, name] of [['Tenant', MOVED], ['Instance', 'prod'], ['Instance', 'copy']] as const) await readyOnChannel(kind, name, '');
    expect((await h.cluster.instance('prod', MOVED))?.status?.phase).toBe('Running');
    expect((await h.cluster.instance('copy', MOVED))?.status?.phase).toBe('Running');
    expect(databases()).toEqual(databasesBefore);
    expect(await jobUids(MOVED)).toEqual(jobsBefore);
    expect(await tenantState()).toEqual(before);
  });
});

describe('upgrading the package to N+1 as docs/devops.md says', () => {
  beforeAll(async () => {
    // The harness plays the package runtime: the new FunctionRevision's process is the new version's bundle.
    const started = await h.crossplane!.startOtherVersion(`${FUNCTION_PACKAGE}:${upgraded.version}`, upgraded.bundle);
    nextMetricsUrl = started.metricsUrl;
    await runBlockServingRevisions('upgrade', { REGISTRY: h.crossplane!.registry, VERSION: upgraded.version });
  }, 1_200_000);

  it('installed N+1: the Function and the Configuration of the new version are active and healthy', async () => {
    const fn = await h.cluster.get<Conditioned & { spec: { package: string }; status: { currentRevision: string } }>('pkg.crossplane.io/v1', 'Function', FUNCTION_OBJECT);
    expect(fn?.spec.package).toBe(`${FUNCTION_PACKAGE}:${upgraded.version}`);
    expect(condition(fn, 'Healthy')?.status).toBe('True');
    const revisions = (await h.cluster.objects.list('pkg.crossplane.io/v1', 'FunctionRevision')).items as unknown as { metadata: { name: string; labels: Record<string, string> }; spec: { desiredState: string; image: string } }[];
    // Of each Function one active revision: the stable one's is N+1's now (the candidate's was already).
    const active = revisions.filter((r) => r.spec.desiredState === 'Active').map((r) => `${r.metadata.labels['pkg.crossplane.io/package']} ${r.spec.image}`);
    expect(active.sort()).toEqual([`${FUNCTION_OBJECT} ${FUNCTION_PACKAGE}:${upgraded.version}`, `${CANDIDATE_FUNCTION_NAME} ${CANDIDATE_FUNCTION_PACKAGE}:${upgraded.version}`]);
    const configuration = await h.cluster.get<Conditioned & { spec: { package: string } }>('pkg.crossplane.io/v1', 'Configuration', 'odoo-crossplane-configuration-odoo');
    expect(configuration?.spec.package).toBe(`xpkg.crossplane.io/odoo-crossplane/configuration-odoo:${upgraded.version}`);
    expect(condition(configuration, 'Healthy')?.status).toBe('True');
  });

  it('the new function composes every XR of the tenant: their web Services carry what only N+1 renders', async () => {
    for (const name of INSTANCES) {
      await h.cluster.until(`the web Service of ${name} rendered by N+1`, 'v1', 'Service', `odoo-${name}`, NS, (s: { metadata: { annotations?: Record<string, string> } }) => s.metadata.annotations?.[NEXT_SERVICE_ANNOTATION] === 'true', 600_000);
    }
    const oldCallsAfterUpgrade = await functionCalls(h.crossplane!.fnMetricsUrl, ['Instance', 'Tenant', 'App']);
    // And more than once each: a change that only shows on a later call would show by now.
    for (const name of INSTANCES) {
      expect(await reconcileAgain(h.cluster, nextMetricsUrl, { apiVersion: 'instance.odoo.io/v1alpha1', kind: 'Instance', name, namespace: NS }, ['Instance'], 2)).toBeGreaterThanOrEqual(2);
    }
    expect(await reconcileAgain(h.cluster, nextMetricsUrl, { apiVersion: 'tenant.odoo.io/v1alpha1', kind: 'Tenant', name: 'acme', namespace: NS }, ['Tenant'], 1)).toBeGreaterThanOrEqual(1);
    // And N's process got none of those calls: Crossplane calls the active revision only.
    expect(await functionCalls(h.crossplane!.fnMetricsUrl, ['Instance', 'Tenant', 'App'])).toBe(oldCallsAfterUpgrade);
  }, 1_800_000);

  it('restarted the web Pods of staging, whose template N+1 changed, and no other Pod; ran no Job again, touched no database; every XR is back in its phase and Ready', async () => {
    const after = await eventually('staging’s web Pod restarted with N+1’s template, every XR Ready again', async () => {
      const state = await tenantState();
      const web = await h.cluster.apps.readNamespacedDeployment({ name: 'stage-web', namespace: NS });
      const restarted = web.spec?.template.spec?.containers[0]?.env?.some((e) => e.name === NEXT_STAGING_ENV) && state.pods['stage-web'] !== before.pods['stage-web'] && state.pods['stage-web'] !== undefined;
      return restarted && state.rolling.length === 0 && Object.values(state.xrs).every((x) => x.ready === 'True') ? state : undefined;
    }, 600_000, 2000);
    writeFileSync(join(E2E_REPORTS, 'upgrade-after.json'), JSON.stringify(after, null, 2));
    // A Job may be gone since (the function stops composing one once it served); none is new or made again.
    expect(Object.entries(after.jobs).filter(([name, uid]) => before.jobs[name] !== uid)).toEqual([]);
    expect(after.databases).toEqual(before.databases);
    // Only staging's web Pod is new; its Deployment rolled once.
    expect({ ...after.pods, 'stage-web': before.pods['stage-web'] }).toEqual(before.pods);
    expect(after.deployments).toEqual({ ...before.deployments, 'stage-web': before.deployments['stage-web']! + 1 });
    // Not prod's: its template is the same as N's (a restart would have been a production outage for nothing).
    const prodWeb = await h.cluster.apps.readNamespacedDeployment({ name: 'prod-web', namespace: NS });
    expect(prodWeb.spec?.template.spec?.containers[0]?.env?.map((e) => e.name)).not.toContain(NEXT_STAGING_ENV);
    // The nudges changed annotations only, which leave a generation as it was.
    expect(after.xrs).toEqual(before.xrs);
  });

  it('the XRD change is served with the objects stored before it, as the schema check of npm test says', async () => {
    const xrd = (root: string) => parse(readFileSync(join(root, 'apis/instance/definition.yaml'), 'utf8'));
    expect(xrdBreaks(xrd(ROOT), xrd(upgraded.root))).toEqual([]);
    const crd = await h.cluster.get<{ spec: { versions: { name: string; schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, unknown> } } } } }[] } }>(
      'apiextensions.k8s.io/v1',
      'CustomResourceDefinition',
      'instances.instance.odoo.io',
    );
    expect(Object.keys(crd!.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties)).toContain('note');
    // An object stored under N takes the new field, and one written without it is still valid.
    for (const name of INSTANCES) {
      await h.cluster.objects.patch(
        { apiVersion: 'instance.odoo.io/v1alpha1', kind: 'Instance', metadata: { name, namespace: NS, labels: { 'e2e.odoo.io/upgraded': 'yes' } } },
        undefined,
        undefined,
        'e2e',
        undefined,
        k8s.PatchStrategy.MergePatch,
      );
    }
    await h.cluster.objects.patch(
      { apiVersion: 'instance.odoo.io/v1alpha1', kind: 'Instance', metadata: { name: 'stage', namespace: NS }, spec: { note: 'upgraded under load' } } as k8s.KubernetesObject,
      undefined,
      undefined,
      'e2e',
      undefined,
      k8s.PatchStrategy.MergePatch,
    );
    expect((await h.cluster.instance('stage', NS))?.spec?.note).toBe('upgraded under load');
    writeFileSync(join(E2E_REPORTS, 'upgrade-changes.txt'), NEXT_CHANGES.map((c) => `${c.file}: ${c.what}`).join('\n') + '\n');
  });
});
