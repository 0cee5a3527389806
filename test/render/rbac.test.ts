// The ClusterRole shipped for Crossplane: a valid object that grants every
// kind function-odoo composes which Crossplane's own role does not cover.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from '../../scripts/function-process.js';
import { prepareSchemas } from '../../scripts/schema-sources.js';
import { validateObjects } from '../../scripts/validate-lib.js';

const crossplane = process.env.CROSSPLANE!;
const role = parse(readFileSync(join(ROOT, 'package/rbac/clusterrole.yaml'), 'utf8')) as {
  rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
};

// Covered by Crossplane's own ClusterRole or by its RBAC manager for installed packages.
const COVERED_BY_CROSSPLANE = new Set(['/services', '/secrets', 'protection.crossplane.io/usages', 'postgresql.sql.m.crossplane.io/*']);

/** Golden files of function-odoo's own compositions (the platform example composes with another function). */
function goldens(dir = join(ROOT, 'test/golden')): string[] {
  return readdirSync(dir)
    .filter((f) => f !== 'platform')
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? goldens(join(dir, f)) : [join(dir, f)]));
}

const PLURAL: Record<string, string> = { NetworkPolicy: 'networkpolicies', PodDisruptionBudget: 'poddisruptionbudgets', ValidatingAdmissionPolicy: 'validatingadmissionpolicies' };

describe('package/rbac/clusterrole.yaml', () => {
  let schemas: { extensions: string; cache: string };
  beforeAll(() => {
    schemas = prepareSchemas(join(ROOT, '.work', 'schemas-rbac'));
  });

  it('is a valid ClusterRole aggregated to Crossplane', async () => {
    const object = parse(readFileSync(join(ROOT, 'package/rbac/clusterrole.yaml'), 'utf8')) as Record<string, unknown>;
    const report = await validateObjects(crossplane, schemas, [object]);
    expect(report.lines).toEqual(['[✓] rbac.authorization.k8s.io/v1, Kind=ClusterRole, crossplane:function-odoo:aggregate-to-crossplane validated successfully']);
    expect((object.metadata as { labels: Record<string, string> }).labels['rbac.crossplane.io/aggregate-to-crossplane']).toBe('true');
  });

  it('grants what composition needs on every kind the rendered examples and scenarios compose', () => {
    const composed = new Set<string>();
    for (const file of goldens()) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const o = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { annotations?: Record<string, string> } } | null;
        if (!o?.metadata?.annotations?.['crossplane.io/composition-resource-name']) continue;
        const group = o.apiVersion!.includes('/') ? o.apiVersion!.split('/')[0]! : '';
        const plural = PLURAL[o.kind!] ?? `${o.kind!.toLowerCase()}s`;
        composed.add(`${group}/${plural}`);
      }
    }
    expect(composed.size).toBeGreaterThan(8);
    const missing = [...composed].filter((gr) => {
      const [group] = gr.split('/');
      if (COVERED_BY_CROSSPLANE.has(gr) || COVERED_BY_CROSSPLANE.has(`${group}/*`)) return false;
      return !role.rules.some((r) => r.apiGroups.includes(group!) && r.resources.includes(gr.split('/')[1]!) && ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'].every((v) => r.verbs.includes(v)));
    });
    expect(missing).toEqual([]);
  });

  it('lets Crossplane read, and only read, the Pods the Instance composer requires (a failed test Job’s)', () => {
    const pods = role.rules.filter((r) => r.apiGroups.includes('') && r.resources.includes('pods'));
    expect(pods.map((r) => r.verbs)).toEqual([['get', 'list', 'watch']]);
  });
});
