// Who may set what: every field a key account manager or an end user writes
// has a rule saying what bounds it (functions/shared/field-authority.ts), and
// SECURITY.md carries the generated tables.
import { describe, expect, it } from 'vitest';
import { fieldMatches, INSTANCE_AUTHORITY, TENANT_AUTHORITY } from '../../functions/shared/field-authority.js';
import { authorityTables, generatedReference, referencePages as pagesOfApis } from '../../scripts/apis.js';
import { authorityGaps, specLeaves } from '../../scripts/field-authority.js';

const referencePages = () => pagesOfApis().map((p) => p.page);

describe('who may set what', () => {
  it('has a rule for every spec field of the Tenant and the Instance, and no rule that matches none', () => {
    const found = authorityTables(referencePages());
    expect(found.map((t) => t.kind).sort()).toEqual(['Instance', 'Tenant']);
    for (const table of found) expect(authorityGaps(table), table.kind).toEqual({ unclassified: [], unused: [] });
    expect(specLeaves(found.find((t) => t.kind === 'Tenant')!.spec)).toContain('spec.production.backup.storage.endpoint');
  });

  it('finds a field nobody classified: adding one to a schema without a rule fails', () => {
    const tenant = authorityTables(referencePages()).find((t) => t.kind === 'Tenant')!;
    const spec = { ...tenant.spec, properties: { ...tenant.spec.properties, sshKeys: { type: 'array', items: { type: 'string' } } } };
    expect(authorityGaps({ ...tenant, spec }).unclassified).toEqual(['spec.sshKeys']);
  });

  it('matches dotted paths segment by segment: * one segment, ** the rest, {a,b} either', () => {
    expect(fieldMatches('spec.{staging,production}.replicas', 'spec.production.replicas')).toBe(true);
    expect(fieldMatches('spec.{staging,production}.replicas', 'spec.testing.replicas')).toBe(false);
    expect(fieldMatches('spec.resources.*.*.cpu', 'spec.resources.web.limits.cpu')).toBe(true);
    expect(fieldMatches('spec.resources.*.*.cpu', 'spec.resources.web.cpu')).toBe(false);
    expect(fieldMatches('spec.backup.storage.**', 'spec.backup.storage.endpoint')).toBe(true);
    expect(fieldMatches('spec.backup.storage.**', 'spec.backup.storage')).toBe(false);
    expect(fieldMatches('spec.replicas', 'spec.replicas.extra')).toBe(false);
  });

  it('keeps what reaches credentials, code that runs or where data goes out of a tenant’s hands', () => {
    const bound = (rules: typeof TENANT_AUTHORITY, field: string) => rules.find((r) => fieldMatches(r.fields, field))?.bound ?? '';
    expect(bound(TENANT_AUTHORITY, 'spec.production.backup.storage.endpoint')).toMatch(/^the App’s alone/);
    expect(bound(TENANT_AUTHORITY, 'spec.staging.backup.image')).toMatch(/^the App’s alone/);
    expect(bound(TENANT_AUTHORITY, 'spec.mail.outgoing.passwordSecretRef.name')).toMatch(/only the tenant’s own mail Secret/);
    expect(bound(TENANT_AUTHORITY, 'spec.networkPolicy.enabled')).toMatch(/only where the App sets/);
    expect(bound(TENANT_AUTHORITY, 'spec.routing.gatewayRef.namespace')).toMatch(/a Gateway the App offers/);
    expect(bound(INSTANCE_AUTHORITY, 'spec.filestore.storageClassName')).toMatch(/one the App offers/);
  });

  it('is written into SECURITY.md, between its markers, and nowhere else in it', () => {
    const page = generatedReference().find((f) => f.path === 'SECURITY.md')!;
    expect(page.content).toContain('| `spec.mail.outgoing.passwordSecretRef.**` | 2 |');
    expect(page.content).toContain('## Reporting a vulnerability');
    expect(page.content.split('<!-- field-authority: end -->')).toHaveLength(2);
  });
});
