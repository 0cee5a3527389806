// Building blocks shared by the XR schemas. Every schema is zod: it gives the
// TypeScript type, the runtime validation and (through scripts/generate-apis)
// the XRD's openAPIV3Schema.
import { z } from 'zod';

/** A DNS-1123 label: the name of a Kubernetes object that may become a host label. */
export const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    error: 'must be a lowercase DNS label: a-z, 0-9 and "-", starting and ending with a letter or digit',
  });

/** A DNS-1123 subdomain: the name of most Kubernetes objects. */
export const dnsSubdomain = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    error: 'must be a lowercase DNS name: a-z, 0-9, "-" and ".", starting and ending with a letter or digit',
  });

/** An image reference: registry/repository[:tag][@sha256:digest]. */
export const imageReference = z
  .string()
  .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/, {
    error: 'must be an image reference such as registry.example.com/acme/odoo:1.4.0',
  });

/** A Kubernetes quantity such as 10Gi or 500m. */
export const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, {
    error: 'must be a Kubernetes quantity such as 512Mi, 10Gi or 500m',
  });

/** An Odoo --test-tags value: which tests a testing instance runs. */
export const odooTestTags = z
  .string()
  .regex(/^[A-Za-z0-9_.,:/*+-]*$/, { error: 'must be an Odoo --test-tags value such as /sale,-/sale:TestSlow' });

/** Odoo's languages to load into a new database, by their res.lang code (fr_FR, es_419, sr@latin). */
export const odooLanguages = z
  .array(z.string().regex(/^[a-z]{2,3}(_[A-Z]{2}|_[0-9]{3})?(@[A-Za-z]+)?$/, { error: 'must be an Odoo language code such as fr_FR, es_419 or sr@latin' }))
  .max(16)
  .refine((codes) => new Set(codes).size === codes.length, { error: 'lists a language twice' })
  .meta({ 'x-kubernetes-list-type': 'set' });

/** A reference to a Secret in a given namespace. */
export const namespacedSecretRef = z.object({
  name: dnsSubdomain.describe('Name of the Secret.'),
  namespace: dnsLabel.describe('Namespace of the Secret.'),
});

const cpuAndMemory = z.object({
  cpu: quantity.optional().describe('CPU, e.g. 500m.'),
  memory: quantity.optional().describe('Memory, e.g. 1Gi.'),
});

/** CPU and memory requests and limits of a container. */
export const resourceRequirements = z.object({
  requests: cpuAndMemory
    .optional()
    .describe('Resources reserved for the container.'),
  limits: cpuAndMemory
    .optional()
    .describe('Most the container may use; memory over the limit gets it killed.'),
});

/** A condition as Crossplane and Kubernetes write it into status. */
export const statusCondition = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
  observedGeneration: z.number().int().optional(),
});

/** Object metadata as our composers read it: only what they need. */
export const objectMeta = z.looseObject({
  name: z.string().min(1, { error: 'is required: every composite resource has a name' }),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/**
 * The envelope of an observed composite resource: apiVersion, kind and
 * metadata checked loosely, spec by the XR's own schema. Status is what we
 * wrote before (plus Crossplane's conditions); composers read it leniently
 * because an old or hand-edited status must never stop a reconcile.
 */
export function compositeResource<Spec extends z.ZodType>(apiVersion: string, kind: string, spec: Spec) {
  return z.object({
    apiVersion: z.literal(apiVersion),
    kind: z.literal(kind),
    metadata: objectMeta,
    spec,
    status: z.record(z.string(), z.unknown()).optional(),
  });
}
