// Who may set each field a key account manager or an end user writes, and
// what bounds it beyond its schema: the trust boundaries SECURITY.md states,
// field by field. Every spec field of the Tenant and the Instance must match
// one rule (a unit test walks the generated XRDs), so a new field is
// classified when it is added; SECURITY.md carries the tables generated from
// these rules and the schemas. Every App field is the DevOps team's.
//
// Patterns are dotted paths; `*` stands for one segment, `**` for the rest.
// The first rule a field matches is its rule.

export interface AuthorityRule {
  fields: string;
  /** What bounds the field beyond its schema, and where it is enforced. */
  bound: string;
}

/** The instance types a Tenant gives defaults to. */
const TYPES = '{staging,migration,testing,production}';

const SIZING: AuthorityRule[] = [
  { fields: `spec.${TYPES}.replicas`, bound: 'App and Tenant `spec.quotas.maxReplicas` (the tighter); refused above it' },
  { fields: `spec.${TYPES}.config.workers`, bound: '`spec.quotas.maxWorkers`; and the memory limit it derives counts against `maxMemory`' },
  { fields: `spec.${TYPES}.config.{maxCronThreads,limitMemoryHard}`, bound: 'the memory limit they derive counts against `spec.quotas.maxMemory`' },
  { fields: `spec.${TYPES}.config.dbMaxconn`, bound: 'the connection budget: every process’s pool within the role’s connection limit (App `database.appCredentials.connectionLimit`); refused with the figures' },
  { fields: `spec.${TYPES}.config.options`, bound: 'the odoo.conf allow-list for tenants, per series (`functions/shared/odoo-options.ts`): no secrets, files, binaries, code paths or other database servers; XRD (CEL) and function' },
  { fields: `spec.${TYPES}.config.serverWideModules`, bound: 'modules of the release image the App names' },
  { fields: `spec.${TYPES}.config.*`, bound: 'schema only' },
  { fields: `spec.${TYPES}.resources.*.*.cpu`, bound: '`spec.quotas.maxCpu`' },
  { fields: `spec.${TYPES}.resources.*.*.memory`, bound: '`spec.quotas.maxMemory`' },
  { fields: `spec.${TYPES}.filestore.size`, bound: '`spec.quotas.maxFilestore`' },
  { fields: `spec.${TYPES}.filestore.storageClassName`, bound: 'one the App offers: its `filestore.storageClassName` or `filestore.allowedStorageClasses`; refused otherwise' },
  { fields: `spec.${TYPES}.autoscaling.{minReplicas,maxReplicas}`, bound: '`spec.quotas.maxReplicas`' },
  { fields: `spec.${TYPES}.autoscaling.targetCPUUtilization`, bound: 'schema only' },
];

export const TENANT_AUTHORITY: AuthorityRule[] = [
  { fields: 'spec.appRef.name', bound: 'immutable (CEL); the App must list the Tenant’s namespace in `spec.tenantNamespaces`, else the Tenant and its instances are refused' },
  { fields: 'spec.baseHostName', bound: '`<namespace>.<domain>` or below it, for a domain of the App’s `routing.allowedDomains`; the first Tenant of the namespace keeps it; locked while an instance transitions' },
  { fields: 'spec.primaryInstance', bound: 'a Running, non-testing instance of this tenant; a promotion waits while another transition runs' },
  { fields: 'spec.languages', bound: 'codes of the release image’s own language list: the init Job refuses others before touching the database' },
  ...SIZING,
  { fields: `spec.${TYPES}.backup.storage.**`, bound: 'the App’s alone (where backups go, with which key): refused by the XRD, ignored by the function with a warning' },
  { fields: `spec.${TYPES}.backup.image`, bound: 'the App’s alone (what runs beside the namespace’s S3 key and the whole backup): refused by the XRD, ignored by the function with a warning' },
  { fields: `spec.${TYPES}.backup.**`, bound: 'schema only: the schedule, retention and failure handling of the tenant’s own backups' },
  { fields: 'spec.staging.neutralize', bound: 'ignored, with a warning: every staging copy is neutralized' },
  { fields: 'spec.migration.targetRelease', bound: 'a release the App lists' },
  { fields: 'spec.testing.testTags', bound: 'schema only' },
  { fields: 'spec.testing.lifetime', bound: 'at most App and Tenant `spec.quotas.maxTestingLifetime` (a cap); unset, that maximum applies' },
  { fields: 'spec.customDomains', bound: 'only domains the App lists for the tenant’s namespace (`routing.customDomainOwners`, once the customer showed it owns them), or names under the tenant’s own `<namespace>.<domain>`; not the base host; within a namespace the first claim keeps it' },
  { fields: 'spec.mail.outgoing.passwordSecretRef.**', bound: 'only the tenant’s own mail Secret (the App’s `mail.tenantSecretPrefix` and the Tenant’s name); another Secret is ignored for the App’s mail server, with a warning' },
  { fields: 'spec.mail.outgoing.**', bound: 'schema; Odoo reaches it only on the ports the App’s `network.internetServices` open' },
  { fields: 'spec.routing.gatewayRef.**', bound: 'a Gateway the App offers: its `routing.gatewayRef` or `routing.allowedGateways`; another is ignored for the App’s, with a warning' },
  { fields: 'spec.routing.requestTimeout', bound: 'schema only' },
  { fields: 'spec.quotas.**', bound: 'the Tenant’s own limits on its instances; the App’s `spec.quotas` still apply, the tighter wins' },
  { fields: 'spec.networkPolicy.enabled', bound: 'false only where the App sets `network.tenantsMayDisablePolicy`; else ignored with a warning' },
  { fields: 'spec.networkPolicy.internetEgress', bound: 'can only close what the App’s `network.internetServices` open' },
  { fields: 'spec.networkPolicy.postgresCIDR', bound: 'unused, with a warning: the App says where PostgreSQL is' },
];

