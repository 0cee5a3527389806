// docs/reference/authority.md: every spec field a key account manager or an
// end user sets, who sets it and what bounds it, from the generated XRDs'
// schemas and the rules in functions/shared/field-authority.ts. Pure:
// schemas in, Markdown out; scripts/apis.ts wires it to the XRDs.
import { authorityOf, type AuthorityRule } from '../functions/shared/field-authority.js';
import { GENERATED_NOTE, type Schema } from './field-reference.js';

/** The leaf fields under `spec`: scalars, lists of scalars, maps; objects in lists and maps are walked. */
export function specLeaves(spec: Schema, path = 'spec'): string[] {
  if (spec.properties !== undefined) return Object.entries(spec.properties).flatMap(([name, s]) => specLeaves(s, `${path}.${name}`));
  if (spec.type === 'array' && spec.items?.properties !== undefined) return specLeaves(spec.items, path);
  return [path];
}

export interface AuthorityTable {
  kind: string;
  setBy: string;
  /** The claims edition's claim of this kind, whose holder sets the same fields. */
  claimKind?: string;
  spec: Schema;
  rules: readonly AuthorityRule[];
}

/** Fields without a rule, and rules that match no field: both make the page wrong. */
export function authorityGaps(table: AuthorityTable): { unclassified: string[]; unused: string[] } {
  const leaves = specLeaves(table.spec);
  const used = new Set<AuthorityRule>();
  const unclassified: string[] = [];
  for (const leaf of leaves) {
    const rule = authorityOf(table.rules, leaf);
    if (rule === undefined) unclassified.push(leaf);
    else used.add(rule);
  }
  return { unclassified, unused: table.rules.filter((r) => !used.has(r)).map((r) => r.fields) };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function section(table: AuthorityTable): string[] {
  const gaps = authorityGaps(table);
  if (gaps.unclassified.length > 0 || gaps.unused.length > 0) {
    throw new Error(`functions/shared/field-authority.ts: ${table.kind} fields without a rule: ${gaps.unclassified.join(', ') || 'none'}; rules matching no field: ${gaps.unused.join(', ') || 'none'}`);
  }
  const leaves = specLeaves(table.spec);
  const rows = table.rules.map((rule) => {
    const fields = leaves.filter((leaf) => authorityOf(table.rules, leaf) === rule);
    return `| \`${rule.fields}\` | ${fields.length} | ${cell(rule.bound)} |`;
  });
  return [
    `## ${table.kind}`,
    '',
    `Set by ${table.setBy}${table.claimKind ? `; in the claims edition, by whoever may write the namespaced \`${table.claimKind}\` claim, which has the same fields` : ''}.`,
    '',
    '| fields | how many | bounded by, beyond the schema |',
    '|---|---|---|',
    ...rows,
    '',
  ];
}

/** The page: one table per XR a tenant's people write. */
export function authorityPage(tables: readonly AuthorityTable[]): string {
  return [
    GENERATED_NOTE.replace('scripts/field-reference.ts', 'scripts/field-authority.ts, functions/shared/field-authority.ts'),
    '',
    '# Who may set what',
    '',
    'Every spec field a key account manager or an end user writes, grouped by the rule that bounds it beyond its schema (types,',
    'lengths, patterns and CEL rules are in the [field reference](README.md)). Every field of the `App` is the DevOps team’s,',
    'and so is everything a rule below calls the App’s. In patterns, `*` is one segment, `**` the rest, `{a,b}` either;',
    'a field takes the first rule it matches. A test fails when a field has no rule. Why each boundary is there:',
    '[SECURITY.md](../../SECURITY.md).',
    '',
    ...tables.flatMap(section),
  ].join('\n');
}
