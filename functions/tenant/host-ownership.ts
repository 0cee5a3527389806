// Who may route which host names. A Tenant's instances answer on its base
// host name and on <instance>.<baseHostName>, so a base host name below
// another tenant's would claim that tenant's instances' hosts (and Gateway
// API gives a tie to the oldest route). With the App's allowedDomains, a
// base host name must sit under the tenant's own namespace label of an
// allowed domain: tenants of different namespaces can never overlap. Within
// a namespace, the Tenant that claimed a host first keeps it.
import type { App } from '../app/schema.js';
import type { ObservedObject } from '../shared/composition.js';
import { tenantMessages as m } from '../shared/messages.js';
import { createdAt, createdBefore, record } from '../shared/observed.js';
import type { Tenant } from './schema.js';

export interface HostRefusal {
  reason: 'HostNotAllowed' | 'HostTaken';
  message: string;
}

/** Whether `host` is `domain` or a name below it. */
function atOrBelow(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/** Whether one host is the other or below it: their routes would overlap. */
function overlaps(a: string, b: string): boolean {
  return atOrBelow(a, b) || atOrBelow(b, a);
}

function claimedHosts(o: ObservedObject): string[] {
  const spec = record(o.spec);
  const status = record(o.status);
  const custom = Array.isArray(spec.customDomains) ? spec.customDomains : [];
  return [spec.baseHostName, status.baseHostName, ...custom].filter((h): h is string => typeof h === 'string' && h !== '');
}

/** Why this Tenant may not route `host`, or undefined when it may. */
export function baseHostRefusal(tenant: Tenant, host: string, app: App, tenantsOfNamespace: readonly ObservedObject[]): HostRefusal | undefined {
  const namespace = tenant.metadata.namespace ?? 'default';
  const domains = app.spec.routing?.allowedDomains;
  if (domains !== undefined && domains.length > 0) {
    const own = domains.map((d) => `${namespace}.${d}`);
    if (!own.some((o) => atOrBelow(host, o))) return { reason: 'HostNotAllowed', message: m.hostNotAllowed(host, own) };
  }
  return firstClaimRefusal(tenant, host, tenantsOfNamespace);
}

/** Within a namespace, the Tenant that claimed an overlapping host first keeps it. */
function firstClaimRefusal(tenant: Tenant, host: string, tenantsOfNamespace: readonly ObservedObject[]): HostRefusal | undefined {
  const mine = { created: createdAt(tenant), name: tenant.metadata.name };
  for (const other of tenantsOfNamespace) {
    const name = record(other.metadata).name;
    if (typeof name !== 'string' || name === tenant.metadata.name) continue;
    const theirs = claimedHosts(other).find((h) => overlaps(h, host));
    if (theirs === undefined) continue;
    // The older claim wins; between two of the same age, the name decides, so both agree.
    if (createdBefore({ created: createdAt(other), name }, mine)) return { reason: 'HostTaken', message: m.hostTaken(host, theirs, name) };
  }
  return undefined;
}

/**
 * Why this Tenant may not route a custom domain, or undefined when it may.
 * A name under one of the App's domains is another tenant's host unless it is
 * under this tenant's own <namespace>.<domain>; any other must be listed for
 * the tenant's namespace by the App (spec.routing.customDomainOwners); within
 * the namespace, the older claim wins, as for base host names.
 */
export function customDomainRefusal(tenant: Tenant, host: string, app: App, tenantsOfNamespace: readonly ObservedObject[]): HostRefusal | undefined {
  const namespace = tenant.metadata.namespace ?? 'default';
  const domains = app.spec.routing?.allowedDomains ?? [];
  const platform = domains.find((d) => overlaps(host, d));
  if (platform !== undefined && !atOrBelow(host, `${namespace}.${platform}`)) {
    return { reason: 'HostNotAllowed', message: m.customDomainOfPlatform(host, platform, `${namespace}.${platform}`) };
  }
  if (overlaps(host, tenant.spec.baseHostName)) return { reason: 'HostNotAllowed', message: m.customDomainOverlapsBase(host, tenant.spec.baseHostName) };
  // Across namespaces, only the App says who owns a domain: Gateway API would give it to the oldest route.
  // A name under the tenant's own <namespace>.<domain> of the platform is its own already.
  const owned = platform !== undefined || (app.spec.routing?.customDomainOwners ?? []).some((o) => o.namespace === namespace && o.domains.some((d) => atOrBelow(host, d)));
  if (!owned) return { reason: 'HostNotAllowed', message: m.customDomainNotListed(host, app.metadata.name, namespace) };
  const refusal = firstClaimRefusal(tenant, host, tenantsOfNamespace);
  return refusal === undefined ? undefined : { reason: refusal.reason, message: m.customDomainTaken(host, refusal.message) };
}
