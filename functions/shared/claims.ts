// The claims edition: Tenants and Instances are applied as namespaced claims
// and composed as cluster-scoped XRs (XTenant, XInstance) that Crossplane
// links back with spec.claimRef. The function composes such an XR exactly
// like the namespaced edition's, as if it were its claim: named and
// namespaced like the claim, so every composed object lands in the claim's
// namespace with the same names in both editions.
import type { ObservedObject } from './composition.js';
import { record } from './observed.js';

export const CLAIMS_KINDS: Readonly<Record<string, string>> = {
  'tenant.odoo.io/v1alpha1/XTenant': 'Tenant',
  'instance.odoo.io/v1alpha1/XInstance': 'Instance',
};

/** The claim the XR stands for, or a message when it has none. */
export function asClaim(xr: ObservedObject, claimKind: string): { xr: ObservedObject } | { error: string } {
  const spec = record(xr.spec);
  const claimRef = record(spec.claimRef);
  if (typeof claimRef.name !== 'string' || typeof claimRef.namespace !== 'string') {
    return {
      error: `${String(xr.kind)} "${String(record(xr.metadata).name)}" has no spec.claimRef: in the claims edition apply a ${claimKind} claim in the customer's namespace instead of an ${String(xr.kind)}`,
    };
  }
  const { claimRef: _claimRef, ...rest } = spec;
  return {
    xr: {
      ...xr,
      kind: claimKind,
      metadata: { ...record(xr.metadata), name: claimRef.name, namespace: claimRef.namespace },
      spec: rest,
    },
  };
}
