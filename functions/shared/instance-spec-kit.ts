// Sizing and settings that a Tenant type spec and an Instance both may set;
// the Instance's own value wins over its tenant's type spec.
import { z } from 'zod';
import { tenantConfigLayer } from './odoo-config-schema.js';
import { dnsSubdomain, quantity, resourceRequirements } from './schema-kit.js';

/** Autoscaling of production web Pods (HorizontalPodAutoscaler). */
export const autoscaling = z
  .object({
    minReplicas: z.number().int().min(1).max(50).default(2).describe('Fewest web Pods.'),
    maxReplicas: z.number().int().min(1).max(50).describe('Most web Pods.'),
    targetCPUUtilization: z.number().int().min(10).max(100).default(70).describe('Average CPU use of web Pods, in percent of their CPU request, the HorizontalPodAutoscaler aims at.'),
  })
  .refine((a) => a.maxReplicas >= a.minReplicas, { error: 'maxReplicas must be at least minReplicas', path: ['maxReplicas'] })
  .meta({ 'x-kubernetes-validations': [{ rule: 'self.maxReplicas >= self.minReplicas', message: 'maxReplicas must be at least minReplicas' }] })
  .optional()
  .describe('Scale production web Pods on CPU with a HorizontalPodAutoscaler, instead of a fixed replicas. Needs a ReadWriteMany filestore (App spec.filestore.accessMode).');

export const sizing = {
  replicas: z.number().int().min(0).max(50).optional().describe('Web Pods. More than one needs a ReadWriteMany filestore.'),
  config: tenantConfigLayer.optional(),
  resources: z
    .object({
      web: resourceRequirements.optional().describe('Resources of each web Pod.'),
      cron: resourceRequirements.optional().describe('Resources of the cron Pod.'),
      jobs: resourceRequirements.optional().describe('Resources of lifecycle Jobs (init, copy, upgrade, …).'),
    })
    .optional()
    .describe('CPU and memory of the containers: web, cron and lifecycle Jobs.'),
  filestore: z
    .object({
      size: quantity.optional().describe('Filestore size; can grow later if the storage class allows expansion.'),
      storageClassName: dnsSubdomain.optional().describe('Storage class, one the App offers (its spec.filestore.storageClassName and allowedStorageClasses); default the App’s.'),
    })
    .optional()
    .describe('The filestore volume (/var/lib/odoo).'),
};

export const instanceSizing = z.object(sizing);
export type InstanceSizing = z.infer<typeof instanceSizing>;
