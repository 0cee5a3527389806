// provider-sql Extension objects that earlier versions of function-odoo
// composed: let go of in two steps without dropping the extension, and
// nothing else observed is taken for one.
import { describe, expect, it } from 'vitest';
import { ORPHAN_POLICIES, retiredExtensions } from '../../functions/instance/database.js';
import type { ObservedObject } from '../../functions/shared/composition.js';

const API = 'postgresql.sql.m.crossplane.io/v1alpha1';
const PROVIDER = { kind: 'ClusterProviderConfig', name: 'odoo-acme' };

function extension(name: string, managementPolicies?: string[]): ObservedObject {
  return {
    apiVersion: API,
    kind: 'Extension',
    metadata: { name: `prod-ext-${name}`, namespace: 'acme', labels: { 'app.kubernetes.io/instance': 'prod' }, uid: 'u-1', resourceVersion: '42' },
    spec: { forProvider: { extension: name, databaseRef: { name: 'prod-db' } }, providerConfigRef: PROVIDER, ...(managementPolicies ? { managementPolicies } : {}) },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

describe('retired Extensions', () => {
  it('are composed again as the same Extension with policies that leave the PostgreSQL extension in place, and nothing Kubernetes set', () => {
    expect(retiredExtensions({ 'extension-pg-trgm': extension('pg_trgm') })).toEqual([
      {
        key: 'extension-pg-trgm',
        object: {
          apiVersion: API,
          kind: 'Extension',
          metadata: { name: 'prod-ext-pg_trgm', namespace: 'acme', labels: { 'app.kubernetes.io/instance': 'prod' } },
          spec: { forProvider: { extension: 'pg_trgm', databaseRef: { name: 'prod-db' } }, providerConfigRef: PROVIDER, managementPolicies: [...ORPHAN_POLICIES] },
        },
      },
    ]);
  });

  it('still deletable are let go of: the default policies, "*" and any list with Delete', () => {
    const observed = {
      'extension-a': extension('a'),
      'extension-b': extension('b', ['*']),
      'extension-c': extension('c', ['Observe', 'Create', 'Update', 'Delete', 'LateInitialize']),
    };
    expect(retiredExtensions(observed).map((e) => e.key)).toEqual(['extension-a', 'extension-b', 'extension-c']);
  });

  it('already observed with policies without Delete are left out, so Crossplane deletes the object and PostgreSQL keeps the extension', () => {
    expect(retiredExtensions({ 'extension-unaccent': extension('unaccent', [...ORPHAN_POLICIES]) })).toEqual([]);
  });

  it('come in the order of their keys, whatever order they are observed in', () => {
    const observed = { 'extension-unaccent': extension('unaccent'), 'extension-pg-trgm': extension('pg_trgm') };
    expect(retiredExtensions(observed).map((e) => e.key)).toEqual(['extension-pg-trgm', 'extension-unaccent']);
  });

  it('are only Extension objects under the keys function-odoo gave them: another kind under such a key, or an Extension under another key, is not one', () => {
    const role: ObservedObject = { apiVersion: API, kind: 'Role', metadata: { name: 'prod-role', namespace: 'acme' }, spec: {} };
    expect(retiredExtensions({ 'extension-role': role, 'other-step-extension': extension('hstore') })).toEqual([]);
  });

  it('keep no labels when the observed object had none', () => {
    const bare = extension('pg_trgm');
    delete (bare.metadata as { labels?: unknown }).labels;
    expect(retiredExtensions({ 'extension-pg-trgm': bare })[0]!.object.metadata).toEqual({ name: 'prod-ext-pg_trgm', namespace: 'acme' });
  });
});
