// Names an Instance's objects and its PostgreSQL database get: the edges of
// PostgreSQL's 63-byte identifier limit, and the Usage objects' names.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { databaseName, instanceNames } from '../../functions/shared/instance-names.js';

const hash8 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

describe('databaseName', () => {
  it('keeps "<namespace>_<name>" whole at exactly 63 bytes, PostgreSQL’s NAMEDATALEN - 1', () => {
    const namespace = 'n'.repeat(31);
    const name = 'i'.repeat(31);
    expect(databaseName(namespace, name)).toBe(`${namespace}_${name}`);
    expect(databaseName(namespace, name)).toHaveLength(63);
  });

  it('cuts a 64-byte name to 54 bytes, then "_" and 8 hex characters of its SHA-256', () => {
    const namespace = 'n'.repeat(32);
    const name = 'i'.repeat(31);
    const full = `${namespace}_${name}`;
    expect(databaseName(namespace, name)).toBe(`${full.slice(0, 54)}_${hash8(full)}`);
    expect(databaseName(namespace, name)).toHaveLength(63);
  });

  it('drops every "-" and "_" the cut leaves at its end, so the hash follows one "_"', () => {
    // The 54-byte cut ends in "-_" (the namespace ends with "-", then the separator).
    const namespace = `${'n'.repeat(52)}-`;
    const name = 'instance-with-a-long-name';
    const full = `${namespace}_${name}`;
    expect(full.slice(0, 54)).toBe(`${'n'.repeat(52)}-_`);
    expect(databaseName(namespace, name)).toBe(`${'n'.repeat(52)}_${hash8(full)}`);
  });
});

describe('instanceNames', () => {
  it('names the Crossplane Usage that protects each of an instance’s objects "<instance>-protect-<what>"', () => {
    const names = instanceNames('prod');
    expect(names.usage('instance')).toBe('prod-protect-instance');
    expect(names.usage('database')).toBe('prod-protect-database');
    expect(names.usage('filestore')).toBe('prod-protect-filestore');
  });
});
