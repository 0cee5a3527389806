// Hostile input, generated: Apps, Tenants and Instances (namespaced and
// through the claims edition) with names, hosts, module lists, SQL,
// odoo.conf options, sizes, unicode, control characters and huge lists an
// untrusted user might type, each case starting from one lifecycle phase of
// the scenario folders (examples/scenarios: the XR with its status, the
// observed state the phase reached, its required objects), so the Jobs,
// Deployments, ConfigMaps, backups and routes of every phase are composed
// from hostile specs. For every case the function answers — never an
// exception — with either a clear refusal (one Fatal result naming the
// field) or objects that keep the boundaries: names Kubernetes accepts,
// odoo.conf that Python's strict parser reads with each key once and no
// injected line, hosts only the tenant may have, SQL only as the instance's
// own. The run fails when a kind the phases compose was never reached, no
// odoo.conf was parsed or no host checked. FUZZ_RUNS sets how many cases
// (npm test: 2,000; npm run fuzz: 100,000); the figures go to .work/fuzz.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunFunctionResponse, Severity, to } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compose } from '../../functions/compose.js';
import { ROOT } from '../../scripts/function-process.js';
import { extrasInGoldens, parseConfs, Reach } from '../support/reach.js';
import { request, requiredFor } from '../support/request.js';
import { scenarioSeeds, type Obj, type Seed } from '../support/world.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);

