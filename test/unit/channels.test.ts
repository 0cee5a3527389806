// Channels (docs/devops.md "Tenant by tenant"): a tenant stays on the stable
// function until the hoster names the candidate's Compositions on its XRs.
// Crossplane picks one Composition at random among those of an XR's type
// when the XR names none and its XRD has no default
// (internal/controller/apiextensions/composite/api.go, APILabelSelectorResolver):
// with the candidate's installed, a new Instance could land on it. These are
// the facts the e2e (npm run test:upgrade) relies on, read from the files a
// hoster applies.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHANNEL_LABEL } from '../../scripts/apis.js';
import { ROOT } from '../../scripts/function-process.js';
import { CANDIDATE_FUNCTION_NAME, CANDIDATE_FUNCTION_PACKAGE, dependencyName, FUNCTION_NAME } from '../../scripts/package-metadata.js';

type Composition = { metadata: { name: string; labels: Record<string, string> }; spec: { compositeTypeRef: { apiVersion: string; kind: string }; pipeline: { functionRef: { name: string } }[] } };
type Xrd = { metadata: { name: string }; spec: { group: string; names: { kind: string }; defaultCompositionRef?: { name: string } } };

const read = <T>(path: string): T => parse(readFileSync(join(ROOT, path), 'utf8')) as T;
const compositions = (dir: string) => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.yaml')).map((f) => read<Composition>(join(dir, f)));

describe('the stable channel: the package’s Compositions', () => {
  it.each([
    ['apis', 'compositions'],
    ['apis/claims', 'compositions/claims'],
  ])('every XRD of %s names its own stable Composition as the default, so a new XR never lands on a candidate', (apis, dir) => {
    const stable = compositions(dir);
    for (const kind of ['app', 'tenant', 'instance']) {
      const xrd = read<Xrd>(`${apis}/${kind}/definition.yaml`);
      const target = stable.find((c) => c.metadata.name === xrd.spec.defaultCompositionRef?.name);
      expect(target, `${apis}/${kind}: defaultCompositionRef ${JSON.stringify(xrd.spec.defaultCompositionRef)}`).toBeDefined();
      expect(target!.spec.compositeTypeRef.kind).toBe(xrd.spec.names.kind);
      expect(target!.metadata.labels[CHANNEL_LABEL]).toBe('stable');
      expect(target!.spec.pipeline.map((s) => s.functionRef.name)).toEqual([FUNCTION_NAME]);
    }
  });
});

describe('the candidate channel: Compositions the hoster applies beside the package', () => {
  const candidate = compositions('compositions/channels/candidate');

  it('calls the candidate Function, the package published under a repository of its own (a second Function of one repository breaks the package manager’s dependency graph)', () => {
    expect(CANDIDATE_FUNCTION_PACKAGE).toBe('xpkg.crossplane.io/odoo-crossplane/function-odoo-candidate');
    expect(CANDIDATE_FUNCTION_NAME).toBe(dependencyName(`${CANDIDATE_FUNCTION_PACKAGE}:v0.1.1`));
    expect(CANDIDATE_FUNCTION_NAME).not.toBe(FUNCTION_NAME);
    for (const c of candidate) expect(c.spec.pipeline.map((s) => s.functionRef.name), c.metadata.name).toEqual([CANDIDATE_FUNCTION_NAME]);
  });

  it('covers the Tenant and the Instance (what a tenant owns), each under a name of its own, labelled candidate; not the App, whose objects tenants share', () => {
    const stable = compositions('compositions');
    expect(candidate.map((c) => [c.metadata.name, c.spec.compositeTypeRef.kind, c.metadata.labels[CHANNEL_LABEL]]).sort()).toEqual([
      ['candidate.instances.instance.odoo.io', 'Instance', 'candidate'],
      ['candidate.tenants.tenant.odoo.io', 'Tenant', 'candidate'],
    ]);
    // The same XR types as their stable counterparts: what the move block of the docs names.
    for (const c of candidate) {
      const counterpart = stable.find((s) => `candidate.${s.metadata.name}` === c.metadata.name);
      expect(counterpart?.spec.compositeTypeRef).toEqual(c.spec.compositeTypeRef);
    }
  });

  it('is what the docs apply and move tenants to', () => {
    const docs = readFileSync(join(ROOT, 'docs/devops.md'), 'utf8');
    expect(docs).toContain('kubectl apply -f compositions/channels/candidate/');
    expect(docs).toContain(`name: ${CANDIDATE_FUNCTION_NAME}`);
    expect(docs).toContain('${prefix}tenants.tenant.odoo.io');
    expect(docs).toContain('${prefix}instances.instance.odoo.io');
  });
});
