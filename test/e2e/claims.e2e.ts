// The claims edition, installed with the claims block of docs/devops.md: a tenant's
// user applies Tenant and Instance claims (the same YAML as the namespaced
// edition); Crossplane backs them with cluster-scoped XTenant and XInstance,
// which function-odoo composes as the claims they stand for. What the claim
// owner sees, on the claim itself: the lifecycle conditions and one event per
// transition, while real Odoo initializes and serves. What the hoster sees:
// kube-state-metrics with monitoring/ exports the claims, and a failed backup
// fires the alert.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects } from './support/apply.js';
import { E2E_DIR, need, startHarness, type Harness } from './support/harness.js';
import { rulesOnScrape, seriesOf, startKubeStateMetrics, withLabels, type ExpectedAlert, type StateMetrics } from './support/kube-state-metrics.js';
import { ALERT_RULES } from '../../scripts/monitoring/alerts.js';
import { samples } from './support/prometheus.js';
import { app, appPrerequisites, backupCredentials, instance, tenant, tenantNamespace } from './support/objects.js';
import { get } from './support/odoo-rpc.js';
import { eventually } from './support/processes.js';
import { functionEventsTold, RECONCILES_TIMEOUT, reconcileAgain, toldMessage } from './support/reconciles.js';

let h: Harness;
let stateMetrics: Promise<StateMetrics> | undefined;
/** kube-state-metrics, started by the first test that needs it. */
const kubeStateMetrics = () => (stateMetrics ??= startKubeStateMetrics(need('E2E_KUBE_STATE_METRICS'), h.plane.kc, h.processes, E2E_DIR));

beforeAll(async () => {
  h = await startHarness({ withCrossplane: true, edition: 'install-claims' });
}, 900_000);

afterAll(async () => {
  await h?.stop();
});

type Claim = { spec?: { resourceRef?: { name: string } }; status?: { phase?: string; conditions?: { type: string; status: string; reason: string; message?: string }[] } };