// What people type when they should not: unicode look-alikes, control characters, separators, injections.
const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('a.b', 'A', '-x', 'x-', 'café', 'ｐｒｏｄ', 'x\u0000y', 'x\ny', 'x\r\nadmin_passwd = 1', '../../etc', '$(id)', '`id`', "'; DROP DATABASE x; --", 'a'.repeat(300), '', ' ', '\u202Eevil'),
);
const dnsish = fc.oneof({ weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/) }, { weight: 1, arbitrary: hostileText });
const host = fc.oneof(
  fc.constantFrom('acme.odoo.example', 'staging.acme.odoo.example', 'shop.acme.odoo.example', 'evil.odoo.example', 'odoo.example', 'acme.odoo.example.evil.test', '*.acme.odoo.example', '10.0.0.1', 'ACME.odoo.example', 'xn--caf-dma.acme.odoo.example', `${'a'.repeat(70)}.acme.odoo.example`, 'erp.acme.com', 'erp.customer.com', 'rival.example', 'shop.rival.example', 'erp.rival.com', 'other.odoo.example'),
  hostileText,
);
const modules = fc.oneof(fc.array(fc.oneof(fc.constantFrom('sale', 'stock', 'base', 'account'), hostileText), { maxLength: 6 }), fc.constant(Array.from({ length: 5000 }, (_, i) => `m${i}`)));
const sql = fc.oneof(fc.constantFrom('\\connect other_db', '\\! id', "COPY x TO PROGRAM 'id'", 'SELECT 1;'), hostileText, fc.constant('x'.repeat(200_000)));
const optionKey = fc.oneof(
  // Keys an App, Tenant or Instance may set (some only the App's DevOps team), so the values reach odoo.conf.
  { weight: 2, arbitrary: fc.constantFrom('smtp_server', 'smtp_port', 'smtp_user', 'email_from', 'from_filter', 'log_handler', 'limit_time_real_cron', 'transient_age_limit', 'csv_internal_sep', 'websocket_rate_limit_burst') },
  { weight: 1, arbitrary: fc.constantFrom('smtp_password', 'admin_passwd', 'db_host', 'db_replica_host', 'workers', 'dev_mode', 'logfile', 'upgrade_path', 'pg_path', 'import_file_maxbytes') },
  { weight: 1, arbitrary: hostileText },
);
const options = fc.dictionary(optionKey, fc.oneof(fc.constantFrom('1', '600', 'mail.example.com', 'odoo.addons.sale:DEBUG', ';', 'x\nadmin_passwd = y', '%(here)s', '[options]'), hostileText), { maxKeys: 4 });
const quantity = fc.oneof(fc.constantFrom('1Gi', '100Ti', '0', '-1Gi', '1e9', '500m', '9999999999999999999Ei'), hostileText);
// JSON (what Kubernetes stores) carries no NaN or Infinity.
const size = fc.oneof(fc.integer({ min: -5, max: 10_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }), hostileText);
/** Mostly absent: one hostile field at a time reaches the composers past the others. */
const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 10, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
/** `base` with a few of `fields` replaced by hostile ones. */
function hostile(base: Obj, fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Obj> {
  return fc.record(Object.fromEntries(Object.entries(fields).map(([k, a]) => [k, sometimes(a)]))).map((over) => {
    const spec = structuredClone(base);
    for (const [k, v] of Object.entries(over)) if (v !== undefined) spec[k] = v;
    return spec;
  });
}
const resources = fc.record({ web: fc.record({ limits: fc.record({ cpu: quantity, memory: quantity }, { requiredKeys: [] }) }, { requiredKeys: [] }) }, { requiredKeys: [] });

/** The phases, each shown in a counterexample by its name rather than its objects. */
const SEEDS = scenarioSeeds().map((s) => Object.assign(s, { [fc.toStringMethod]: () => `seed(${s.name})` }));
const seedsOf = (kind: string) => SEEDS.filter((s) => s.xr.kind === kind);

/** Fields of an Instance's spec a case may replace with hostile ones. */
const instanceOverrides = {
  tenantRef: fc.record({ name: fc.oneof(fc.constant('acme'), dnsish) }),
  release: fc.oneof(fc.constantFrom('1.4.1', '1.4.2', '2.0.0'), hostileText),
  type: fc.oneof(fc.constantFrom('production', 'staging', 'migration', 'testing'), hostileText),
  initModules: modules,
  initSQL: fc.oneof(
    fc.record({ inline: sql }),
    fc.record({ secretKeyRef: fc.record({ name: fc.oneof(fc.constant('prod-init-sql'), dnsish), key: hostileText }) }),
    fc.record({ configMapKeyRef: fc.record({ name: fc.oneof(fc.constant('other-cm'), dnsish), key: hostileText }) }),
  ),
  source: fc.record({ instance: dnsish }),
  restore: fc.oneof(fc.record({ key: fc.oneof(fc.constantFrom('prod/scheduled/20261126T021703Z.zip', '../../other/prod.zip', '/abs.zip'), hostileText) }), fc.record({ latestOf: dnsish })),
  testTags: hostileText,
  replicas: size,
  resources,
  filestore: fc.record({ size: quantity }, { requiredKeys: [] }),
  config: fc.record({ workers: size, options }, { requiredKeys: [] }),
  deletionProtection: fc.oneof(fc.boolean(), hostileText),
  dataRetention: fc.oneof(fc.constantFrom('Retain', 'Delete'), hostileText),
};

/** Fields of a Tenant's spec a case may replace with hostile ones. */
const tenantOverrides = {
  appRef: fc.record({ name: fc.oneof(fc.constant('acme'), dnsish) }),
  baseHostName: host,
  customDomains: fc.array(host, { maxLength: 3 }),
  primaryInstance: fc.oneof(fc.constantFrom('prod', 'staging', 'ci', 'v18'), dnsish),
  production: fc.record({ replicas: size, resources, config: fc.record({ options }, { requiredKeys: [] }) }, { requiredKeys: [] }),
  quotas: fc.record({ maxReplicas: size, maxMemory: quantity }, { requiredKeys: [] }),
  testing: fc.record({ testTags: hostileText }, { requiredKeys: [] }),
};

/** A name: mostly the seed's (its observed state and the Tenant's instances refer to it), else a hostile one. */
const nameOr = (seed: string) => fc.oneof({ weight: 4, arbitrary: fc.constant(seed) }, { weight: 1, arbitrary: dnsish });

const STORAGE = { endpoint: 'https://s3.eu-central-1.amazonaws.com', bucket: 'acme-odoo-backups', prefix: 'odoo', region: 'eu-central-1', credentialsSecretName: 'odoo-backup-s3' };
/** An older Tenant of the namespace with hosts of its own: its claims must never be routed by another. */
const RIVAL = {
  apiVersion: 'tenant.odoo.io/v1alpha1',
  kind: 'Tenant',
  metadata: { name: 'rival', namespace: 'acme', creationTimestamp: '2020-01-01T00:00:00Z' },
  spec: { appRef: { name: 'acme' }, baseHostName: 'rival.example', primaryInstance: 'prod', customDomains: ['erp.rival.com'] },
};
const CREATED = '2025-01-01T00:00:00Z';

/** Changes to the seed's required objects: backup storage (scheduled backups), an App without its policy yet (Usages), a rival Tenant. */
const world = fc.record({
  backup: fc.constantFrom('none', 'app', 'tenant'),
  backupCron: sometimes(fc.oneof(fc.constantFrom('30 2 * * *', '* * * * * *', '0 3 * * *\n'), hostileText)),
  backupPrefix: sometimes(fc.oneof(fc.constantFrom('../other', 'a/../b', 'odoo/acme'), hostileText)),
  appPolicy: fc.boolean(),
  rival: fc.boolean(),
  // The DevOps team's and the KAM's odoo.conf options reach every instance's file.
  appOptions: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: options }),
  tenantOptions: sometimes(options),
});
type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

