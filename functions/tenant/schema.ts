// The Tenant: what a key account manager declares per customer. Namespaced;
// it owns how the customer's instances are reached.
import { z } from 'zod';
import { autoscaling, sizing } from '../shared/instance-spec-kit.js';
import { tenantBackupPolicy } from '../shared/backup-schema.js';
import { lifetime, quotas } from '../shared/quota-schema.js';
import { outgoingMailServer } from '../shared/mail-schema.js';
import { compositeResource, dnsLabel, dnsSubdomain, odooLanguages, odooTestTags } from '../shared/schema-kit.js';

export const TENANT_API_VERSION = 'tenant.odoo.io/v1alpha1';
export const TENANT_KIND = 'Tenant';

const releaseVersion = z.string().regex(/^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/, {
  error: 'must be a release version of the App, such as 2.0.0',
});


export const tenantSpec = z.object({
  appRef: z.object({ name: dnsSubdomain.describe('Name of the App (cluster scoped).') }).describe('The App whose code and database server this tenant uses.'),
  baseHostName: dnsSubdomain
    .describe('Host name of the primary instance, e.g. acme.odoo.example; secondary instances get <instance>.<baseHostName>. Locked while an instance transitions.'),
  primaryInstance: dnsLabel
    .optional()
    .describe('Instance served on the base host name. Changing it promotes another instance once nothing transitions. Must be Running and not a testing instance.'),
  languages: odooLanguages
    .default([])
    .describe('Languages loaded into each new database of this tenant (Odoo --load-language), e.g. [fr_FR, en_US]: the first is the database’s language, English only when listed (or when none is); an Instance’s spec.languages replaces them.'),
  staging: z
    .object({
      ...sizing,
      backup: tenantBackupPolicy.optional().describe('Backup schedule, retention and failure handling of staging instances the tenant routes as primary, over the App’s (storage and image are the App’s only).'),
      neutralize: z
        .boolean()
        .default(true)
        .describe('Ignored (a warning says so): every staging copy is neutralized (odoo neutralize, then a check that no mail server or cron is still active), so a copy never mails customers, charges them or calls their webhooks. Kept so stored Tenants stay valid.'),
    })
    .prefault({})
    .describe('Defaults for staging instances: copies of an instance, neutralized.'),
  migration: z
    .object({
      ...sizing,
      backup: tenantBackupPolicy.optional().describe('Backup schedule, retention and failure handling of migration instances once the tenant routes them as primary, over the App’s (storage and image are the App’s only).'),
      targetRelease: releaseVersion.optional().describe('Release migration instances move to when they do not name one; default their spec.release.'),
    })
    .prefault({})
    .describe('Defaults for migration instances: copies of the primary moved to a newer Odoo series.'),
  testing: z
    .object({
      ...sizing,
      testTags: odooTestTags
        .default('')
        .describe('Odoo --test-tags; empty runs the tests of the installed modules.'),
      lifetime: lifetime
        .optional()
        .describe('How long a testing instance lives: past it, its web and cron stop and its Lifecycle says Expired (the database stays until the Instance is deleted). Counted by the Kubernetes Job controller from the instance’s first Pods; at most the App’s (or the Tenant’s) spec.quotas.maxTestingLifetime; unset, that maximum, or until deleted when there is none.'),
    })
    .prefault({})
    .describe('Defaults for testing instances: fresh databases with demo data that run the tests.'),
  production: z
    .object({ ...sizing, autoscaling, backup: tenantBackupPolicy.optional().describe('Backup schedule, retention and failure handling of production instances, over the App’s (storage and image are the App’s only).') })
    .optional()
    .describe('Defaults for production instances of this tenant.'),
  customDomains: z
    .array(dnsSubdomain)
    .max(16)
    .optional()
    .meta({ 'x-kubernetes-list-type': 'set' })
    .describe(
      'Host names the customer brings for the primary instance, e.g. erp.customer.com: each gets a route (and a cert-manager Certificate when the App names an issuer) once the App lists it for this namespace (spec.routing.customDomainOwners). The customer points the name at the Gateway; a name another tenant of the namespace routes is refused.',
    ),
  mail: z
    .object({ outgoing: outgoingMailServer.optional().describe('This tenant’s own outgoing mail server, instead of the App’s.') })
    .prefault({})
    .describe('Mail of this tenant’s instances that serve customers.'),
  routing: z
    .object({
      gatewayRef: z
        .object({
          name: dnsSubdomain.describe('Name of the Gateway.'),
          namespace: dnsLabel.describe('Namespace of the Gateway; also where the tenant NetworkPolicy allows ingress from.'),
          sectionName: dnsSubdomain.optional().describe('Listener of the Gateway to attach to.'),
        })
        .optional()
        .describe('Gateway to attach routes to, one the App offers (its spec.routing.gatewayRef and allowedGateways); default the App’s gatewayRef.'),
      requestTimeout: z
        .string()
        .regex(/^([0-9]{1,5}(h|m|s|ms)){1,4}$/, { error: 'must be a Gateway API duration such as 3600s or 1h' })
        .default('3600s')
        .describe('Request timeout of Odoo routes: long, since reports and imports take minutes.'),
    })
    .prefault({})
    .describe('How the tenant is reached.'),
  quotas: quotas.optional().describe('Limits on what this tenant’s instances may ask for, within the App’s.'),
  networkPolicy: z
    .object({
      enabled: z.boolean().default(true).describe('Isolate the tenant namespace: ingress only from the Gateway namespace and within the namespace. false turns it off only where the App allows it (spec.network.tenantsMayDisablePolicy).'),
      postgresCIDR: z
        .string()
        .regex(/^[0-9a-fA-F:.]+\/[0-9]{1,3}$/, { error: 'must be a CIDR such as 10.20.0.0/16' })
        .optional()
        .describe('Deprecated and not used: the App’s spec.network.postgres says where PostgreSQL is.'),
      internetEgress: z
        .boolean()
        .default(true)
        .describe('Let Odoo reach public addresses on the internet services the App lists (spec.network.internetServices: SMTP and HTTPS by default), for mail and online services. Private ranges stay closed.'),
    })
    .prefault({})
    .describe('Namespace isolation.'),
}).meta({
  'x-kubernetes-validations': [
    // Another App is another database server, code and quotas: a live tenant's databases would be pointed elsewhere.
    { rule: 'self.appRef == oldSelf.appRef', message: 'spec.appRef cannot change once set: a tenant’s databases live on its App’s server; create a Tenant for the other App and restore into it' },
  ],
});
export type TenantSpec = z.infer<typeof tenantSpec>;

