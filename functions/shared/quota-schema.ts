// Limits the platform sets on what key account managers and end users ask
// for: the App's for every tenant, a Tenant's (within the App's) for its
// instances. Values a Tenant's type spec or an Instance sets beyond them are
// refused, naming the limit. The App's own defaults are the DevOps team's
// choice and are not checked against them.
import { z } from 'zod';
import { quantity } from './schema-kit.js';

/** Seconds of a lifetime such as 72h or 1h30m. */
export function lifetimeSeconds(duration: string): number {
  const match = /^(?:([0-9]+)h)?(?:([0-9]+)m)?$/.exec(duration);
  return match === null ? 0 : Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60;
}

/** How long a testing instance lives, in hours and minutes. */
export const lifetime = z
  .string()
  .regex(/^([0-9]{1,5}h)?([0-9]{1,5}m)?$/, { error: 'must be a duration in hours and minutes such as 72h or 90m' })
  .refine((d) => lifetimeSeconds(d) > 0, { error: 'must be longer than 0, such as 72h' });

export const quotaFields = {
  maxReplicas: z.number().int().min(0).max(50).optional().describe('Most web Pods an instance may ask for.'),
  maxWorkers: z.number().int().min(0).max(64).optional().describe('Most Odoo workers (config.workers) a tenant or instance may ask for.'),
  maxFilestore: quantity.optional().describe('Largest filestore an instance may ask for, e.g. 100Gi.'),
  maxCpu: quantity.optional().describe('Most CPU a container may request or be limited to, e.g. 4.'),
  maxMemory: quantity.optional().describe('Most memory a container may request or be limited to, e.g. 8Gi.'),
  maxInitModules: z.number().int().min(0).max(2000).optional().describe('Most modules an instance may list in initModules.'),
  maxInstances: z.number().int().min(0).max(10000).optional().describe('Most instances a tenant may have, of every type; those created after the limit is reached are refused.'),
  maxTestingLifetime: lifetime
    .optional()
    .describe('Longest a testing instance may live (the Tenant’s spec.testing.lifetime, refused beyond it); testing instances whose tenant sets no lifetime live this long.'),
};

export const quotas = z
  .object(quotaFields)
  .describe('Limits on what tenants and instances may ask for. A matching namespace ResourceQuota (docs/devops.md, Tenancy and security) caps the namespace as a whole.');
export type Quotas = z.infer<typeof quotas>;
