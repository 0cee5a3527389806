// Changes of an XRD schema that would break objects already stored under
// the previous release: their fields would be pruned, or they would no
// longer validate on their next update. Used by the test that compares the
// generated XRDs with the last released ones (apis/released/<version>/).
type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  'x-kubernetes-validations'?: { rule: string }[];
  'x-kubernetes-int-or-string'?: boolean;
};

function tightened(path: string, name: string, before: number | undefined, after: number | undefined, lower: boolean): string[] {
  if (after === undefined) return [];
  if (before === undefined) return [`${path}: adds ${name} ${after}`];
  return (lower ? after > before : after < before) ? [`${path}: ${name} ${before} → ${after}`] : [];
}

/** Every breaking difference from `before` to `after`, as "path: what". */
export function schemaBreaks(before: Schema, after: Schema, path = ''): string[] {
  const out: string[] = [];
  const here = path || '(root)';
  if (before.type !== after.type && !(before['x-kubernetes-int-or-string'] && after['x-kubernetes-int-or-string'])) {
    out.push(`${here}: type ${before.type ?? 'any'} → ${after.type ?? 'any'}`);
    return out;
  }
  for (const [name, schema] of Object.entries(before.properties ?? {})) {
    const next = after.properties?.[name];
    if (next === undefined) out.push(`${path}.${name}: removed`);
    else out.push(...schemaBreaks(schema, next, `${path}.${name}`));
  }
  const wasRequired = new Set(before.required ?? []);
  for (const name of after.required ?? []) {
    if (!wasRequired.has(name) && after.properties?.[name]?.default === undefined) out.push(`${path}.${name}: newly required`);
  }
  if (after.enum !== undefined) {
    const allowed = new Set(after.enum.map((v) => JSON.stringify(v)));
    const dropped = (before.enum ?? []).filter((v) => !allowed.has(JSON.stringify(v)));
    if (before.enum === undefined) out.push(`${here}: adds enum`);
    else if (dropped.length > 0) out.push(`${here}: enum drops ${dropped.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  if (after.pattern !== undefined && after.pattern !== before.pattern) out.push(`${here}: pattern ${before.pattern ?? '(none)'} → ${after.pattern}`);
  out.push(...tightened(here, 'minimum', before.minimum, after.minimum, true));
  out.push(...tightened(here, 'maximum', before.maximum, after.maximum, false));
  out.push(...tightened(here, 'minLength', before.minLength, after.minLength, true));
  out.push(...tightened(here, 'maxLength', before.maxLength, after.maxLength, false));
  out.push(...tightened(here, 'minItems', before.minItems, after.minItems, true));
  out.push(...tightened(here, 'maxItems', before.maxItems, after.maxItems, false));
  const rules = new Set((before['x-kubernetes-validations'] ?? []).map((r) => r.rule));
  // A transition rule (it reads oldSelf) judges a change, not the stored object: an object
  // updated without touching those fields still passes, so it breaks nothing stored.
  for (const r of after['x-kubernetes-validations'] ?? []) if (!rules.has(r.rule) && !/\boldSelf\b/.test(r.rule)) out.push(`${here}: new validation rule ${r.rule}`);
  if (before.items && after.items) out.push(...schemaBreaks(before.items, after.items, `${path}[]`));
  if (typeof before.additionalProperties === 'object' && typeof after.additionalProperties === 'object') {
    out.push(...schemaBreaks(before.additionalProperties, after.additionalProperties, `${path}{}`));
  }
  return out;
}

type Xrd = { spec: { versions: { name: string; served?: boolean; schema: { openAPIV3Schema: Schema } }[] } };

/** Breaks between two XRDs: removed or unserved versions, and schema breaks per version both have. */
export function xrdBreaks(before: Xrd, after: Xrd): string[] {
  const out: string[] = [];
  for (const v of before.spec.versions) {
    const next = after.spec.versions.find((n) => n.name === v.name);
    if (next === undefined || next.served === false) {
      out.push(`version ${v.name}: no longer served`);
      continue;
    }
    out.push(...schemaBreaks(v.schema.openAPIV3Schema, next.schema.openAPIV3Schema).map((b) => `${v.name}${b.startsWith('.') ? '' : ' '}${b}`));
  }
  return out;
}