describe('claims edition', () => {
  it('installed configuration-odoo-claims with function-odoo under the name its Compositions use', async () => {
    const configuration = await h.cluster.get<{ status?: { conditions?: { type: string; status: string }[] } }>('pkg.crossplane.io/v1', 'Configuration', 'odoo-crossplane-configuration-odoo-claims');
    expect(configuration?.status?.conditions?.find((c) => c.type === 'Healthy')?.status).toBe('True');
    const composition = await h.cluster.get<{ spec: { pipeline: { functionRef: { name: string } }[] } }>('apiextensions.crossplane.io/v1', 'Composition', 'xinstances.instance.odoo.io');
    expect(composition?.spec.pipeline[0]!.functionRef.name).toBe('odoo-crossplane-function-odoo');
  });

  it('a production Instance claim on real Odoo 17.0 shows its owner Lifecycle, DatabaseReady and BackupReady, and reaches Running', async () => {
    await applyObjects(h.plane.kc, [...appPrerequisites(h.pg), app('acme', h.pg, h.s3), tenantNamespace('acme')]);
    await applyObjects(h.plane.kc, [backupCredentials('acme', h.s3), tenant('acme', 'acme', { primaryInstance: 'prod' }), instance('prod', 'acme', { release: '1.4.1', type: 'production', initModules: ['contacts'] })]);
    const claim = await eventually(
      'the Instance claim acme/prod to be Running',
      async () => {
        const c = await h.cluster.get<Claim>('instance.odoo.io/v1alpha1', 'Instance', 'prod', 'acme');
        const lifecycle = c?.status?.conditions?.find((x) => x.type === 'Lifecycle');
        if (lifecycle?.reason?.endsWith('Failed')) throw new Error(`the claim says ${JSON.stringify(lifecycle)}`);
        return lifecycle?.status === 'True' && lifecycle.reason === 'Running' ? c : undefined;
      },
      900_000,
      2000,
    );
    const types = claim.status!.conditions!.map((c) => c.type);
    expect(types).toEqual(expect.arrayContaining(['Lifecycle', 'DatabaseReady', 'BackupReady', 'Synced', 'Ready']));
    // The composite it stands for is cluster-scoped.
    const xr = await h.cluster.get<Claim>('instance.odoo.io/v1alpha1', 'XInstance', claim.spec!.resourceRef!.name);
    expect(xr?.status?.phase).toBe('Running');
    const pods = await eventually('a Ready web Pod', async () => {
      const found = await h.cluster.servingPods('prod', 'acme', '1.4.1');
      return found.length > 0 ? found : undefined;
    }, 300_000, 1000);
    expect((await get(`http://${pods[0]}:8069`, '/web/health')).status).toBe(200);
  });

  it('kube-state-metrics, with the configuration and ClusterRole we ship, exports the claims: the Instance’s phase, serving and type, the Tenant’s lock', async () => {
    const ksm = await kubeStateMetrics();
    const prod = { namespace: 'acme', odoo_instance: 'prod' };
    // The Tenant looks at its instances again within a minute of one settling: then it unlocks.
    const body = await eventually('the claim acme/prod exported as serving, its tenant unlocked', async () => {
      const b = await ksm.scrape();
      return value(b, 'odoo_instance_serving', prod) === 1 && value(b, 'odoo_tenant_locked', { namespace: 'acme', tenant: 'acme' }) === 0 ? b : undefined;
    }, 150_000, 1000);
    expect(value(body, 'odoo_instance_phase', { ...prod, phase: 'Running' })).toBe(1);
    expect(samples(body, 'odoo_instance_phase').filter((s) => s.labels.odoo_instance === 'prod' && s.value === 1)).toHaveLength(1);
    expect(value(body, 'odoo_instance_info', { ...prod, type: 'production', tenant: 'acme', release: '1.4.1', running_release: '1.4.1' })).toBe(1);
    expect(value(body, 'odoo_instance_transitioning', prod)).toBe(0);
    expect(value(body, 'odoo_instance_condition', { ...prod, condition: 'Lifecycle', reason: 'Running' })).toBe(1);
    expect(value(body, 'odoo_tenant_locked', { namespace: 'acme', tenant: 'acme' })).toBe(0);
    expect(value(body, 'odoo_tenant_info', { namespace: 'acme', tenant: 'acme', primary_instance: 'prod' })).toBe(1);
  });

  it('the claim carries the Instance’s transitions as events: a transition is told when it happens, never again on later reconciles', async () => {
    const lifecycleEvents = async () =>
      (await h.cluster.core.listNamespacedEvent({ namespace: 'acme', fieldSelector: 'involvedObject.kind=Instance,involvedObject.name=prod' })).items.filter((e) =>
        toldMessage(e).startsWith('Lifecycle '),
      );
    const claim = { apiVersion: 'instance.odoo.io/v1alpha1', kind: 'Instance', name: 'prod', namespace: 'acme' };
    // A call that read the XR after Running was written settles any call
    // still working from an older copy of it.
    await reconcileAgain(h.cluster, h.crossplane!.fnMetricsUrl, claim, ['XInstance'], 1);
    const events = await lifecycleEvents();
    expect(events.map((e) => e.reason)).toEqual(expect.arrayContaining(['Initializing', 'Starting', 'Running']));
    // One Event object per transition. Crossplane records a call's events
    // before it writes the XR's status, and retries silently when that write
    // loses a race with the claim controller's write of the same XR (seen:
    // four calls within a second all read "was Starting"): the API server
    // counts such repeats on the same Event, as many as the machine's speed
    // allows. What holds on any machine: each transition is one Event, and
    // reconciled again and again once Running (each claim change makes
    // Crossplane call the function, counted by its metrics), nothing is told
    // again.
    const messages = events.map((e) => e.message);
    expect(new Set(messages).size).toBe(messages.length);
    const counts = (list: k8s.CoreV1Event[]) => Object.fromEntries(list.map((e) => [e.metadata.name, e.count ?? 1]));
    const before = counts(events);
    // The function's own count too: Kubernetes' event recorder drops an object's events past a burst.
    const told = await functionEventsTold(h.crossplane!.fnMetricsUrl, ['XInstance']);
    expect(await reconcileAgain(h.cluster, h.crossplane!.fnMetricsUrl, claim, ['XInstance'], 2)).toBeGreaterThanOrEqual(2);
    expect(await functionEventsTold(h.crossplane!.fnMetricsUrl, ['XInstance'])).toBe(told);
    expect(counts(await lifecycleEvents())).toEqual(before);
  }, RECONCILES_TIMEOUT);

  it('the Tenant claim shows its owner RoutingReady', async () => {
    const t = await h.cluster.until<Claim>('the Tenant claim routed', 'tenant.odoo.io/v1alpha1', 'Tenant', 'acme', 'acme', (c) => c.status?.conditions?.some((x) => x.type === 'RoutingReady' && x.status === 'True') === true);
    expect(t.status!.conditions!.map((c) => c.type)).toEqual(expect.arrayContaining(['RoutingReady', 'Locked']));
  });

  it('a backup of the CronJob that fails (the tenant’s S3 key revoked) turns BackupReady False and the OdooBackupFailed alert fires on what kube-state-metrics exported (promtool, the rules we ship); once the key works the backup succeeds, its time is exported, and the alert has nothing to fire on', async () => {
    const ksm = await kubeStateMetrics();
    const prod = { namespace: 'acme', odoo_instance: 'prod' };
    // The key in the tenant's namespace stops working (rotated on the server, not in the Secret), and the night's backup runs.
    const key = h.s3.keyOf('acme');
    await applyObjects(h.plane.kc, [{ ...backupCredentials('acme', h.s3), stringData: { AWS_ACCESS_KEY_ID: key.accessKey, AWS_SECRET_ACCESS_KEY: 'revoked' } } as k8s.KubernetesObject]);
    await backupNow('prod', 'acme', 'failing');
    const claimNow = () => h.cluster.get<Claim & { status?: { backup?: { lastSuccessful?: { time: string } } } }>('instance.odoo.io/v1alpha1', 'Instance', 'prod', 'acme');
    const backupReady = (c: Claim | undefined) => c?.status?.conditions?.find((x) => x.type === 'BackupReady');
    await eventually('BackupReady False (BackupFailed) on the claim', async () => (backupReady(await claimNow())?.reason === 'BackupFailed' ? true : undefined), 300_000, 2000);
    let body = await eventually('kube-state-metrics exports the failed backup', async () => {
      const b = await ksm.scrape();
      return value(b, 'odoo_instance_condition', { ...prod, condition: 'BackupReady', reason: 'BackupFailed' }) === 0 ? b : undefined;
    }, 60_000, 1000);
    const rule = ALERT_RULES.find((r) => r.alert === 'OdooBackupFailed')!;
    // An alert carries its series' labels (kube-state-metrics adds customresource_group, _kind and _version) and its rule's.
    const series = samples(body, 'odoo_instance_condition').find((x) => x.labels.odoo_instance === 'prod' && x.labels.reason === 'BackupFailed')!;
    const labels = { ...series.labels, alertname: rule.alert, ...rule.labels };
    const firing = { labels, annotations: { summary: withLabels(rule.annotations.summary, labels), description: withLabels(rule.annotations.description, labels) } };
    // Held for a quarter of an hour (the rule's `for` is 10 minutes), what it exported fires the alert.
    // Every other alert stays quiet on the same series.
    const quiet = Object.fromEntries(ALERT_RULES.map((r) => [r.alert, [] as ExpectedAlert[]]));
    await rulesOnScrape(need('PROMTOOL'), E2E_DIR, seriesOf(body, ['odoo_', 'kube_job_']), 15, { ...quiet, [rule.alert]: [firing] });

    await applyObjects(h.plane.kc, [backupCredentials('acme', h.s3)]);
    await backupNow('prod', 'acme', 'good');
    const done = await eventually('the backup to succeed', async () => {
      const c = await claimNow();
      return backupReady(c)?.status === 'True' ? c!.status!.backup!.lastSuccessful!.time : undefined;
    }, 300_000, 2000);
    body = await eventually('kube-state-metrics exports the good backup', async () => {
      const b = await ksm.scrape();
      return value(b, 'odoo_instance_backup_last_successful_timestamp_seconds', prod) === Date.parse(done) / 1000 ? b : undefined;
    }, 60_000, 1000);
    expect(value(body, 'odoo_instance_condition', { ...prod, condition: 'BackupReady', reason: 'Available' })).toBe(1);
    await rulesOnScrape(need('PROMTOOL'), E2E_DIR, seriesOf(body, ['odoo_', 'kube_job_']), 15, quiet);
  }, 720_000);
});

/** What `kubectl create job --from=cronjob/<instance>-backup` does: a Job of the backup CronJob's template, run now. */
async function backupNow(instanceName: string, namespace: string, suffix: string): Promise<void> {
  const cronJob = await h.cluster.batch.readNamespacedCronJob({ name: `${instanceName}-backup`, namespace });
  const template = cronJob.spec!.jobTemplate;
  await h.cluster.batch.createNamespacedJob({
    namespace,
    body: {
      metadata: {
        name: `${instanceName}-backup-${suffix}`,
        labels: template.metadata?.labels ?? {},
        annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata!.name!, uid: cronJob.metadata!.uid!, controller: true }],
      },
      spec: template.spec!,
    },
  });
}

const value = (body: string, metric: string, labels: Record<string, string>) => samples(body, metric).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
