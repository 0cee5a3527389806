// The App: what the DevOps team declares once per Odoo project. Cluster
// scoped; tenants reference it by name.
import { z } from 'zod';
import { compositeResource, dnsLabel, dnsSubdomain, imageReference, namespacedSecretRef, quantity } from '../shared/schema-kit.js';
import { odooBaseConfig, odooConfigLayer } from '../shared/odoo-config-schema.js';
import { backupPolicy, jobDeadlines } from '../shared/backup-schema.js';
import { quotas } from '../shared/quota-schema.js';
import { mailCatcher, outgoingMailServer, tenantMailSecretPrefix } from '../shared/mail-schema.js';

export const APP_API_VERSION = 'app.odoo.io/v1alpha1';
export const APP_KIND = 'App';

/** Internet services a tenant's NetworkPolicy may open, by name, and their TCP ports. */
export const INTERNET_SERVICES = {
  smtp: [25, 465, 587],
  https: [443],
  imap: [143, 993],
  pop: [110, 995],
  ldap: [389, 636],
} as const;
const INTERNET_SERVICE_NAMES = Object.keys(INTERNET_SERVICES) as [keyof typeof INTERNET_SERVICES, ...(keyof typeof INTERNET_SERVICES)[]];

/** What an upgrade within a series updates (instance/jobs/module-updates.ts). */
export const UPDATE_MODES = ['changed', 'all'] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];

/** Odoo series this project knows how to run; behaviour differs per series (demo data flags, neutralize). */
export const ODOO_SERIES = ['16.0', '17.0', '18.0', '19.0'] as const;
export type OdooSeries = (typeof ODOO_SERIES)[number];

/** A semantic version usable as an image tag: no build metadata ("+" is not allowed in tags). */
const releaseVersion = z
  .string()
  .regex(/^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/, {
    error: 'must be a semantic version such as 1.4.0 or 2.0.0-rc.1 (no "+build" part: it becomes an image tag)',
  });

const imageRepository = z
  .string()
  .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, {
    error: 'must be an image repository without a tag, such as registry.example.com/acme/odoo',
  });

export const release = z.object({
  version: releaseVersion.describe('Version of this build of the project, e.g. 1.4.0. Instances name it in spec.release.'),
  series: z.enum(ODOO_SERIES).describe('Odoo series the release runs on. Moving an instance to a release of another series is a migration.'),
  image: imageReference
    .optional()
    .describe('Image of the release. Default: <code.imageRepository>:<version>.'),
  retired: z
    .boolean()
    .default(false)
    .describe('A retired release is no longer pre-pulled and new instances may not use it; running instances keep it.'),
  runAsUser: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'Non-root UID this release\'s image runs Odoo as. Default code.runAsUser, else the odoo user of the official image of the series: 101 for 16.0 and 17.0, 100 for 18.0 and later.',
    ),
  updateModules: z
    .enum(UPDATE_MODES)
    .optional()
    .describe('What an upgrade to this release updates, over code.updateModules: all forces odoo -u all for this release (e.g. one that changes data every module reads).'),
  config: odooConfigLayer.optional().describe('odoo.conf settings of this release, over the code layer.'),
  migration: z
    .object({
      upgradePath: z
        .string()
        .regex(/^\/[^,]*$/, { error: 'must be an absolute path inside the image' })
        .describe(
          'Directory of OpenUpgrade migration scripts in this image, passed as --upgrade-path; e.g. the scripts/ folder of the openupgrade_scripts add-on, which must sit on addons_path like openupgrade_framework.',
        ),
      serverWideModules: z
        .array(z.string().regex(/^[a-z0-9_]+$/))
        .default(['base', 'web', 'openupgrade_framework'])
        .describe('Modules loaded while migrating (--load); OpenUpgrade needs openupgrade_framework.'),
    })
    .optional()
    .describe('Set when the image can migrate a database from the previous series to this one (OpenUpgrade).'),
});
export type Release = z.infer<typeof release>;

/** A namespace name, or the start of one followed by *. */
const namespacePattern = z
  .string()
  .regex(/^[a-z0-9][-a-z0-9]{0,62}\*?$/, { error: 'must be a namespace name, or the start of one followed by *, such as customer-*' });

