// Names of what a Tenant composes next to its instances' routes, derived from
// the Tenant's name only: the Instance composer points Odoo at the catcher by
// the same name, so both always agree. Several Tenants may share a namespace.
import { kubeName } from './names.js';

/** Mailpit's SMTP port, and its web UI and API port. */
export const MAILPIT_SMTP_PORT = 1025;
export const MAILPIT_HTTP_PORT = 8025;

/** The maintenance page listens where Odoo does, so the tenant's NetworkPolicy lets the Gateway reach it unchanged. */
export const MAINTENANCE_PORT = 8069;

export const mailCatcherNames = (tenant: string) => ({
  deployment: kubeName([tenant, 'mailpit']),
  service: kubeName([tenant, 'mailpit']),
  route: kubeName([tenant, 'mailpit']),
});

export const maintenanceNames = (tenant: string) => ({
  deployment: kubeName([tenant, 'maintenance']),
  service: kubeName([tenant, 'maintenance']),
});
