// The version matrix's rows name versions the project can build: each
// Kubernetes and Crossplane version has its pinned tools module, each
// PostgreSQL server is one the tests have, and CI's rotation alternates.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ciPostgres, MATRIX_ROWS } from '../../scripts/matrix-rows.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the version matrix', () => {
  it.each(MATRIX_ROWS.map((r) => [r.name, r] as const))('row %s names versions pinned in tools/ and scenarios that exist', (_name, row) => {
    const kubernetes = row.kubernetes === '1.34.2' ? 'tools/kubernetes' : `tools/kubernetes-${row.kubernetes}`;
    expect(existsSync(join(ROOT, kubernetes, 'go.mod')), kubernetes).toBe(true);
    const crossplane = row.crossplane === 'v2.2.1' ? 'tools/crossplane' : `tools/crossplane-${row.crossplane.replace(/^v/, '')}`;
    expect(existsSync(join(ROOT, crossplane, 'go.mod')), crossplane).toBe(true);
    expect([13, 15, 16, 17, 18]).toContain(row.postgres);
    for (const scenario of row.scenarios) expect(existsSync(join(ROOT, 'test/e2e', `${scenario}.e2e.ts`)), scenario).toBe(true);
  });

  it('covers Kubernetes 1.33, 1.34 and 1.35, and Crossplane 2.2, 2.3 and 2.4, each in some row', () => {
    const minors = (versions: string[]) => new Set(versions.map((v) => v.replace(/^v/, '').split('.').slice(0, 2).join('.')));
    expect(minors(MATRIX_ROWS.map((r) => r.kubernetes))).toEqual(new Set(['1.33', '1.34', '1.35']));
    expect(minors(MATRIX_ROWS.map((r) => r.crossplane))).toEqual(new Set(['2.2', '2.3', '2.4']));
  });

  it('CI alternates PostgreSQL 15 and 13 by day', () => {
    expect([ciPostgres(340), ciPostgres(341)]).toEqual([15, 13]);
    expect(ciPostgres(1)).toBe(13);
  });
});
