// A stand-in for a Gateway API implementation (no Gateway can run here):
// every HTTPRoute is accepted by its Gateway and its backends resolve, as
// the implementation's controller would write into the route's status.
// Traffic does not go through it: the tests reach the Pods behind a route
// at their own addresses.
import * as k8s from '@kubernetes/client-node';

const MERGE = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const CONTROLLER = 'e2e.odoo.io/gateway-stand-in';
// Lists served from the API server's watch cache, as a controller's informer
// would be: a full read from storage every round would make the stand-in a
// heavy client of the API server and distort what the load test measures.
const FROM_CACHE = { resourceVersion: '0' };

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function condition(type: string, reason: string, message: string, generation: number) {
  return { type, status: 'True', reason, message, lastTransitionTime: now(), observedGeneration: generation };
}

export class GatewayStandIn {
  routesAccepted = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly custom: k8s.CustomObjectsApi;

  constructor(kc: k8s.KubeConfig) {
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
  }

  start(everyMs = 2000): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        // A conflict or a vanished route is retried on the next round, as a controller would.
        await this.round().catch(() => undefined);
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async round(): Promise<void> {
    const list = (await this.custom.listClusterCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', ...FROM_CACHE })) as { items: Record<string, any>[] };
    for (const route of list.items) {
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
      this.routesAccepted++;
    }
  }
}
