// Which Gateway a tenant's routes attach to. The Gateway decides who reaches
// the tenant (an internal Gateway, another customer's dedicated one), its
// namespace is where the tenant's NetworkPolicy lets traffic in from, and
// its Pods may read the tenant's certificates: the App's choice. A Tenant
// picks only among the App's gatewayRef and spec.routing.allowedGateways;
// another one is ignored, with a warning, for the App's.
import type { App } from '../app/schema.js';
import { tenantMessages as m } from '../shared/messages.js';
import type { Tenant } from './schema.js';

export interface GatewayRef {
  name: string;
  namespace: string;
  sectionName?: string | undefined;
}

/** The Gateway the tenant's routes attach to, and the warning when the Tenant asked for one the App does not offer. */
export function tenantGateway(tenant: Tenant, app: App): { gateway: GatewayRef | undefined; warning?: string } {
  const own = app.spec.routing?.gatewayRef;
  const asked = tenant.spec.routing.gatewayRef;
  if (asked === undefined) return { gateway: own };
  const offered = [...(own ? [own] : []), ...(app.spec.routing?.allowedGateways ?? [])];
  const allowed = offered.some((g) => g.name === asked.name && g.namespace === asked.namespace && (g.sectionName === undefined || g.sectionName === asked.sectionName));
  if (allowed) return { gateway: asked };
  return { gateway: own, warning: m.gatewayNotOffered(`${asked.namespace}/${asked.name}${asked.sectionName ? `/${asked.sectionName}` : ''}`, app.metadata.name, own ? `${own.namespace}/${own.name}` : undefined) };
}
