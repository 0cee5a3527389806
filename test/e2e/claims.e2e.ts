// The claims edition, installed with the claims block of docs/devops.md: a tenant's
// user applies Tenant and Instance claims (the same YAML as the namespaced
// edition); Crossplane backs them with cluster-scoped XTenant and XInstance,
// which function-odoo composes as the claims they stand for. What the claim
// owner sees, on the claim itself: the lifecycle conditions and one event per
// transition, while real Odoo initializes and serves.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects } from './support/apply.js';
import { startHarness, type Harness } from './support/harness.js';
import { app, appPrerequisites, backupCredentials, instance, tenant, tenantNamespace } from './support/objects.js';
import { get } from './support/odoo-rpc.js';
import { eventually } from './support/processes.js';
import { functionEventsTold, RECONCILES_TIMEOUT, reconcileAgain, toldMessage } from './support/reconciles.js';

let h: Harness;

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
});