function requiredOf(seed: Seed, w: World): Obj[] {
  const objects = structuredClone(seed.required);
  const app = objects.find((o) => o.kind === 'App');
  const tenant = objects.find((o) => o.kind === 'Tenant');
  const storage = { ...STORAGE, ...(typeof w.backupPrefix === 'string' ? { prefix: w.backupPrefix } : {}) };
  const policy = { storage, ...(w.backupCron !== undefined ? { schedule: { cron: w.backupCron } } : {}) };
  if (app && w.backup === 'app') app.spec.backup = policy;
  if (tenant && w.backup === 'tenant') tenant.spec.production = { ...tenant.spec.production, backup: policy };
  if (app && !w.appPolicy && app.status) delete app.status.deletionProtectionPolicy;
  if (app && w.appOptions !== undefined) app.spec.config = { ...app.spec.config, options: w.appOptions };
  if (tenant && w.tenantOptions !== undefined) for (const type of ['production', 'staging', 'testing']) tenant.spec[type] = { ...tenant.spec[type], config: { ...tenant.spec[type]?.config, options: w.tenantOptions } };
  return w.rival ? [...objects, structuredClone(RIVAL)] : objects;
}

type Edition = 'namespaced' | 'claims';

/** The XR Crossplane would send for the seed's object with `spec`, in either edition; the seed's status stays. */
function asXr(seed: Seed, name: string, spec: Obj, edition: Edition): Obj {
  const { apiVersion, kind, status } = seed.xr;
  const metadata = { ...seed.xr.metadata, name, creationTimestamp: CREATED };
  if (edition === 'namespaced') return { apiVersion, kind, metadata, spec, ...(status ? { status } : {}) };
  const { namespace, ...cluster } = metadata;
  return { apiVersion, kind: `X${kind}`, metadata: { ...cluster, name: `${name}-x7k2p` }, spec: { ...spec, claimRef: { apiVersion, kind, name, namespace } }, ...(status ? { status } : {}) };
}

interface Case {
  seed: Seed;
  xr: Obj;
  required: Obj[];
}

const namespacedCase = (kind: 'Instance' | 'Tenant', fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Case> =>
  fc.constantFrom(...seedsOf(kind)).chain((seed) =>
    fc.record({ name: nameOr(seed.xr.metadata.name), spec: hostile(seed.xr.spec, fields), edition: fc.constantFrom<Edition>('namespaced', 'claims'), w: world }).map(({ name, spec, edition, w }) => ({
      seed,
      xr: asXr(seed, name, spec, edition),
      required: requiredOf(seed, w),
    })),
  );

const appCase: fc.Arbitrary<Case> = fc.constantFrom(...seedsOf('App')).chain((seed) =>
  fc
    .record({
      name: nameOr(seed.xr.metadata.name),
      options: sometimes(options),
      releases: fc.oneof(fc.constant(undefined), fc.array(fc.record({ version: fc.oneof(fc.constantFrom('1.4.1', '2.0.0'), hostileText), series: fc.oneof(fc.constantFrom('17.0', '18.0'), hostileText) }), { maxLength: 70 })),
      domains: fc.oneof(fc.constant(undefined), fc.array(host, { maxLength: 3 })),
    })
    .map((s) => {
      const spec = structuredClone(seed.xr.spec) as Obj;
      if (s.options) spec.config = { ...spec.config, options: s.options };
      if (s.releases) spec.releases = s.releases;
      if (s.domains) spec.routing = { ...spec.routing, allowedDomains: s.domains };
      return { seed, xr: { ...seed.xr, metadata: { ...seed.xr.metadata, name: s.name }, spec }, required: [] };
    }),
);

const cases = fc.oneof(
  { weight: 5, arbitrary: namespacedCase('Instance', instanceOverrides) },
  { weight: 3, arbitrary: namespacedCase('Tenant', tenantOverrides) },
  { weight: 1, arbitrary: appCase },
);

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A refusal a person can act on: it names what cannot be composed and a field or a rule, and shows no internals. */
const UNCLEAR = /undefined|\[object Object\]|NaN|internal error|\n\s+at /;

const overlaps = (a: string, b: string) => a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
const under = (h: string, d: string) => h === d || h.endsWith(`.${d}`);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : typeof v === 'string' && v !== '' ? [v] : []);

