// Labels of what a Tenant composes besides its routes. The tenant label puts
// its Pods under the tenant's NetworkPolicy.
import { LABEL, MANAGED_BY } from '../shared/labels.js';
import type { Tenant } from './schema.js';

export function tenantLabels(tenant: Tenant, component: string, name = 'odoo'): Record<string, string> {
  return {
    [LABEL.name]: name,
    [LABEL.component]: component,
    [LABEL.partOf]: tenant.metadata.name,
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.tenant]: tenant.metadata.name,
  };
}