/** Whether a namespace is `entry`, or starts with it when it ends in *. */
export function namespaceMatches(entry: string, namespace: string): boolean {
  return entry.endsWith('*') ? namespace.startsWith(entry.slice(0, -1)) : namespace === entry;
}

/** A user or group name as the API server's authenticator gives it: any text but control characters. */
const subjectName = z.string().min(1).max(253).regex(/^[^\x00-\x1F\x7F]+$/, { error: 'must hold no control character' });

export const appSpec = z.object({
  database: z
    .object({
      host: dnsSubdomain.describe('Host name Odoo and the lifecycle Jobs connect to, e.g. postgres.db.svc.cluster.local.'),
      port: z.number().int().min(1).max(65535).default(5432).describe('PostgreSQL port Odoo connects to.'),
      sslMode: z
        .enum(['disable', 'require', 'verify-ca', 'verify-full'])
        .default('require')
        .describe('TLS mode for every connection, provider-sql and Odoo alike.'),
      adminSecretRef: namespacedSecretRef.describe(
        'Secret with the credentials provider-sql uses to create roles and databases: keys username, password, endpoint and port unless remapped by adminSecretKeys.',
      ),
      adminSecretKeys: z
        .object({
          username: z.string().min(1).optional().describe('Key holding the user name; default username.'),
          password: z.string().min(1).optional().describe('Key holding the password; default password.'),
          endpoint: z.string().min(1).optional().describe('Key holding the server host name; default endpoint.'),
          port: z.string().min(1).optional().describe('Key holding the server port; default port.'),
        })
        .optional()
        .describe('Keys of adminSecretRef to read, when they are not username, password, endpoint and port.'),
      defaultDatabase: z.string().min(1).default('postgres').describe('Database provider-sql connects to for administration.'),
      appCredentials: z
        .object({
          connectionLimit: z
            .number()
            .int()
            .min(-1)
            .default(128)
            .describe('Connections each instance role may hold; -1 for no limit. Protects the server from one runaway tenant. An instance whose Odoo processes may hold more (web Pods and a rollout\'s extra one, cron, a Job; config.dbMaxconn each) is refused with the figures.'),
          statementTimeout: z
            .string()
            .regex(/^[0-9]+(ms|s|min|h)?$/, { error: 'must be a PostgreSQL duration such as 30s, 15min or 0 for none' })
            .optional()
            .describe('statement_timeout set on every instance role, e.g. 15min. Unset keeps the server default.'),
        })
        .prefault({})
        .describe('Policy for the per-instance roles: each instance gets its own LOGIN role, never a superuser, with a generated password.'),
    })
    .describe('The PostgreSQL server every instance of this App lives on.'),
  config: odooBaseConfig.prefault({}),
  code: z
    .object({
      imageRepository: imageRepository.describe('Image repository the project images are pushed to, e.g. registry.example.com/acme/odoo.'),
      pullSecretName: dnsSubdomain
        .optional()
        .describe('Image pull Secret, present in every namespace that runs this App (tenant namespaces and cache.namespace).'),
      repository: z
        .object({
          url: z.string().min(1).describe('Git URL of the addons repository the images are built from.'),
          secretName: dnsSubdomain.optional().describe('Secret holding the credentials of the repository, for builds.'),
        })
        .optional()
        .describe('Where the code comes from; shown in status so an operator can trace a release to its source.'),
      updateModules: z
        .enum(UPDATE_MODES)
        .default('changed')
        .describe(
          'What an upgrade within a series updates: changed (the installed modules whose code differs from what the database last ran, by checksum of their directory, and the modules depending on them) or all (odoo -u all). A database without recorded checksums is updated whole once.',
        ),
      addonsPaths: z
        .array(z.string().regex(/^\/[^,]*$/, { error: 'must be an absolute path without commas' }))
        .default(['/mnt/extra-addons'])
        .describe('Directories of the image holding the project addons, added to addons_path after the Odoo core addons.'),
      runAsUser: z
        .number()
        .int()
        .min(1)
        .optional()
        .describe(
          'Non-root UID every release image runs Odoo as, unless a release sets its own. Default the odoo user of the official image of each release\'s series (101 for 16.0 and 17.0, 100 for 18.0 and later).',
        ),
      fsGroup: z
        .number()
        .int()
        .min(1)
        .default(101)
        .describe('GID Odoo runs with and that owns the filestore volume: 101, the odoo group of every official image, lets releases of different series share a filestore.'),
      config: odooConfigLayer.optional().describe('odoo.conf settings of the code, over the App layer.'),
    })
    .describe('The project code: images, addons and their settings.'),
  filestore: z
    .object({
      size: quantity.default('10Gi').describe('Default filestore size of an instance.'),
      storageClassName: dnsSubdomain.optional().describe('Storage class of filestores; default the cluster default.'),
      allowedStorageClasses: z
        .array(dnsSubdomain)
        .max(16)
        .optional()
        .describe(
          'Storage classes a Tenant type or an Instance may choose for its filestore besides storageClassName. Unset, they may choose none other: a class decides where customer files live and whether they survive their claim (its reclaim policy).',
        ),
      accessMode: z
        .enum(['ReadWriteMany', 'ReadWriteOnce'])
        .default('ReadWriteMany')
        .describe('ReadWriteMany lets web, cron and copy Jobs share a filestore across nodes; ReadWriteOnce only works on one node.'),
    })
    .prefault({})
    .describe('Filestore (/var/lib/odoo) defaults for instances.'),
  releases: z
    .array(release)
    .min(1, { error: 'needs at least one release: add {version, series} for the image instances will run' })
    // Bounded so the API server can afford the CEL rules inside each release; retire and remove old ones.
    .max(64, { error: 'holds at most 64 releases: remove retired releases no instance runs' })
    .superRefine((releases, ctx) => {
      const seen = new Map<string, number>();
      releases.forEach((r, i) => {
        const first = seen.get(r.version);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'version'],
            message: `"${r.version}" is already the version of releases[${first}]; give every release a unique version`,
          });
        } else {
          seen.set(r.version, i);
        }
      });
    })
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['version'] })
    .describe('Releases instances can run, each a version of the code on an Odoo series.'),
  backup: backupPolicy.prefault({}),
  quotas: quotas.optional(),
  tenantNamespaces: z
    .array(namespacePattern)
    .max(256)
    .optional()
    .describe('Namespaces whose Tenants may use this App (its code, database server, quotas and domains): names, or the start of a name followed by *, such as customer-*. Unset, every namespace may; a Tenant of another namespace is refused, and so are its instances.'),
  lifecycle: z
    .object({ deadlines: jobDeadlines.prefault({}) })
    .prefault({})
    .describe('How the lifecycle Jobs run.'),
  channels: z
    .object({
      movers: z
        .object({
          groups: z
            .array(subjectName)
            .max(32)
            .default(['system:masters'])
            .describe('Groups whose members may set spec.crossplane, e.g. [system:masters, platform-admins].'),
          users: z.array(subjectName).max(32).default([]).describe('User names that may set spec.crossplane.'),
        })
        .prefault({})
        .describe('Who may move tenants between channels: set spec.crossplane (the Composition and its revision) of Tenants and Instances in the App’s tenant namespaces. Anyone else creates them on stable and leaves it as it is.'),
      crossplaneServiceAccount: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: 'must be namespace:name, e.g. crossplane-system:crossplane' })
        .default('crossplane-system:crossplane')
        .describe('namespace:name of Crossplane core’s service account, which writes spec.crossplane of every XR (the Composition it picked and its latest revision).'),
    })
    .prefault({})
    .describe('Channels (docs/devops.md: Tenant by tenant): who may choose the Composition, and so the function version, a Tenant or Instance runs on; the API server refuses everyone else.'),
  cache: z
    .object({
      prePull: z.boolean().default(true).describe('Pre-pull the images of releases that are not retired on every node, so upgrades start fast.'),
      namespace: dnsLabel.default('odoo-system').describe('Namespace of the pre-pull DaemonSet.'),
      pauseImage: imageReference.default('registry.k8s.io/pause:3.10').describe('Image the DaemonSet keeps running once the pulls are done.'),
      nodeSelector: z.record(z.string(), z.string()).optional().describe('Nodes to pre-pull on; default all.'),
    })
    .prefault({})
    .describe('Image cache on the nodes.'),
  routing: z
    .object({
      gatewayRef: z
        .object({
          name: dnsSubdomain.describe('Name of the Gateway.'),
          namespace: dnsLabel.describe('Namespace of the Gateway; also where tenant NetworkPolicies allow ingress from.'),
          sectionName: dnsSubdomain.optional().describe('Listener of the Gateway to attach to.'),
        })
        .describe('Gateway API Gateway that tenant HTTPRoutes attach to.')
        .optional(),
      allowedGateways: z
        .array(
          z.object({
            name: dnsSubdomain.describe('Name of the Gateway.'),
            namespace: dnsLabel.describe('Namespace of the Gateway.'),
            sectionName: dnsSubdomain.optional().describe('The one listener tenants may attach to; unset, any of its listeners.'),
          }),
        )
        .max(16)
        .optional()
        .describe(
          'Gateways a Tenant may choose (its spec.routing.gatewayRef) besides gatewayRef. Unset, none other: a Gateway decides who reaches the tenant, and its namespace is where the tenant NetworkPolicy lets traffic in from.',
        ),
      certificateIssuer: z
        .object({
          kind: z.enum(['ClusterIssuer', 'Issuer']).default('ClusterIssuer').describe('cert-manager issuer kind; an Issuer must exist in each tenant namespace.'),
          name: dnsSubdomain.describe('Name of the issuer.'),
        })
        .optional()
        .describe('cert-manager issuer of the certificates of tenants’ custom domains (Tenant spec.customDomains); without it, custom domains get routes but no Certificate.'),
      customDomainOwners: z
        .array(
          z.object({
            // One namespace by name, not a pattern: two namespaces routing a name would give it to the older route.
            namespace: dnsLabel.describe('The namespace whose Tenants may route these domains (its name: a domain belongs to one namespace).'),
            domains: z
              .array(
                z
                  .string()
                  .max(253)
                  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, {
                    error: 'must be a domain of at least two labels, such as acme.com: a top-level domain would give away every name below it',
                  }),
              )
              .min(1)
              .max(64)
              .describe('Domains, each with the names below it, e.g. acme.com (erp.acme.com, shop.acme.com).'),
          }),
        )
        .max(1024)
        .optional()
        .describe(
          'Who owns which custom domains (Tenant spec.customDomains): a Tenant routes a custom domain, and gets its Certificate, only when an entry for its namespace covers it. Add one once the customer has shown it owns the domain (a DNS TXT record, for instance). Unset, no custom domain is routed: otherwise the first tenant to list a name another customer points at the Gateway would take its traffic and its certificate.',
        ),
      allowedDomains: z
        .array(dnsSubdomain)
        .max(64)
        .optional()
        .describe(
          'Domains tenants’ host names must be under. With them, a Tenant’s baseHostName must be <namespace>.<domain> or below it, so no tenant can claim another’s hosts (each instance’s is <instance>.<baseHostName>). Set them on any platform where tenants do not trust each other.',
        ),
    })
    .optional()
    .describe('Routing defaults for tenants; a Tenant may override the Gateway.'),
  mail: z
    .object({
      outgoing: outgoingMailServer.optional(),
      catcher: mailCatcher.prefault({}),
      tenantSecretPrefix: tenantMailSecretPrefix,
    })
    .prefault({})
    .describe('Mail: the outgoing server of production instances (a Tenant may name its own), and the catcher of copies and tests.'),
  maintenance: z
    .object({
      enabled: z
        .boolean()
        .default(true)
        .describe('While an instance that serves a host is stopped (upgrade, migration, restore) or not ready yet, its host answers 503 with Retry-After from a maintenance page each Tenant composes.'),
      image: imageReference
        .optional()
        .describe('Image of the maintenance page server: any image with python3. Default the image of the newest release that is not retired, which the nodes already have.'),
      retryAfterSeconds: z.number().int().min(1).max(86400).default(300).describe('Retry-After of the 503 answers, in seconds.'),
      title: z
        .string()
        .min(1)
        .max(200)
        .regex(/^[^<>&\x00-\x1F\x7F]*$/, { error: 'must be one line of plain text (no <, > or &)' })
        .default('Under maintenance')
        .describe('Title of the page.'),
      message: z
        .string()
        .min(1)
        .max(2000)
        .regex(/^[^<>&\x00-\x08\x0B-\x1F\x7F]*$/, { error: 'must be plain text (no <, > or &)' })
        .default('This service is being upgraded and will be back in a few minutes.')
        .describe('Text of the page, e.g. your brand and where to get help. Plain text: it is escaped into the page.'),
    })
    .prefault({})
    .describe('The maintenance page customers see while their instance is stopped.'),
  network: z
    .object({
      postgres: z
        .object({
          cidrs: z
            .array(z.string().regex(/^[0-9a-fA-F:.]+\/[0-9]{1,3}$/, { error: 'must be a CIDR such as 10.20.0.5/32' }))
            .max(16)
            .optional()
            .describe('Addresses of the PostgreSQL server (or its load balancer), e.g. [10.20.0.5/32].'),
          namespace: dnsLabel.optional().describe('Namespace of the PostgreSQL Pods, when PostgreSQL runs in the cluster.'),
          podLabels: z.record(z.string(), z.string()).optional().describe('Labels of the PostgreSQL Pods in that namespace.'),
        })
        .superRefine((p, ctx) => {
          if ((p.cidrs?.length ?? 0) === 0 && p.namespace === undefined) {
            ctx.addIssue({ code: 'custom', message: 'needs cidrs, or a namespace (and podLabels) of the PostgreSQL Pods: tenant Pods may reach PostgreSQL there and nowhere else' });
          }
        })
        .describe('Where PostgreSQL is: the only place tenant Pods may open database connections to.'),
      dns: z
        .object({
          namespace: dnsLabel.default('kube-system').describe('Namespace of the cluster DNS.'),
          podLabels: z.record(z.string(), z.string()).default({ 'k8s-app': 'kube-dns' }).describe('Labels of the cluster DNS Pods.'),
        })
        .prefault({})
        .describe('The cluster DNS, the only DNS tenant Pods may ask.'),
      internetServices: z
        .array(z.enum(INTERNET_SERVICE_NAMES))
        .max(INTERNET_SERVICE_NAMES.length)
        .refine((names) => new Set(names).size === names.length, { error: 'lists a service twice' })
        .default(['smtp', 'https'])
        .describe(
          'Internet services tenant Pods may reach on public addresses when their Tenant allows internet egress: smtp (25, 465, 587), https (443), imap (143, 993), pop (110, 995), ldap (389, 636). Incoming mail servers (imap, pop) and LDAP are off until the App lists them. Private ranges stay closed.',
        ),
      tenantsMayDisablePolicy: z
        .boolean()
        .default(false)
        .describe('Let a Tenant turn its NetworkPolicy off (its spec.networkPolicy.enabled: false), opening every ingress and egress of its Pods. Off: the policy stays, and the Tenant is told.'),
    })
    .describe('What tenant NetworkPolicies let Odoo reach besides its own tenant.'),
});
export type AppSpec = z.infer<typeof appSpec>;

