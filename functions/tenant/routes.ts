// Gateway API HTTPRoutes: the base host name and the customer's own domains
// to the primary instance, <instance>.<baseHostName> to every other instance,
// and the maintenance page for an instance whose web Pods do not answer.
// Odoo's websocket (bus, live chat) is served by the gevent port, everything
// else by HTTP.
import type { KubeObject } from '../shared/composition.js';
import { instanceNames, secondaryHost } from '../shared/instance-names.js';
import { LABEL, MANAGED_BY } from '../shared/labels.js';
import { labelOf } from '../shared/observed.js';
import { kubeName, shortHash } from '../shared/names.js';
import { MAILPIT_HTTP_PORT, MAINTENANCE_PORT, mailCatcherNames, maintenanceNames } from '../shared/tenant-names.js';
import { tenantLabels } from './labels.js';
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

/** Where a route sends requests: the instance's Odoo, or the tenant's maintenance page while its web Pods do not answer. */
export type RouteBackend = { kind: 'odoo'; instance: string } | { kind: 'maintenance' };

/**
 * Odoo applies its proxy fix (werkzeug's ProxyFix: X-Forwarded-For, -Proto and
 * -Host, one hop each) only when proxy_mode is on and the request carries
 * X-Forwarded-Host, which Gateways do not send by default. Without it Odoo
 * sees http:// and the Gateway's address: web.base.url and client IPs go
 * wrong. The route sets the host it serves and the scheme the URL in the
 * Instance's status has; the Gateway appends the client to X-Forwarded-For.
 */
export function forwardedHeaders(host: string) {
  return {
    type: 'RequestHeaderModifier' as const,
    requestHeaderModifier: {
      set: [
        { name: 'X-Forwarded-Host', value: host },
        { name: 'X-Forwarded-Proto', value: 'https' },
      ],
    },
  };
}

function parentRefs(gateway: GatewayRef) {
  return [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.name, namespace: gateway.namespace, ...(gateway.sectionName ? { sectionName: gateway.sectionName } : {}) }];
}

function route(tenant: Tenant, name: string, host: string, backend: RouteBackend, gateway: GatewayRef, labels: Record<string, string>): KubeObject {
  const timeouts = { request: tenant.spec.routing.requestTimeout };
  const filters = [forwardedHeaders(host)];
  const rules =
    backend.kind === 'maintenance'
      ? [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            filters,
            backendRefs: [{ group: '', kind: 'Service', name: maintenanceNames(tenant.metadata.name).service, port: MAINTENANCE_PORT }],
          },
        ]
      : [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/websocket' } }],
            filters,
            backendRefs: [{ group: '', kind: 'Service', name: instanceNames(backend.instance).service, port: ROUTE_PORTS.websocket }],
            timeouts,
          },
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            filters,
            backendRefs: [{ group: '', kind: 'Service', name: instanceNames(backend.instance).service, port: ROUTE_PORTS.http }],
            timeouts,
          },
        ];
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: tenant.metadata.namespace ?? 'default', labels },
    spec: {
      parentRefs: parentRefs(gateway),
      hostnames: [host],
      rules,
    },
  };
}

export function primaryRouteName(tenant: Tenant): string {
  return kubeName([tenant.metadata.name, 'primary']);
}

/** The base host name → the primary instance. The label records which instance it serves, so the next reconcile observes it. */
export function primaryRoute(tenant: Tenant, host: string, primary: string, gateway: GatewayRef, maintenance = false): KubeObject {
  return route(tenant, primaryRouteName(tenant), host, maintenance ? { kind: 'maintenance' } : { kind: 'odoo', instance: primary }, gateway, {
    ...routeLabels(tenant, primary, 'primary-route'),
    [PRIMARY_INSTANCE_LABEL]: primary,
  });
}

export function secondaryRoute(tenant: Tenant, baseHostName: string, instance: string, gateway: GatewayRef, maintenance = false): KubeObject {
  return route(
    tenant,
    kubeName([instance, 'route']),
    secondaryHost(instance, baseHostName),
    maintenance ? { kind: 'maintenance' } : { kind: 'odoo', instance },
    gateway,
    routeLabels(tenant, instance, 'secondary-route'),
  );
}

/** A customer's own host name → the primary instance, like the base host name. */
export function customDomainRoute(tenant: Tenant, host: string, primary: string, gateway: GatewayRef, maintenance = false): KubeObject {
  return route(tenant, customDomainRouteName(tenant, host), host, maintenance ? { kind: 'maintenance' } : { kind: 'odoo', instance: primary }, gateway, routeLabels(tenant, primary, 'custom-domain-route'));
}

export function customDomainRouteName(tenant: Tenant, host: string): string {
  return kubeName([tenant.metadata.name, 'domain', shortHash(host)]);
}

/** The tenant's mail catcher UI on <hostLabel>.<baseHostName>; Mailpit's basic auth protects it. */
export function mailCatcherRoute(tenant: Tenant, host: string, gateway: GatewayRef): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      name: mailCatcherNames(tenant.metadata.name).route,
      namespace: tenant.metadata.namespace ?? 'default',
      labels: tenantLabels(tenant, 'mail-catcher-route', 'mailpit'),
    },
    spec: {
      parentRefs: parentRefs(gateway),
      hostnames: [host],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ group: '', kind: 'Service', name: mailCatcherNames(tenant.metadata.name).service, port: MAILPIT_HTTP_PORT }],
        },
      ],
    },
  };
}

/** What an observed primary route serves: its host and instance. */
export function observedPrimary(route: Record<string, unknown> | undefined): { host: string; primary: string } | undefined {
  if (route === undefined) return undefined;
  const hostnames = (route.spec as { hostnames?: string[] } | undefined)?.hostnames ?? [];
  const primary = labelOf(route, PRIMARY_INSTANCE_LABEL);
  const host = hostnames[0];
  return primary !== undefined && host !== undefined ? { host, primary } : undefined;
}
