// The version matrix's rows name versions the project can build: each
// Kubernetes and Crossplane version has its pinned tools module, each
// PostgreSQL server is one the tests have (a newer one than the images' pg_dump
// with a newer client), and CI takes 13, 14 and 15 in turn.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CI_POSTGRES_ROTATION, ciPostgres, MATRIX_ROWS } from '../../scripts/matrix-rows.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the version matrix', () => {
  it.each(MATRIX_ROWS.map((r) => [r.name, r] as const))('row %s names versions pinned in tools/ and scenarios that exist', (_name, row) => {
    const kubernetes = row.kubernetes === '1.34.2' ? 'tools/kubernetes' : `tools/kubernetes-${row.kubernetes}`;
    expect(existsSync(join(ROOT, kubernetes, 'go.mod')), kubernetes).toBe(true);
    const crossplane = row.crossplane === 'v2.2.1' ? 'tools/crossplane' : `tools/crossplane-${row.crossplane.replace(/^v/, '')}`;
    expect(existsSync(join(ROOT, crossplane, 'go.mod')), crossplane).toBe(true);
    expect([13, 14, 15, 16, 17, 18]).toContain(row.postgres);
    // pg_dump refuses a server newer than itself: the images' client (Debian 12's 15 unless the row names one) is at least the server's.
    expect(row.pgClient ?? 15, 'the images\' PostgreSQL client').toBeGreaterThanOrEqual(row.postgres);
    if (row.pgClient !== undefined) expect([17, 18]).toContain(row.pgClient);
    for (const scenario of row.scenarios) expect(existsSync(join(ROOT, 'test/e2e', `${scenario}.e2e.ts`)), scenario).toBe(true);
  });

  it('covers Kubernetes 1.33, 1.34 and 1.35, and Crossplane 2.2, 2.3 and 2.4, each in some row', () => {
    const minors = (versions: string[]) => new Set(versions.map((v) => v.replace(/^v/, '').split('.').slice(0, 2).join('.')));
    expect(minors(MATRIX_ROWS.map((r) => r.kubernetes))).toEqual(new Set(['1.33', '1.34', '1.35']));
    expect(minors(MATRIX_ROWS.map((r) => r.crossplane))).toEqual(new Set(['2.2', '2.3', '2.4']));
  });

  it('covers every PostgreSQL server hosters run, 13 to 18, each in some row', () => {
    expect(new Set(MATRIX_ROWS.map((r) => r.postgres))).toEqual(new Set([13, 14, 15, 16, 17, 18]));
  });

  it('CI takes PostgreSQL 13, 14 and 15 in turn by day, each a server the images’ pg_dump 15 can dump', () => {
    expect([ciPostgres(339), ciPostgres(340), ciPostgres(341), ciPostgres(342)]).toEqual([13, 14, 15, 13]);
    for (const major of CI_POSTGRES_ROTATION) expect(major).toBeLessThanOrEqual(15);
  });
});
