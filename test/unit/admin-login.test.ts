// The administrator of a new production database: never Odoo's admin/admin.
// Its password is derived from the role's password provider-sql generated,
// composed into a Secret the end user reads, and set by the init Job.
import { describe, expect, it } from 'vitest';
import { adminLoginSecret, derivedAdminPassword } from '../../functions/instance/admin-login.js';
import { instanceFixture } from '../support/instance-input.js';
import { connectionSecrets } from '../../scripts/simulate.js';
import { Cluster, example, jobNames, type Obj } from '../support/world.js';

const instance = (type: string, name: string, extra: Obj = {}): Obj => {
  const xr = example(`instance-${type}.yaml`);
  return { ...xr, metadata: { name, namespace: 'acme', uid: `u-${name}` }, spec: { ...xr.spec, ...extra } };
};
const decoded = (secret: Obj, key: string) => Buffer.from(secret.data[key], 'base64').toString('utf8');

describe('the admin login of a new production database', () => {
  it('is a Secret with login admin and a password derived from the role’s, composed once provider-sql wrote the role’s Secret; the init Job waits for it', async () => {
    const c = new Cluster(instance('production', 'prod'));
    const first = await c.reconcile();
    expect(first.resources['admin-login']).toBeUndefined();
    expect(first.status.adminLoginSecret).toBeUndefined();
    const provisioned = await c.reconcile();
    const secret = provisioned.resources['admin-login']!;
    expect(secret.metadata).toMatchObject({ name: 'prod-admin-login', namespace: 'acme', labels: { 'app.kubernetes.io/component': 'admin-login', 'odoo.io/instance': 'prod' } });
    expect(decoded(secret, 'login')).toBe('admin');
    const rolePassword = decoded(connectionSecrets(c.observed)[0]!, 'password');
    expect(decoded(secret, 'password')).toBe(derivedAdminPassword(rolePassword, 'acme_prod'));
    expect(decoded(secret, 'password')).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(provisioned.status.adminLoginSecret).toBe('prod-admin-login');
    // Neither the password nor the role's is anywhere in what a person reads.
    const readable = JSON.stringify([provisioned.status, provisioned.conditions, provisioned.rsp.results]);
    expect(readable).not.toContain(decoded(secret, 'password'));
    expect(readable).not.toContain(rolePassword);
    expect(jobNames(provisioned)).toEqual([]);
    expect(jobNames(await c.reconcile())).toEqual(['prod-init']);
  });

  it('is carried forward from the Secret once it exists: the role’s Secret is no longer asked for, and another role password changes nothing', async () => {
    const c = new Cluster(instance('production', 'prod'));
    await c.until('Running');
    const secret = c.last!.resources['admin-login']!;
    expect(Object.keys(c.last!.rsp.requirements?.resources ?? {})).not.toContain('db-credentials');
    // Composed from the Secret observed, whatever the role's Secret holds now.
    const fixture = instanceFixture('production');
    const rotated = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'prod-db-credentials' }, data: { password: Buffer.from('a rotated password').toString('base64') } };
    const again = adminLoginSecret(fixture.instance, fixture.context, { 'admin-login': secret }, rotated, false);
    expect(decoded(again as Obj, 'password')).toBe(decoded(secret, 'password'));
    // Only a new database, without its Secret yet, takes the role's password.
    const fresh = adminLoginSecret(fixture.instance, fixture.context, {}, rotated, true);
    expect(decoded(fresh as Obj, 'password')).toBe(derivedAdminPassword('a rotated password', 'acme_prod'));
  });

  it('stays while it exists, even if the status that records it was lost', async () => {
    const c = new Cluster(instance('production', 'prod'));
    await c.until('Running');
    const password = decoded(c.last!.resources['admin-login']!, 'password');
    c.xr = { ...c.xr, status: { ...c.xr.status, adminLoginSecret: undefined } };
    const r = await c.reconcile();
    expect(decoded(r.resources['admin-login']!, 'password')).toBe(password);
    expect(r.status.adminLoginSecret).toBe('prod-admin-login');
  });

  it('is not made for a database whose init Job an earlier version started: that Job sets no password', async () => {
    const fixture = instanceFixture('production');
    const credentials = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'prod-db-credentials' }, data: { password: Buffer.from('pw').toString('base64') } };
    const earlierInit = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'prod-init' }, spec: { template: { spec: { containers: [{ name: 'init', env: [{ name: 'PGPASSWORD' }] }] } } } };
    expect(adminLoginSecret(fixture.instance, fixture.context, { 'job-prod-init': earlierInit }, credentials, true)).toBeUndefined();
    const ours = { ...earlierInit, spec: { template: { spec: { containers: [{ name: 'init', env: [{ name: 'ODOO_ADMIN_PASSWORD' }] }] } } } };
    expect(adminLoginSecret(fixture.instance, fixture.context, { 'job-prod-init': ours }, credentials, true)).toBeDefined();
  });

  it('comes back with the same password when someone deletes it', async () => {
    const c = new Cluster(instance('production', 'prod'));
    await c.until('Running');
    const password = decoded(c.last!.resources['admin-login']!, 'password');
    await c.reconcile({ deleted: ['admin-login'] });
    expect(decoded(c.last!.resources['admin-login']!, 'password')).toBe(password);
  });

  it('is not made for a copy, a restore or a testing instance (their users come from elsewhere, or Odoo’s tests log in as admin/admin), nor for a production that already ran without one', async () => {
    for (const xr of [instance('staging', 'staging'), instance('testing', 'ci'), instance('production', 'recovered', { restore: { key: 'prod/scheduled/20261126T013000Z.zip' } })]) {
      const c = new Cluster(xr);
      for (let i = 0; i < 4; i++) await c.reconcile();
      expect(c.last!.resources['admin-login'], xr.metadata.name).toBeUndefined();
      expect(c.last!.status.adminLoginSecret, xr.metadata.name).toBeUndefined();
      expect(Object.keys(c.last!.rsp.requirements?.resources ?? {}), xr.metadata.name).not.toContain('db-credentials');
    }
    // Initialized by an earlier version: it runs a release, and its status names no Secret.
    const c = new Cluster(instance('production', 'prod'));
    await c.until('Running');
    c.xr = { ...c.xr, status: { ...c.xr.status, adminLoginSecret: undefined } };
    const r = await c.reconcile({ deleted: ['admin-login'] });
    expect(r.resources['admin-login']).toBeUndefined();
    expect(r.status.adminLoginSecret).toBeUndefined();
  });
});
