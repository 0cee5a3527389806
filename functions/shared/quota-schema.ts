// Limits the platform sets on what key account managers and end users ask
// for: the App's for every tenant, a Tenant's (within the App's) for its
// instances. Values a Tenant's type spec or an Instance sets beyond them are
// refused, naming the limit. The App's own defaults are the DevOps team's
// choice and are not checked against them.
import { z } from 'zod';
import { quantity } from './schema-kit.js';

export const quotaFields = {
  maxReplicas: z.number().int().min(0).max(50).optional().describe('Most web Pods an instance may ask for.'),
  maxWorkers: z.number().int().min(0).max(64).optional().describe('Most Odoo workers (config.workers) a tenant or instance may ask for.'),
  maxFilestore: quantity.optional().describe('Largest filestore an instance may ask for, e.g. 100Gi.'),
  maxCpu: quantity.optional().describe('Most CPU a container may request or be limited to, e.g. 4.'),
  maxMemory: quantity.optional().describe('Most memory a container may request or be limited to, e.g. 8Gi.'),
  maxInitModules: z.number().int().min(0).max(2000).optional().describe('Most modules an instance may list in initModules.'),
};

export const quotas = z
  .object(quotaFields)
  .describe('Limits on what tenants and instances may ask for. A matching namespace ResourceQuota (docs/devops.md, Tenancy and security) caps the namespace as a whole.');
export type Quotas = z.infer<typeof quotas>;
