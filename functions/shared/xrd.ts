// Renders a CompositeResourceDefinition from an XR's zod schemas. The XRDs in
// apis/ are written by scripts/generate-apis from these objects and a test
// fails when they are stale: the schema has exactly one source.
import { z } from 'zod';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface XrdSource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  scope: 'Cluster' | 'Namespaced';
  shortNames?: string[];
  description: string;
  spec: z.ZodType;
  status: z.ZodType;
  printerColumns: PrinterColumn[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const JS_SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

/**
 * Makes zod's OpenAPI 3.0 output a Kubernetes structural schema: no $schema,
 * no additionalProperties: false (the API server prunes unknown fields
 * instead), no propertyNames, and no JavaScript-only integer bounds.
 */
export function structural(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(structural);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema' || key === 'propertyNames') continue;
    if (key === 'additionalProperties' && value === false) continue;
    if ((key === 'maximum' || key === 'minimum') && typeof value === 'number' && JS_SAFE_INTEGER_BOUNDS.has(value)) continue;
    out[key] = key === 'properties' && value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structural(v)]))
      : structural(value);
  }
  return out;
}

export function openApiSchema(schema: z.ZodType): Json {
  return structural(z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'throw' }) as Json);
}

/** The XRD object for Crossplane v2 (apiextensions.crossplane.io/v2). */
export function compositeResourceDefinition(source: XrdSource): Record<string, Json> {
  return {
    apiVersion: 'apiextensions.crossplane.io/v2',
    kind: 'CompositeResourceDefinition',
    metadata: {
      name: `${source.plural}.${source.group}`,
      annotations: { 'odoo.io/generated-by': 'scripts/generate (do not edit by hand)' },
    },
    spec: {
      group: source.group,
      names: {
        kind: source.kind,
        listKind: `${source.kind}List`,
        plural: source.plural,
        singular: source.singular,
        categories: ['odoo', 'crossplane', 'composite'],
        ...(source.shortNames ? { shortNames: source.shortNames } : {}),
      },
      scope: source.scope,
      // The Composition of the stable channel, named after the XRD: with a channel's Compositions
      // installed beside it, Crossplane would otherwise pick one of them at random for a new XR.
      defaultCompositionRef: { name: `${source.plural}.${source.group}` },
      versions: [
        {
          name: source.version,
          served: true,
          referenceable: true,
          additionalPrinterColumns: source.printerColumns.map((c) => ({ ...c }) as unknown as Json),
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: source.description,
              properties: {
                spec: openApiSchema(source.spec),
                status: openApiSchema(source.status),
              },
              required: ['spec'],
            },
          },
        },
      ],
    },
  };
}

/** Names of the claims edition of an XR: a cluster-scoped XR kind, and the namespaced claim users apply. */
export interface ClaimNames {
  kind: string;
  plural: string;
  singular: string;
  claimKind: string;
  claimPlural: string;
}

/**
 * The claims edition (apiextensions.crossplane.io/v1, scope LegacyCluster,
 * claimNames) of the same schema. Claims carry the XR's spec and status, so
 * the function reads them exactly like the namespaced edition's XRs.
 */
export function claimsCompositeResourceDefinition(source: XrdSource, names: ClaimNames | undefined): Record<string, Json> {
  const v2 = compositeResourceDefinition(source) as { spec: Record<string, Json>; metadata: Record<string, Json> };
  const kind = names?.kind ?? source.kind;
  const plural = names?.plural ?? source.plural;
  const spec = v2.spec as { names: Record<string, Json>; versions: Json[] };
  return {
    apiVersion: 'apiextensions.crossplane.io/v1',
    kind: 'CompositeResourceDefinition',
    metadata: { ...v2.metadata, name: `${plural}.${source.group}` },
    spec: {
      group: source.group,
      names: { kind, listKind: `${kind}List`, plural, singular: names?.singular ?? source.singular, categories: spec.names.categories ?? [] },
      ...(names ? { claimNames: { kind: names.claimKind, listKind: `${names.claimKind}List`, plural: names.claimPlural, singular: names.claimKind.toLowerCase(), ...(source.shortNames ? { shortNames: source.shortNames } : {}) } } : {}),
      scope: 'LegacyCluster',
      defaultCompositionRef: { name: `${plural}.${source.group}` },
      versions: spec.versions,
    },
  };
}
