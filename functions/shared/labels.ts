// Labels every composed object carries: the recommended app.kubernetes.io
// set, plus ours to find an XR's objects by App, Tenant and Instance.
export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  app: 'odoo.io/app',
  tenant: 'odoo.io/tenant',
  odooInstance: 'odoo.io/instance',
  /** The instance's spec.type when the object was composed: how a later change of type is noticed. */
  instanceType: 'odoo.io/instance-type',
  /** "true" on a filestore claim or Database object the App's deletion-protection policy guards. */
  deletionProtection: 'odoo.io/deletion-protection',
} as const;

export const MANAGED_BY = 'function-odoo';

/** The labels of an object composed for the App `app`, playing `component`. */
export function appLabels(app: string, component: string): Record<string, string> {
  return {
    [LABEL.name]: 'odoo',
    [LABEL.component]: component,
    [LABEL.partOf]: app,
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.app]: app,
  };
}