export const tenantResource = compositeResource(TENANT_API_VERSION, TENANT_KIND, tenantSpec);
export type Tenant = z.infer<typeof tenantResource>;

export const tenantStatus = z.object({
  primaryInstance: z.string().optional().describe('Instance the base host name routes to now.'),
  cutOver: z
    .object({
      instance: z.string().describe('The migration instance being promoted.'),
      from: z.string().describe('The primary it takes over: stopped until the cut-over is done.'),
      token: z.number().int().describe('Which promotion: the Tenant’s metadata.generation when it started. The instance records it with the cut-over it completed.'),
    })
    .optional()
    .describe('A promotion of a migration instance under way: the primary is stopped (the base host shows the maintenance page), copied again and migrated into the instance, which is then routed.'),
  baseHostName: z.string().optional().describe('Base host name as routed now.'),
  secondaryInstances: z
    .array(
      z.object({
        name: z.string().describe('Name of the instance.'),
        type: z.string().describe('Its spec.type.'),
        phase: z.string().describe('Its status.phase.'),
        host: z.string().describe('Host name it is reached on: <instance>.<baseHostName>.'),
      }),
    )
    .optional()
    .describe('Every other instance of the tenant and the host it is reached on.'),
  customDomains: z.array(z.string()).optional().describe('Custom domains routed to the primary instance now.'),
  maintenance: z.array(z.string()).optional().describe('Instances whose hosts show the maintenance page now: their web Pods do not answer.'),
  hasTransitioningInstance: z.boolean().optional().describe('True while an instance initializes, copies, upgrades, migrates or tests; base host name and primary instance are locked.'),
  transitioningInstances: z.array(z.string()).optional().describe('Instances that hold the lock.'),
  warnings: z.array(z.string()).optional().describe('Fields of the spec that are deprecated or unused, and what to do about them.'),
});
export type TenantStatus = z.infer<typeof tenantStatus>;