/**
 * Why a Tenant may not serve `h`, or undefined when it may — written from
 * the rules (docs: host ownership), not from the function: under its own
 * <namespace>.<allowed domain>, or a custom domain it lists outside the
 * platform's domains; the host it routes now (and names under it) until it
 * may move; never a host an older Tenant of the namespace claims.
 */
function hostRefusal(h: string, c: Case, subject: Obj): string | undefined {
  if (!SUBDOMAIN.test(h) || h.length > 253) return `"${h}" is not a DNS name`;
  const namespace = subject.metadata.namespace as string;
  const app = c.required.find((o) => o.kind === 'App');
  const domains = strings(app?.spec?.routing?.allowedDomains);
  const own = domains.map((d) => `${namespace}.${d}`);
  const routedNow = (c.seed.observed['route-primary']?.spec?.hostnames ?? []) as string[];
  const mine = { created: CREATED, name: subject.metadata.name as string };
  for (const other of c.required.filter((o) => o.kind === 'Tenant' && o.metadata.name !== mine.name)) {
    const created = other.metadata.creationTimestamp ?? '';
    if (!(created < mine.created || (created === mine.created && other.metadata.name < mine.name))) continue;
    const claimed = [...strings(other.spec?.baseHostName), ...strings(other.status?.baseHostName), ...strings(other.spec?.customDomains)];
    const taken = claimed.find((t) => overlaps(t, h));
    // The host it routed before the other claimed it stays (what routes keeps routing).
    if (taken !== undefined && !routedNow.some((r) => under(h, r))) return `"${h}" overlaps "${taken}" of the older Tenant ${other.metadata.name}`;
  }
  if (routedNow.some((r) => under(h, r))) return undefined;
  if (domains.length === 0 || own.some((o) => under(h, o))) return undefined;
  const custom = strings(subject.spec.customDomains).includes(h);
  const platform = domains.find((d) => overlaps(h, d));
  if (custom && platform === undefined && !overlaps(h, subject.spec.baseHostName)) return undefined;
  return `"${h}" is neither under ${own.join(', ')} nor a custom domain the Tenant may have`;
}

const reach = new Reach();
const confs = new Set<string>();
const CONF_SAMPLE = 20_000;

