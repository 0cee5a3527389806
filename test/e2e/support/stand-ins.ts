// The controllers this control plane does not run, played by the test for
// the namespaces it is given: the kubelet and Job controller (every Job runs
// to completion), the Deployment and DaemonSet controllers with a kubelet
// (every wanted Pod is available, on one node), the persistent volume
// controller (every claim is Bound) and a Gateway controller (every
// HTTPRoute is accepted by its Gateway and its backends resolve). Nothing
// runs: only the status those controllers would write is written.
import * as k8s from '@kubernetes/client-node';
import { jobState } from '../../../functions/instance/jobs/odoo-job.js';
import { finishedJobStatus } from './cluster.js';

const MERGE = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const CONTROLLER = 'e2e.odoo.io/gateway-stand-in';
// Lists served from the API server's watch cache, as a controller's informer
// would be: a full read from storage every round would make the stand-ins the
// API server's heaviest client and distort what the load test measures.
const FROM_CACHE = { resourceVersion: '0' };

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function condition(type: string, reason: string, message: string, generation?: number) {
  return { type, status: 'True', reason, message, lastTransitionTime: now(), ...(generation !== undefined ? { observedGeneration: generation } : {}) };
}

export interface StandInCounts {
  jobsCompleted: number;
  deploymentsAvailable: number;
  daemonSetsAvailable: number;
  claimsBound: number;
  routesAccepted: number;
}

export class StandInControllers {
  readonly counts: StandInCounts = { jobsCompleted: 0, deploymentsAvailable: 0, daemonSetsAvailable: 0, claimsBound: 0, routesAccepted: 0 };
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly batch: k8s.BatchV1Api;
  private readonly apps: k8s.AppsV1Api;
  private readonly core: k8s.CoreV1Api;
  private readonly custom: k8s.CustomObjectsApi;

  constructor(kc: k8s.KubeConfig, private readonly inScope: (namespace: string) => boolean) {
    this.batch = kc.makeApiClient(k8s.BatchV1Api);
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
  }

  start(everyMs = 2000): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        // A conflict or a vanished object is retried on the next round, as a controller would.
        await this.round().catch(() => undefined);
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private mine<T extends { metadata?: k8s.V1ObjectMeta }>(items: T[]): T[] {
    return items.filter((o) => this.inScope(o.metadata?.namespace ?? ''));
  }

  async round(): Promise<void> {
    await Promise.all([this.jobs(), this.deployments(), this.daemonSets(), this.claims(), this.routes()]);
  }

  private async jobs(): Promise<void> {
    for (const job of this.mine((await this.batch.listJobForAllNamespaces(FROM_CACHE)).items)) {
      if (jobState(job as Record<string, unknown>) !== 'running') continue;
      await this.batch.patchNamespacedJobStatus({ name: job.metadata!.name!, namespace: job.metadata!.namespace!, body: { status: finishedJobStatus('Complete') } }, MERGE);
      this.counts.jobsCompleted++;
    }
  }

  private async deployments(): Promise<void> {
    for (const d of this.mine((await this.apps.listDeploymentForAllNamespaces(FROM_CACHE)).items)) {
      const want = d.spec?.replicas ?? 1;
      const s = d.status;
      if (s?.observedGeneration === d.metadata?.generation && s?.availableReplicas === want && (s?.replicas ?? 0) === want) continue;
      const status = { observedGeneration: d.metadata!.generation, replicas: want, updatedReplicas: want, readyReplicas: want, availableReplicas: want };
      await this.apps.patchNamespacedDeploymentStatus({ name: d.metadata!.name!, namespace: d.metadata!.namespace!, body: { status } }, MERGE);
      this.counts.deploymentsAvailable++;
    }
  }

  private async daemonSets(): Promise<void> {
    for (const d of this.mine((await this.apps.listDaemonSetForAllNamespaces(FROM_CACHE)).items)) {
      if (d.status?.observedGeneration === d.metadata?.generation && d.status?.numberAvailable === 1) continue;
      const one = { currentNumberScheduled: 1, desiredNumberScheduled: 1, numberMisscheduled: 0, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1 };
      await this.apps.patchNamespacedDaemonSetStatus({ name: d.metadata!.name!, namespace: d.metadata!.namespace!, body: { status: { observedGeneration: d.metadata!.generation, ...one } } }, MERGE);
      this.counts.daemonSetsAvailable++;
    }
  }

  private async claims(): Promise<void> {
    for (const c of this.mine((await this.core.listPersistentVolumeClaimForAllNamespaces(FROM_CACHE)).items)) {
      if (c.status?.phase === 'Bound') continue;
      const status = { phase: 'Bound', accessModes: c.spec?.accessModes, capacity: c.spec?.resources?.requests };
      await this.core.patchNamespacedPersistentVolumeClaimStatus({ name: c.metadata!.name!, namespace: c.metadata!.namespace!, body: { status } }, MERGE);
      this.counts.claimsBound++;
    }
  }

  private async routes(): Promise<void> {
    const list = (await this.custom.listClusterCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', ...FROM_CACHE })) as { items: Record<string, any>[] };
    for (const route of this.mine(list.items)) {
      const generation = route.metadata.generation as number;
      const parents = (route.spec.parentRefs ?? []) as Record<string, unknown>[];
      const current = (route.status?.parents ?? []) as { conditions?: { observedGeneration?: number }[] }[];
      if (current.length === parents.length && current.every((p) => p.conditions?.every((c) => c.observedGeneration === generation))) continue;
      const status = {
        parents: parents.map((parentRef) => ({
          parentRef,
          controllerName: CONTROLLER,
          conditions: [condition('Accepted', 'Accepted', 'Route is accepted', generation), condition('ResolvedRefs', 'ResolvedRefs', 'All references resolved', generation)],
        })),
      };
      await this.custom.patchNamespacedCustomObjectStatus({ group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', namespace: route.metadata.namespace, name: route.metadata.name, body: { status } }, MERGE);
      this.counts.routesAccepted++;
    }
  }
}
