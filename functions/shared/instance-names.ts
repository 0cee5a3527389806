// Names of what an Instance composes, derived from its namespace and name
// only. The Tenant composer uses the same functions to find an instance's
// Service and host, so both always agree.
import { createHash } from 'node:crypto';
import { kubeName } from './names.js';

/**
 * The PostgreSQL database and role of an instance: "<namespace>_<name>".
 * Kubernetes names cannot contain "_", so the separator makes the name
 * unique on a server shared by every tenant. Over 63 bytes (PostgreSQL's
 * limit) it is cut and a hash of the full name appended.
 */
export function databaseName(namespace: string, name: string): string {
  const full = `${namespace}_${name}`;
  if (full.length <= 63) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, 54).replace(/[-_]+$/, '')}_${hash}`;
}

/** What every instance's Service name starts with: "odoo-<instance>". */
export const SERVICE_PREFIX = 'odoo';

export const instanceNames = (name: string) => ({
  /** provider-sql Role and Database objects (their PostgreSQL names are databaseName()). */
  role: kubeName([name, 'role']),
  database: kubeName([name, 'db']),
  /** Secret provider-sql writes the role's username, password, endpoint and port to. */
  credentials: kubeName([name, 'db-credentials']),
  /** Secret with the login and password of Odoo's administrator of a new production database. */
  adminLogin: kubeName([name, 'admin-login']),
  config: kubeName([name, 'odoo-conf']),
  initSQL: kubeName([name, 'init-sql']),
  filestore: kubeName([name, 'filestore']),
  service: kubeName([SERVICE_PREFIX, name]),
  web: kubeName([name, 'web']),
  cron: kubeName([name, 'cron']),
  pdb: kubeName([name, 'web']),
  job: (...parts: string[]) => kubeName([name, ...parts]),
  usage: (what: string) => kubeName([name, 'protect', what]),
});

/** The host an instance is reached on when it is not the tenant's primary. */
export function secondaryHost(instance: string, baseHostName: string): string {
  return `${instance}.${baseHostName}`;
}
