// Sizing and settings that a Tenant type spec and an Instance both may set;
// the Instance's own value wins over its tenant's type spec.
import { z } from 'zod';
import { tenantConfigLayer } from './odoo-config-schema.js';
import { dnsSubdomain, quantity, resourceRequirements } from './schema-kit.js';

export const sizing = {
  replicas: z.number().int().min(0).max(50).optional().describe('Web Pods. More than one needs a ReadWriteMany filestore.'),
  config: tenantConfigLayer.optional(),
  resources: z
    .object({
      web: resourceRequirements.optional().describe('Resources of each web Pod.'),
      cron: resourceRequirements.optional().describe('Resources of the cron Pod.'),
      jobs: resourceRequirements.optional().describe('Resources of lifecycle Jobs (init, copy, upgrade, …).'),
    })
    .optional(),
  filestore: z
    .object({
      size: quantity.optional().describe('Filestore size; can grow later if the storage class allows expansion.'),
      storageClassName: dnsSubdomain.optional().describe('Storage class; default the App’s.'),
    })
    .optional(),
};

export const instanceSizing = z.object(sizing);
export type InstanceSizing = z.infer<typeof instanceSizing>;