describe(`hostile input (${RUNS} generated cases)`, () => {
  afterAll(() => {
    mkdirSync(join(ROOT, '.work'), { recursive: true });
    reach.confsParsed = parseConfs([...confs], join(ROOT, '.work', 'fuzz-confs.json'));
    writeFileSync(join(ROOT, '.work', 'fuzz.json'), `${JSON.stringify({ seed: SEED, runs: RUNS, ...reach.figures() }, null, 2)}\n`);
    console.log(reach.table(`fuzz (${RUNS} cases, seed ${SEED})`));
    expect(reach.confsParsed).toBe(confs.size);
    expect(reach.confsParsed, 'no odoo.conf was parsed').toBeGreaterThan(0);
    expect(reach.hostsChecked, 'no route host was checked').toBeGreaterThan(0);
    expect(reach.missing(), 'kinds the lifecycle phases compose that no case reached').toEqual([]);
    expect(extrasInGoldens(), 'kinds declared beyond the goldens that a golden now composes').toEqual([]);
  });

  it('never crashes: a clear refusal, or objects that keep every boundary', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        reach.cases++;
        const req = request(c.xr, c.seed.observed, requiredFor(c.xr.kind, c.required));
        let rsp: RunFunctionResponse;
        try {
          rsp = await compose(req, to(req) as Parameters<typeof compose>[1]);
        } catch (error) {
          reach.crashes++;
          throw error;
        }
        const fatal = rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL);
        expect(fatal.length).toBeLessThanOrEqual(1);
        if (fatal.length === 1) {
          reach.refused++;
          const message = fatal[0]!.message;
          if (!/^cannot compose /.test(message) || UNCLEAR.test(message)) {
            reach.unclear++;
            expect.fail(`unclear refusal: ${message}`);
          }
          expect(Object.keys(rsp.desired?.resources ?? {})).toEqual([]);
          return;
        }
        const composed = Object.entries(rsp.desired?.resources ?? {});
        if (composed.length === 0) reach.composedNothing++;
        else {
          reach.composedSome++;
          reach.phases.add(c.seed.name);
        }
        // The claim the claims edition's XR stands for: its name and namespace are what the objects derive from.
        const subject = c.xr.spec.claimRef ? { ...c.xr, metadata: { name: c.xr.spec.claimRef.name, namespace: c.xr.spec.claimRef.namespace } } : c.xr;
        for (const [key, r] of composed) {
          const o = r.resource as Obj;
          reach.object(c.xr.kind, o);
          expect(o.metadata.name, key).toMatch(o.kind === 'Job' || o.kind === 'Deployment' || o.kind === 'Service' || o.kind === 'CronJob' ? LABEL : SUBDOMAIN);
          expect(o.metadata.name.length).toBeLessThanOrEqual(o.kind === 'CronJob' ? 52 : 253);
          if (o.kind === 'ConfigMap' && o.data?.['odoo.conf'] !== undefined) {
            const conf = o.data['odoo.conf'] as string;
            reach.confsChecked++;
            const keys = conf.split('\n').filter((l) => l.includes(' = ')).map((l) => l.split(' = ')[0]);
            expect(keys.filter((k, i) => keys.indexOf(k) !== i), `odoo.conf of ${key} sets these keys twice`).toEqual([]);
            // The instance's own database, as its own role, and nothing else.
            const value = (k: string) => conf.match(new RegExp(`^${k} = (.*)$`, 'm'))?.[1];
            expect(value('db_user')).toMatch(/^acme_[a-z0-9-]+$/);
            expect(value('db_name')).toBe(value('db_user'));
            // No dbfilter: with one, Odoo lists the server's databases on every request without a session.
            expect(value('dbfilter')).toBeUndefined();
            if (confs.size < CONF_SAMPLE) confs.add(conf);
          }
          if (o.kind === 'HTTPRoute' || o.kind === 'Certificate') {
            for (const h of (o.kind === 'HTTPRoute' ? o.spec.hostnames : o.spec.dnsNames) as string[]) {
              reach.hostsChecked++;
              const refusal = hostRefusal(h, c, subject);
              if (refusal !== undefined) expect.fail(`${o.kind} ${key} serves a host the Tenant may not have: ${refusal}`);
            }
          }
          // Every Pod that talks to PostgreSQL does so as the instance's own role; a Job that runs no Pod (a testing instance's lifetime) talks to nothing.
          const pod = o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.kind === 'Job' && o.spec.parallelism !== 0 ? o.spec.template.spec : o.kind === 'Deployment' ? o.spec.template.spec : undefined;
          for (const container of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])] as { env?: { name: string; value?: string }[] }[]) {
            const user = container.env?.find((e) => e.name === 'PGUSER')?.value;
            if (user !== undefined) expect(user).toMatch(/^acme_/);
          }
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(reach.crashes).toBe(0);
    expect(reach.unclear).toBe(0);
    // The generators reach the composers, not only the validation at the edge.
    expect(reach.composedSome).toBeGreaterThan(RUNS / 5);
  }, 3_600_000);
});
