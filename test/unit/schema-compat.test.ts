// XRD changes that would break stored objects are caught against the last
// released schemas; and the checker itself catches each kind of break.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import semver from 'semver';
import { schemaBreaks, xrdBreaks } from '../../scripts/schema-compat.js';

const ROOT = join(import.meta.dirname, '..', '..');
const released = readdirSync(join(ROOT, 'apis/released')).filter((d) => d.startsWith('v')).sort((a, b) => semver.compare(a, b));
const last = released[released.length - 1]!;

/**
 * Breaks made on purpose since the last release, each with why (and in
 * CHANGELOG.md under Unreleased): stored objects that relied on what they
 * forbid must change, and the release notes say how. A break not listed
 * here fails the test; an entry no break matches fails it too.
 */
const ACCEPTED_BREAKS: { pattern: RegExp; why: string }[] = [
  {
    pattern: /\.config\.options: new validation rule self\.all\(k, k in \[/,
    why: 'security: odoo.conf options by allow-list, per trust level (a key given twice stopped Odoo; some named files, binaries or other database servers)',
  },
  { pattern: /\.config\.options\{\}: (maxLength 4096 → 1024|pattern \(none\) → )/, why: 'security: option values are one line without control characters' },
  { pattern: /^v1alpha1\.spec: new validation rule !has\(self\.autoscaling\) \|\| self\.type == 'production'$/, why: 'none in practice: the rule only limits spec.autoscaling, a field no stored object has' },
  { pattern: /^v1alpha1\.spec\.network: newly required$/, why: 'security: tenant NetworkPolicies let Odoo reach PostgreSQL only where the App says it is' },
];

describe(`the XRDs against release ${last}`, () => {
  const seen = new Set<RegExp>();
  afterAll(() => {
    const unused = ACCEPTED_BREAKS.filter((a) => !seen.has(a.pattern)).map((a) => a.why);
    expect(unused, 'accepted breaks that no longer happen: remove them').toEqual([]);
  });

  it.each([
    ['app', 'apis/app/definition.yaml', `apis/released/${last}/app.yaml`],
    ['tenant', 'apis/tenant/definition.yaml', `apis/released/${last}/tenant.yaml`],
    ['instance', 'apis/instance/definition.yaml', `apis/released/${last}/instance.yaml`],
    ['claims app', 'apis/claims/app/definition.yaml', `apis/released/${last}/claims/app.yaml`],
    ['claims tenant', 'apis/claims/tenant/definition.yaml', `apis/released/${last}/claims/tenant.yaml`],
    ['claims instance', 'apis/claims/instance/definition.yaml', `apis/released/${last}/claims/instance.yaml`],
  ])('%s keeps every stored object valid', (_name, current, previous) => {
    const now = parse(readFileSync(join(ROOT, current), 'utf8'));
    const then = parse(readFileSync(join(ROOT, previous), 'utf8'));
    const unexpected = xrdBreaks(then, now).filter((b) => {
      const accepted = ACCEPTED_BREAKS.find((a) => a.pattern.test(b));
      if (accepted) seen.add(accepted.pattern);
      return accepted === undefined;
    });
    expect(unexpected).toEqual([]);
  });
});

describe('schemaBreaks', () => {
  const base = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['release'],
        properties: {
          release: { type: 'string', pattern: '^v' },
          replicas: { type: 'integer', minimum: 0, maximum: 10 },
          type: { type: 'string', enum: ['a', 'b'] },
        },
      },
    },
  };
  const change = (edit: (s: any) => void) => {
    const s = structuredClone(base);
    edit(s);
    return schemaBreaks(base, s);
  };

  it.each([
    { name: 'a removed field', edit: (s: any) => delete s.properties.spec.properties.replicas, want: ['.spec.replicas: removed'] },
    { name: 'a retyped field', edit: (s: any) => (s.properties.spec.properties.replicas.type = 'string'), want: ['.spec.replicas: type integer → string'] },
    { name: 'a new required field without default', edit: (s: any) => { s.properties.spec.properties.app = { type: 'string' }; s.properties.spec.required.push('app'); }, want: ['.spec.app: newly required'] },
    { name: 'a narrower enum', edit: (s: any) => (s.properties.spec.properties.type.enum = ['a']), want: ['.spec.type: enum drops "b"'] },
    { name: 'a lower maximum', edit: (s: any) => (s.properties.spec.properties.replicas.maximum = 5), want: ['.spec.replicas: maximum 10 → 5'] },
    { name: 'a new pattern', edit: (s: any) => (s.properties.spec.properties.release.pattern = '^v1'), want: ['.spec.release: pattern ^v → ^v1'] },
  ])('catches $name', ({ edit, want }) => {
    expect(change(edit)).toEqual(want);
  });

  it('accepts what stored objects survive: a new optional field, a wider enum, a higher maximum, a new required field with a default, a transition rule', () => {
    expect(
      change((s) => {
        s.properties.spec.properties.extra = { type: 'string' };
        s.properties.spec['x-kubernetes-validations'] = [{ rule: 'self.type == oldSelf.type' }];
        s.properties.spec.properties.type.enum = ['a', 'b', 'c'];
        s.properties.spec.properties.replicas.maximum = 20;
        s.properties.spec.properties.mode = { type: 'string', default: 'x' };
        s.properties.spec.required.push('mode');
      }),
    ).toEqual([]);
  });
});
