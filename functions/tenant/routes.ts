// Gateway API HTTPRoutes: the base host name to the primary instance, and
// <instance>.<baseHostName> to every other instance. Odoo's websocket
// (bus, live chat) is served by the gevent port, everything else by HTTP.
import type { KubeObject } from '../shared/composition.js';
import { instanceNames, secondaryHost } from '../shared/instance-names.js';
import { LABEL, MANAGED_BY } from '../shared/labels.js';
import { labelOf } from '../shared/observed.js';
import { kubeName } from '../shared/names.js';
import type { Tenant } from './schema.js';

export const PRIMARY_INSTANCE_LABEL = 'odoo.io/primary-instance';
export const ROUTE_PORTS = { http: 8069, websocket: 8072 } as const;

export interface GatewayRef {
  name: string;
  namespace: string;
  sectionName?: string | undefined;
}

function routeLabels(tenant: Tenant, instance: string, role: string): Record<string, string> {
  return {
    [LABEL.name]: 'odoo',
    [LABEL.component]: role,
    [LABEL.partOf]: tenant.metadata.name,
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.tenant]: tenant.metadata.name,
    [LABEL.odooInstance]: instance,
  };
}

function route(tenant: Tenant, name: string, host: string, instance: string, gateway: GatewayRef, labels: Record<string, string>): KubeObject {
  const service = instanceNames(instance).service;
  const timeouts = { request: tenant.spec.routing.requestTimeout };
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: tenant.metadata.namespace ?? 'default', labels },
    spec: {
      parentRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: gateway.name,
          namespace: gateway.namespace,
          ...(gateway.sectionName ? { sectionName: gateway.sectionName } : {}),
        },
      ],
      hostnames: [host],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/websocket' } }],
          backendRefs: [{ group: '', kind: 'Service', name: service, port: ROUTE_PORTS.websocket }],
          timeouts,
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ group: '', kind: 'Service', name: service, port: ROUTE_PORTS.http }],
          timeouts,
        },
      ],
    },
  };
}

export function primaryRouteName(tenant: Tenant): string {
  return kubeName([tenant.metadata.name, 'primary']);
}

/** The base host name → the primary instance. The label records which instance it serves, so the next reconcile observes it. */
export function primaryRoute(tenant: Tenant, host: string, primary: string, gateway: GatewayRef): KubeObject {
  return route(tenant, primaryRouteName(tenant), host, primary, gateway, {
    ...routeLabels(tenant, primary, 'primary-route'),
    [PRIMARY_INSTANCE_LABEL]: primary,
  });
}

export function secondaryRoute(tenant: Tenant, baseHostName: string, instance: string, gateway: GatewayRef): KubeObject {
  return route(
    tenant,
    kubeName([instance, 'route']),
    secondaryHost(instance, baseHostName),
    instance,
    gateway,
    routeLabels(tenant, instance, 'secondary-route'),
  );
}

/** What an observed primary route serves: its host and instance. */
export function observedPrimary(route: Record<string, unknown> | undefined): { host: string; primary: string } | undefined {
  if (route === undefined) return undefined;
  const hostnames = (route.spec as { hostnames?: string[] } | undefined)?.hostnames ?? [];
  const primary = labelOf(route, PRIMARY_INSTANCE_LABEL);
  const host = hostnames[0];
  return primary !== undefined && host !== undefined ? { host, primary } : undefined;
}
