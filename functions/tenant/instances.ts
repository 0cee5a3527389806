// The tenant's Instances as the Tenant sees them: required resources read
// leniently, since one broken Instance must not stop the routes of the others.
import type { ObservedObject } from '../shared/composition.js';
import { record } from '../shared/observed.js';

export interface TenantInstance {
  name: string;
  type: string;
  phase: string;
  transitioning: boolean;
  /** Whether its web Pods answer (status.serving); an Instance that has not said so yet counts as serving. */
  serving: boolean;
  /** A migration instance's status.cutOverFrom: the primary whose data it took over at a cut-over. */
  cutOverFrom: string | undefined;
  /** With it, status.cutOverToken: which promotion's cut-over that was. */
  cutOverToken: number | undefined;
}

/** Instances whose spec.tenantRef names this tenant, sorted by name. */
export function tenantInstances(tenant: string, observed: readonly ObservedObject[]): TenantInstance[] {
  const out: TenantInstance[] = [];
  for (const object of observed) {
    const name = record(object.metadata).name;
    const spec = record(object.spec);
    const status = record(object.status);
    if (typeof name !== 'string' || record(spec.tenantRef).name !== tenant) continue;
    out.push({
      name,
      type: typeof spec.type === 'string' ? spec.type : 'production',
      phase: typeof status.phase === 'string' ? status.phase : 'Pending',
      transitioning: status.transitioning === true,
      serving: status.serving !== false,
      cutOverFrom: typeof status.cutOverFrom === 'string' ? status.cutOverFrom : undefined,
      cutOverToken: typeof status.cutOverToken === 'number' ? status.cutOverToken : undefined,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
