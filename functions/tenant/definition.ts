// The Tenant's XRD, generated into apis/tenant/definition.yaml.
import type { XrdSource } from '../shared/xrd.js';
import { tenantSpec, tenantStatus } from './schema.js';

export const tenantDefinition: XrdSource = {
  group: 'tenant.odoo.io',
  version: 'v1alpha1',
  kind: 'Tenant',
  plural: 'tenants',
  singular: 'tenant',
  scope: 'Namespaced',
  shortNames: ['odootenant'],
  description:
    'A customer of the Odoo service, declared by its key account manager: the App it runs, its host name, which instance is primary, and what its staging, migration and testing instances get.',
  spec: tenantSpec,
  status: tenantStatus,
  printerColumns: [
    { name: 'HOST', type: 'string', jsonPath: '.status.baseHostName' },
    { name: 'PRIMARY', type: 'string', jsonPath: '.status.primaryInstance' },
    { name: 'TRANSITIONING', type: 'boolean', jsonPath: '.status.hasTransitioningInstance' },
    { name: 'APP', type: 'string', jsonPath: '.spec.appRef.name', priority: 1 },
  ],
};
