// The Compositions must name the Function object that Crossplane's package
// manager creates when the Configuration installs function-odoo as a
// dependency: the DNS label of the package's repository path
// (crossplane internal/controller/pkg/resolver/reconciler.go, NewPackage).
// The real install path is exercised by the control-plane test; this one
// fails as soon as a Composition, an example or the package metadata drifts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from '../../scripts/function-process.js';
import { dependencyName, FUNCTION_NAME, FUNCTION_PACKAGE, PROVIDER_SQL_PACKAGE, repositoryOf, sameMinorConstraint, toDNSLabel } from '../../scripts/package-metadata.js';

type Doc = { kind?: string; metadata?: { name?: string }; spec?: Record<string, any> };

function yamlDocs(file: string): Doc[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Doc).filter((d) => d !== null);
}

function compositionsIn(dir: string): { file: string; refs: string[] }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => yamlDocs(join(dir, f)).filter((d) => d.kind === 'Composition').map((d) => ({ file: join(dir, f), refs: (d.spec!.pipeline as { functionRef: { name: string } }[]).map((s) => s.functionRef.name) })));
}

describe('the DNS label Crossplane derives from a package path', () => {
  it.each([
    // Cases of Crossplane's own name_test.go, and ours.
    ['-hi/my.name/is-', 'hi-my-name-is'],
    ['a'.repeat(64), 'a'.repeat(63)],
    [`${'a'.repeat(60)}----`, 'a'.repeat(60)],
    ['odoo-crossplane/function-odoo', 'odoo-crossplane-function-odoo'],
    ['crossplane-contrib/provider-sql', 'crossplane-contrib-provider-sql'],
    ['Upper/Case_and_underscore', 'pper-aseandunderscore'],
  ])('%s → %s', (input, label) => {
    expect(toDNSLabel(input)).toBe(label);
  });

  it.each([
    ['xpkg.crossplane.io/odoo-crossplane/function-odoo', 'odoo-crossplane/function-odoo'],
    ['xpkg.crossplane.io/odoo-crossplane/function-odoo:v0.1.0', 'odoo-crossplane/function-odoo'],
    ['127.0.0.1:5000/odoo-crossplane/function-odoo@sha256:0123abcd', 'odoo-crossplane/function-odoo'],
    ['localhost/a/b', 'a/b'],
  ])('the repository of %s is %s', (path, repository) => {
    expect(repositoryOf(path)).toBe(repository);
  });

  it('names the Function of this project odoo-crossplane-function-odoo, whatever registry mirrors it', () => {
    expect(FUNCTION_PACKAGE).toBe('xpkg.crossplane.io/odoo-crossplane/function-odoo');
    expect(FUNCTION_NAME).toBe('odoo-crossplane-function-odoo');
    expect(dependencyName('127.0.0.1:5000/odoo-crossplane/function-odoo:v0.1.0')).toBe(FUNCTION_NAME);
    expect(dependencyName(PROVIDER_SQL_PACKAGE)).toBe('crossplane-contrib-provider-sql');
  });
});

describe('every Composition names the Function the package manager installs', () => {
  it.each(['compositions', 'compositions/claims'])('%s', (dir) => {
    const found = compositionsIn(join(ROOT, dir));
    expect(found).toHaveLength(3);
    for (const c of found) expect(c.refs, c.file).toEqual([FUNCTION_NAME]);
  });

  it('the render examples install it under that name and from this project’s package path', () => {
    const [fn] = yamlDocs(join(ROOT, 'examples', 'functions.yaml'));
    expect(fn!.metadata!.name).toBe(FUNCTION_NAME);
    expect(String(fn!.spec!.package)).toMatch(new RegExp(`^${FUNCTION_PACKAGE.replace(/\./g, '\\.')}:v`));
  });

  it('the platform example names each function as its package would be named', () => {
    const functions = yamlDocs(join(ROOT, 'examples', 'platform', 'functions.yaml'));
    const names = new Set(functions.map((f) => f.metadata!.name));
    for (const f of functions) expect(f.metadata!.name).toBe(dependencyName(String(f.spec!.package)));
    for (const c of compositionsIn(join(ROOT, 'examples', 'platform'))) for (const ref of c.refs) expect(names.has(ref), `${c.file} names ${ref}`).toBe(true);
  });

  it('the Configurations depend on this project’s Function package', () => {
    for (const dir of ['configuration', 'configuration-claims']) {
      const meta = parse(readFileSync(join(ROOT, 'package', dir, 'crossplane.yaml'), 'utf8')) as Doc;
      expect((meta.spec!.dependsOn as { function?: string }[]).map((d) => d.function).filter(Boolean)).toEqual([FUNCTION_PACKAGE]);
    }
  });
});

/**
 * Crossplane (go.mod: github.com/Masterminds/semver v1.5.0) reads a
 * dependency's version as comma-separated AND terms; one term is an operator
 * and a version. A space-separated range is "improper constraint" there, and
 * the package manager then installs nothing (found by the install e2e test).
 */
const MASTERMINDS_V1_TERM = /^(=|!=|>|<|>=|=<|<=|~|~>|\^)?\s*v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?$/;

describe('dependency version constraints Crossplane can parse', () => {
  it.each(['configuration', 'configuration-claims'])('%s', (dir) => {
    const meta = parse(readFileSync(join(ROOT, 'package', dir, 'crossplane.yaml'), 'utf8')) as Doc;
    const constraints = [String((meta.spec!.crossplane as { version: string }).version), ...(meta.spec!.dependsOn as { version: string }[]).map((d) => d.version)];
    for (const c of constraints) for (const term of c.split(',')) expect(term.trim(), `${dir}: ${c}`).toMatch(MASTERMINDS_V1_TERM);
  });

  it('the Function is pinned to the same minor release as the Configuration', () => {
    expect(sameMinorConstraint('v0.1.0')).toBe('>=v0.1.0, <v0.2.0');
    expect(sameMinorConstraint('v1.4.2')).toBe('>=v1.4.2, <v1.5.0');
  });
});
