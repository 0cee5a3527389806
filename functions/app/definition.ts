// The App's XRD, generated into apis/app/definition.yaml.
import type { XrdSource } from '../shared/xrd.js';
import { appSpec, appStatus } from './schema.js';

export const appDefinition: XrdSource = {
  group: 'app.odoo.io',
  version: 'v1alpha1',
  kind: 'App',
  plural: 'apps',
  singular: 'app',
  scope: 'Cluster',
  shortNames: ['odooapp'],
  description:
    'An Odoo project, declared by the DevOps team: the PostgreSQL server, the code and its releases, base odoo.conf, image cache and routing defaults. Tenants reference it by name.',
  spec: appSpec,
  status: appStatus,
  printerColumns: [
    { name: 'DB-HOST', type: 'string', jsonPath: '.spec.database.host' },
    { name: 'IMAGE', type: 'string', jsonPath: '.spec.code.imageRepository', priority: 1 },
    { name: 'PROVIDER-CONFIG', type: 'string', jsonPath: '.status.providerConfigName', priority: 1 },
  ],
};
