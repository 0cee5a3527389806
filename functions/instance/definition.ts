// The Instance's XRD, generated into apis/instance/definition.yaml.
import type { XrdSource } from '../shared/xrd.js';
import { instanceSpec, instanceStatus } from './schema.js';

export const instanceDefinition: XrdSource = {
  group: 'instance.odoo.io',
  version: 'v1alpha1',
  kind: 'Instance',
  plural: 'instances',
  singular: 'instance',
  scope: 'Namespaced',
  shortNames: ['odoo'],
  description:
    'One Odoo database with its code, declared by the end user: a production instance, a staging copy, a migration to a newer series, or a testing instance.',
  spec: instanceSpec,
  status: instanceStatus,
  printerColumns: [
    { name: 'TYPE', type: 'string', jsonPath: '.spec.type' },
    { name: 'RELEASE', type: 'string', jsonPath: '.spec.release' },
    { name: 'RUNNING', type: 'string', jsonPath: '.status.runningRelease' },
    { name: 'PHASE', type: 'string', jsonPath: '.status.phase' },
    { name: 'URL', type: 'string', jsonPath: '.status.url', priority: 1 },
    { name: 'DATABASE', type: 'string', jsonPath: '.status.databaseName', priority: 1 },
  ],
};
