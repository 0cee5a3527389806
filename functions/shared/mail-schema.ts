// Mail settings of the App (DevOps) and the Tenant (KAM): the outgoing server
// production instances send through, its password in a Secret, and the mail
// catcher (Mailpit) that staging and testing copies send to instead.
import { z } from 'zod';
import { dnsSubdomain, imageReference } from './schema-kit.js';

const oneLine = z.string().min(1).max(256).regex(/^[^\x00-\x1F\x7F]*$/, { error: 'must be one line without control characters' });

export const outgoingMailServer = z
  .object({
    host: dnsSubdomain.describe('SMTP server, e.g. smtp.example.com (odoo.conf smtp_server).'),
    port: z.number().int().min(1).max(65535).default(587).describe('SMTP port (smtp_port).'),
    // Odoo's odoo.conf knows STARTTLS or nothing (smtp_ssl); implicit TLS (465) needs an ir.mail_server record.
    encryption: z.enum(['starttls', 'none']).default('starttls').describe('starttls (smtp_ssl = True) or none. Odoo’s configuration file has no implicit TLS (port 465).'),
    user: oneLine.optional().describe('SMTP user (smtp_user).'),
    passwordSecretRef: z
      .object({
        name: dnsSubdomain.describe('Secret in the namespace of each instance that sends through this server.'),
        key: z
          .string()
          .min(1)
          .max(253)
          .regex(/^[-._a-zA-Z0-9]+$/, { error: 'must be a Secret key: letters, digits, "-", "_" and "."' })
          .default('password')
          .describe('Key of the Secret holding the password.'),
      })
      .optional()
      .describe('Secret holding the SMTP password. It reaches odoo.conf inside the Pod at start, never a ConfigMap.'),
    from: oneLine.optional().describe('Default sender address (email_from), e.g. odoo@example.com.'),
    fromFilter: oneLine.optional().describe('Senders this server may send for (from_filter), e.g. example.com.'),
  })
  .describe('Outgoing mail server of instances that serve customers (production, and the instance a tenant routes as primary).');
export type OutgoingMailServer = z.infer<typeof outgoingMailServer>;

export const MAILPIT_IMAGE = 'docker.io/axllent/mailpit:v1.27.11';

export const mailCatcher = z
  .object({
    enabled: z.boolean().default(true).describe('Compose a Mailpit per tenant namespace; staging and testing instances send their mail to it.'),
    image: imageReference
      .default(MAILPIT_IMAGE)
      .describe('Mailpit image.'),
    uiAuthSecretName: dnsSubdomain
      .optional()
      .describe(
        'Secret in each tenant namespace with key "htpasswd" (htpasswd lines) protecting the Mailpit UI and API with HTTP basic auth. Without it the UI gets no route: reach it with kubectl port-forward.',
      ),
    hostLabel: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: 'must be a DNS label' })
      .default('mail')
      .describe('The UI is served on <hostLabel>.<baseHostName>; no instance of a tenant may have this name.'),
  })
  .describe('Mail catcher for copies and tests: what Odoo.sh calls the mail catcher of staging builds.');
export type MailCatcher = z.infer<typeof mailCatcher>;

/**
 * The Secret names a Tenant's own mail server may read its password from.
 * Odoo sends that password to the SMTP host the Tenant names, so an
 * arbitrary Secret of the namespace (an instance's database credentials, the
 * backup S3 key, a pull secret) must not be one: only Secrets named for this use.
 */
export const tenantMailSecretPrefix = z
  .string()
  .regex(/^[a-z0-9][-a-z0-9.]{0,62}$/, { error: 'must be the start of a Secret name, such as smtp-' })
  .default('smtp-')
  .describe('A Tenant’s own mail server (spec.mail.outgoing) may read its password only from the Secret named this followed by the Tenant’s name, e.g. smtp-acme; with another Secret its server is not used and the App’s is.');

/**
 * The one Secret a Tenant's own mail server may read its password from:
 * `<prefix><tenant>`, e.g. smtp-acme. One exact name, not a pattern: names
 * the function gives (an Instance named smtp-x has smtp-x-db-credentials) or
 * the App gives (the backup key) can start with any prefix.
 */
export function tenantMailSecretName(prefix: string, tenant: string): string {
  return `${prefix}${tenant}`;
}

/** Whether a Tenant's server reads its password from its own mail Secret (or from none). */
export function tenantMailSecretAllowed(server: OutgoingMailServer, prefix: string, tenant: string): boolean {
  const name = server.passwordSecretRef?.name;
  return name === undefined || name === tenantMailSecretName(prefix, tenant);
}