export const appResource = compositeResource(APP_API_VERSION, APP_KIND, appSpec);
export type App = z.infer<typeof appResource>;

export const appStatus = z.object({
  releases: z
    .array(
      z.object({
        version: z.string().describe('Version of the release.'),
        series: z.string().describe('Odoo series it runs on.'),
        image: z.string().describe('Image it resolves to.'),
        retired: z.boolean().describe('Whether it is retired.'),
      }),
    )
    .optional()
    .describe('The release catalogue: every release with the image it resolves to.'),
  latestReleases: z
    .record(z.string(), z.string())
    .optional()
    .describe('Newest release that is not retired, per Odoo series.'),
  providerConfigName: z.string().optional().describe('Name of the provider-sql ClusterProviderConfig instances use.'),
  deletionProtectionPolicy: z
    .string()
    .optional()
    .describe('The ValidatingAdmissionPolicy that refuses to delete protected instances and their data, once it and its binding exist; instances guard themselves with Crossplane Usages until then.'),
});
export type AppStatus = z.infer<typeof appStatus>;

/** Whether Tenants of `namespace` may use the App (spec.tenantNamespaces; unset: every namespace). */
export function appServesNamespace(app: App, namespace: string): boolean {
  const allowed = app.spec.tenantNamespaces;
  if (allowed === undefined) return true;
  return allowed.some((entry) => namespaceMatches(entry, namespace));
}
