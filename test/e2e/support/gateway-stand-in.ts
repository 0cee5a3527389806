// A stand-in for a Gateway API implementation (no Gateway can run here):
// every HTTPRoute is accepted by its Gateway and its backends resolve, as
// the implementation's controller would write into the route's status.
// Traffic does not go through a proxy: the tests reach the Pods behind a
// route at their own addresses, taken from the route's backend Service's
// EndpointSlices (kept by Kubernetes' own controller) or named by the test.
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

type HeaderModifier = { set?: { name: string; value: string }[]; add?: { name: string; value: string }[]; remove?: string[] };

type Rule = { matches?: { path?: { type: string; value: string } }[]; filters?: { type: string; requestHeaderModifier?: HeaderModifier }[]; backendRefs?: { name: string; port?: number }[] };

/** The rule of a route a request for `path` takes: the longest matching PathPrefix, as the Gateway API specifies. */
async function ruleFor(kc: k8s.KubeConfig, namespace: string, name: string, path: string): Promise<Rule> {
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const route = (await custom.getNamespacedCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', namespace, name })) as Record<string, any>;
  const rules = (route.spec.rules ?? []) as Rule[];
  const prefix = (r: Rule) => (r.matches ?? []).map((m) => m.path?.value ?? '/').filter((p) => path.startsWith(p)).sort((a, b) => b.length - a.length)[0];
  const rule = rules.filter((r) => prefix(r) !== undefined).sort((a, b) => prefix(b)!.length - prefix(a)!.length)[0];
  if (rule === undefined) throw new Error(`HTTPRoute ${namespace}/${name} has no rule for ${path}`);
  return rule;
}

/**
 * Where a Gateway sends a request for `path` on a route now: the ready
 * endpoints of the rule's backend Service, from the EndpointSlices
 * Kubernetes' own controller keeps, as `http://address:port` (the slice's
 * port of the Service port the route names). Empty when nothing is ready.
 */
export async function routeEndpoints(kc: k8s.KubeConfig, namespace: string, name: string, path: string): Promise<{ service: string; endpoints: string[] }> {
  const backend = (await ruleFor(kc, namespace, name, path)).backendRefs?.[0];
  if (backend === undefined) throw new Error(`HTTPRoute ${namespace}/${name} has no backend for ${path}`);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const service = await core.readNamespacedService({ name: backend.name, namespace });
  const portName = service.spec?.ports?.find((p) => p.port === backend.port)?.name;
  const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
  const slices = await discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${backend.name}` });
  const endpoints = slices.items.flatMap((slice) => {
    const port = slice.ports?.find((p) => (p.name ?? '') === (portName ?? ''))?.port;
    if (port === undefined) return [];
    return (slice.endpoints ?? []).filter((e) => e.conditions?.ready === true && e.conditions.terminating !== true).flatMap((e) => e.addresses.map((a) => `http://${a}:${port}`));
  });
  return { service: backend.name, endpoints: endpoints.sort() };
}

/**
 * The data plane of the stand-in: a request as a conformant Gateway would
 * pass it on for an HTTPRoute read from the API server. It takes the rule
 * with the longest matching PathPrefix, applies its RequestHeaderModifier
 * filters, and appends the client's address to X-Forwarded-For as Envoy-based
 * Gateways do; there is no kube-proxy, so the caller names the backend's
 * address (a Pod the route's Service selects, or one of routeEndpoints).
 * `listener` headers are set last, as a Gateway listening on another
 * address than the route's host would (the sandbox's loopback port).
 */
export async function throughRoute(kc: k8s.KubeConfig, namespace: string, name: string, backend: string, path: string, client: string, init: RequestInit = {}, listener: Record<string, string> = {}): Promise<Response> {
  const rule = await ruleFor(kc, namespace, name, path);
  const headers = new Headers(init.headers);
  for (const f of rule.filters ?? []) {
    if (f.type !== 'RequestHeaderModifier' || f.requestHeaderModifier === undefined) continue;
    for (const h of f.requestHeaderModifier.set ?? []) headers.set(h.name, h.value);
    for (const h of f.requestHeaderModifier.add ?? []) headers.append(h.name, h.value);
    for (const h of f.requestHeaderModifier.remove ?? []) headers.delete(h);
  }
  for (const [k, v] of Object.entries(listener)) headers.set(k, v);
  const forwarded = headers.get('x-forwarded-for');
  headers.set('x-forwarded-for', forwarded ? `${forwarded}, ${client}` : client);
  return fetch(`${backend}${path}`, { ...init, headers, redirect: 'manual', signal: init.signal ?? AbortSignal.timeout(120_000) });
}