export const INSTANCE_AUTHORITY: AuthorityRule[] = [
  { fields: 'spec.tenantRef.name', bound: 'immutable (CEL); a Tenant of the same namespace, whose App serves the namespace' },
  { fields: 'spec.type', bound: 'immutable (CEL)' },
  { fields: 'spec.release', bound: 'a release the App lists; another series only through a migration instance' },
  { fields: 'spec.initModules', bound: '`spec.quotas.maxInitModules`; each must be installable from the release image (the init Job fails, naming it)' },
  { fields: 'spec.languages', bound: 'codes of the release image’s own language list' },
  { fields: 'spec.initSQL.inline', bound: 'runs as the instance’s own role (no superuser, its database only), through psycopg2 in one transaction: no `\\connect`, no shell' },
  { fields: 'spec.initSQL.*.**', bound: 'only a ConfigMap or Secret named after the instance (`<instance>-…`), its one key' },
  { fields: 'spec.testTags', bound: 'schema only' },
  { fields: 'spec.source.instance', bound: 'immutable (CEL); an instance of the same namespace' },
  { fields: 'spec.restore.**', bound: 'immutable (CEL); backups below the tenant’s own directory of the App’s bucket only' },
  ...SIZING.map((r) => ({ ...r, fields: r.fields.replace(`spec.${TYPES}.`, 'spec.') })),
  { fields: 'spec.deletionProtection', bound: 'the end user’s; while on, the App’s ValidatingAdmissionPolicy makes the API server refuse deleting the Instance, its filestore claim and its Database object' },
  { fields: 'spec.dataRetention', bound: 'the end user’s: Delete drops the database with the instance (refused while deletion protection is on)' },
];

/** A pattern's segments, each a set of names (`{a,b}`), `*`, or `**`. */
function segments(pattern: string): string[][] {
  const out: string[][] = [];
  let depth = 0;
  let current = '';
  for (const ch of pattern) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === '.' && depth === 0) {
      out.push(current.startsWith('{') ? current.slice(1, -1).split(',') : [current]);
      current = '';
    } else current += ch;
  }
  out.push(current.startsWith('{') ? current.slice(1, -1).split(',') : [current]);
  return out;
}

/** Whether a dotted field path matches a pattern. */
export function fieldMatches(pattern: string, field: string): boolean {
  const want = segments(pattern);
  const have = field.split('.');
  for (let i = 0; i < want.length; i++) {
    const options = want[i]!;
    if (options[0] === '**') return have.length > i;
    if (i >= have.length) return false;
    if (options[0] !== '*' && !options.includes(have[i]!)) return false;
  }
  return want.length === have.length;
}

/** The first rule a field matches, or undefined. */
export function authorityOf(rules: readonly AuthorityRule[], field: string): AuthorityRule | undefined {
  return rules.find((r) => fieldMatches(r.fields, field));
}
