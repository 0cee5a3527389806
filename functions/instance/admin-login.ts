// The administrator login of a new production database. odoo -i leaves
// login admin with password admin (base's res_users_data.xml), on a public
// host name. The function cannot draw a random password (same input, same
// output), so it derives one from a secret it may read: an HMAC of the
// instance's database password (provider-sql generated it; whoever can read
// it owns the database anyway), which reveals nothing of it. The password is
// composed into a Secret in the Instance's namespace, carried forward from
// there once it exists (a later change of the database password does not
// change it), and the init Job sets it, hashed, on Odoo's admin user.
//
// Only databases the init Job creates get one, and only production: a copy
// or a restore keeps the users of the database it comes from, and a testing
// instance keeps admin/admin, which Odoo's own tests log in with.
// Instances initialized before this existed keep what they have (their
// status has no adminLoginSecret, and they already ran a release).
import { createHmac } from 'node:crypto';
import type { KubeObject, ObservedObject } from '../shared/composition.js';
import { instanceNames } from '../shared/instance-names.js';
import { record } from '../shared/observed.js';
import type { InstanceContext } from './context.js';
import { instanceLabels } from './labels.js';
import type { Instance } from './schema.js';

export const ADMIN_LOGIN_KEY = 'admin-login';
/** Required resource: the Secret provider-sql writes the role's password to. */
export const CREDENTIALS_KEY = 'db-credentials';
export const ADMIN_LOGIN = 'admin';

/** Whether the instance's database gets a login of its own: a production the init Job creates. */
export function getsAdminLogin(instance: Pick<Instance, 'spec'>): boolean {
  return instance.spec.type === 'production' && instance.spec.restore === undefined;
}

/** The password derived from the database password: 24 characters of base64url (144 bits). */
export function derivedAdminPassword(databasePassword: string, databaseName: string): string {
  return createHmac('sha256', databasePassword).update(`odoo-admin-login:${databaseName}`).digest('base64url').slice(0, 24);
}

function secretValue(secret: ObservedObject | undefined, key: string): string | undefined {
  const data = record(secret?.data);
  const value = data[key];
  if (typeof value !== 'string' || value === '') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return decoded === '' ? undefined : decoded;
}

/** Whether an init Job made by an earlier version, which sets no password, is (or was) at work. */
function initWithoutAdminPassword(instance: Pick<Instance, 'metadata'>, observed: Readonly<Record<string, ObservedObject>>): boolean {
  const init = observed[`job-${instanceNames(instance.metadata.name).job('init')}`];
  if (init === undefined) return false;
  const containers = (record(record(record(init.spec).template).spec).containers ?? []) as { env?: { name?: string }[] }[];
  return !containers.some((c) => (c.env ?? []).some((e) => e.name === 'ODOO_ADMIN_PASSWORD'));
}

/**
 * Whether the instance has, or is to get, an admin login Secret: a new
 * production (unless an earlier version's init Job, which sets no password,
 * already started), or one whose Secret exists or whose status records it.
 */
export function keepsAdminLogin(instance: Instance, observed: Readonly<Record<string, ObservedObject>>, neverRan: boolean): boolean {
  if (!getsAdminLogin(instance)) return false;
  if (observed[ADMIN_LOGIN_KEY] !== undefined) return true;
  if (instance.status?.adminLoginSecret === instanceNames(instance.metadata.name).adminLogin) return true;
  return neverRan && !initWithoutAdminPassword(instance, observed);
}

/**
 * The admin login Secret, or undefined while its password cannot be known
 * (provider-sql has not written the role's Secret yet) or the instance does
 * not keep one (keepsAdminLogin). Composed again with the same password when
 * someone deletes it, as long as the role's password is the same.
 */
export function adminLoginSecret(
  instance: Instance,
  context: InstanceContext,
  observed: Readonly<Record<string, ObservedObject>>,
  credentials: ObservedObject | undefined,
  neverRan: boolean,
): KubeObject | undefined {
  if (!keepsAdminLogin(instance, observed, neverRan)) return undefined;
  const databasePassword = secretValue(credentials, 'password');
  const password = secretValue(observed[ADMIN_LOGIN_KEY], 'password') ?? (databasePassword !== undefined ? derivedAdminPassword(databasePassword, context.databaseName) : undefined);
  if (password === undefined) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: instanceNames(context.name).adminLogin,
      namespace: context.namespace,
      labels: instanceLabels(context, 'admin-login'),
    },
    type: 'Opaque',
    data: {
      login: Buffer.from(ADMIN_LOGIN).toString('base64'),
      password: Buffer.from(password).toString('base64'),
    },
  };
}

/**
 * Sets the password of Odoo's admin user (base.user_admin) from
 * ODOO_ADMIN_PASSWORD, hashed as Odoo hashes it (passlib pbkdf2_sha512, in
 * every release image). Fails unless exactly that one user was changed.
 */
export const SET_ADMIN_PASSWORD_PY = String.raw`
import os, sys, psycopg2
from passlib.hash import pbkdf2_sha512
hashed = pbkdf2_sha512.using(rounds=600000).hash(os.environ['ODOO_ADMIN_PASSWORD'])
conn = psycopg2.connect('')
with conn:
    with conn.cursor() as cur:
        cur.execute("UPDATE res_users SET password = %s WHERE id = (SELECT res_id FROM ir_model_data WHERE module = 'base' AND name = 'user_admin' AND model = 'res.users')", (hashed,))
        if cur.rowcount != 1:
            sys.exit('Odoo has no administrator (base.user_admin) to set the password of')
conn.close()
print('the administrator (login admin) has the password of Secret ' + os.environ['ODOO_ADMIN_SECRET'])
`.trim();
