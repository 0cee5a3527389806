// Hostile input, generated: Apps, Tenants and Instances (namespaced and
// through the claims edition) with names, hosts, module lists, SQL,
// odoo.conf options, sizes, unicode, control characters and huge lists an
// untrusted user might type. For every case the function answers — never an
// exception — with either a clear refusal (one Fatal result naming the
// field) or objects that keep the boundaries: names Kubernetes accepts,
// odoo.conf that Python's strict parser reads with each key once and no
// injected line, hosts only under the tenant's domain, SQL only as the
// instance's own. FUZZ_RUNS sets how many cases (npm test: 2,000; npm run
// fuzz: 100,000); the figures go to .work/fuzz.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunFunctionRequest, RunFunctionResponse, Severity, to } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compose } from '../../functions/compose.js';
import { ROOT } from '../../scripts/function-process.js';
import { example, requiredObjects, type Obj } from '../support/world.js';

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
  fc.constantFrom('acme.odoo.example', 'staging.acme.odoo.example', 'evil.odoo.example', 'odoo.example', 'acme.odoo.example.evil.test', '*.acme.odoo.example', '10.0.0.1', 'ACME.odoo.example', 'xn--caf-dma.acme.odoo.example', `${'a'.repeat(70)}.acme.odoo.example`),
  hostileText,
);
const modules = fc.oneof(fc.array(fc.oneof(fc.constantFrom('sale', 'stock', 'base', 'account'), hostileText), { maxLength: 6 }), fc.constant(Array.from({ length: 5000 }, (_, i) => `m${i}`)));
const sql = fc.oneof(fc.constantFrom('\\connect other_db', '\\! id', "COPY x TO PROGRAM 'id'", 'SELECT 1;'), hostileText, fc.constant('x'.repeat(200_000)));
const optionKey = fc.oneof(fc.constantFrom('smtp_server', 'smtp_password', 'admin_passwd', 'db_host', 'db_replica_host', 'workers', 'dev_mode', 'logfile', 'upgrade_path', 'pg_path', 'limit_time_real_cron', 'log_handler', 'import_file_maxbytes'), hostileText);
const options = fc.dictionary(optionKey, fc.oneof(fc.constantFrom('1', 'mail.example.com', 'x\nadmin_passwd = y'), hostileText), { maxKeys: 4 });
const quantity = fc.oneof(fc.constantFrom('1Gi', '100Ti', '0', '-1Gi', '1e9', '500m', '9999999999999999999Ei'), hostileText);
// JSON (what Kubernetes stores) carries no NaN or Infinity.
const size = fc.oneof(fc.integer({ min: -5, max: 10_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }), hostileText);
/** Mostly absent: one hostile field at a time reaches the composers past the others. */
const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
/** The example spec with a few of its fields replaced by hostile ones. */
function hostile(base: Obj, fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Obj> {
  return fc.record(Object.fromEntries(Object.entries(fields).map(([k, a]) => [k, sometimes(a)]))).map((over) => {
    const spec = structuredClone(base);
    for (const [k, v] of Object.entries(over)) if (v !== undefined) spec[k] = v;
    return spec;
  });
}
const resources = fc.record({ web: fc.record({ limits: fc.record({ cpu: quantity, memory: quantity }, { requiredKeys: [] }) }, { requiredKeys: [] }) }, { requiredKeys: [] });

const instanceSpec = hostile(example('instance-production.yaml').spec, {
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
});

const tenantSpec = hostile(example('tenant.yaml').spec, {
    appRef: fc.record({ name: fc.oneof(fc.constant('acme'), dnsish) }),
    baseHostName: host,
    primaryInstance: fc.oneof(fc.constantFrom('prod', 'staging', 'ci'), dnsish),
    production: fc.record({ replicas: size, resources, config: fc.record({ options }, { requiredKeys: [] }) }, { requiredKeys: [] }),
    quotas: fc.record({ maxReplicas: size, maxMemory: quantity }, { requiredKeys: [] }),
    testing: fc.record({ testTags: hostileText }, { requiredKeys: [] }),
});

const appSpec = fc.record({
  base: fc.constant(example('app.yaml').spec as Obj),
  options: sometimes(options),
  releases: fc.oneof(fc.constant(undefined), fc.array(fc.record({ version: fc.oneof(fc.constantFrom('1.4.1', '2.0.0'), hostileText), series: fc.oneof(fc.constantFrom('17.0', '18.0'), hostileText) }), { maxLength: 70 })),
  domains: fc.oneof(fc.constant(undefined), fc.array(host, { maxLength: 3 })),
});

type Edition = 'namespaced' | 'claims';

/** The XR Crossplane would send for an object a user applied, in either edition. */
function asXr(kind: 'Instance' | 'Tenant', name: string, spec: Obj, edition: Edition): Obj {
  const group = kind === 'Instance' ? 'instance.odoo.io/v1alpha1' : 'tenant.odoo.io/v1alpha1';
  if (edition === 'namespaced') return { apiVersion: group, kind, metadata: { name, namespace: 'acme', uid: 'u' }, spec };
  return { apiVersion: group, kind: `X${kind}`, metadata: { name: `${name}-x7k2p`, uid: 'u' }, spec: { ...spec, claimRef: { apiVersion: group, kind, name, namespace: 'acme' } } };
}

const cases = fc.oneof(
  fc.record({ kind: fc.constant('Instance' as const), name: dnsish, spec: instanceSpec, edition: fc.constantFrom<Edition>('namespaced', 'claims') }),
  fc.record({ kind: fc.constant('Tenant' as const), name: dnsish, spec: tenantSpec, edition: fc.constantFrom<Edition>('namespaced', 'claims') }),
  fc.record({ kind: fc.constant('App' as const), name: dnsish, spec: appSpec, edition: fc.constant<Edition>('namespaced') }),
);

function request(c: { kind: 'Instance' | 'Tenant' | 'App'; name: string; spec: Obj; edition: Edition }): RunFunctionRequest {
  let xr: Obj;
  if (c.kind === 'App') {
    const s = c.spec as { base: Obj; options: Obj; releases?: Obj[]; domains?: string[] };
    xr = {
      apiVersion: 'app.odoo.io/v1alpha1',
      kind: 'App',
      metadata: { name: c.name, uid: 'u' },
      spec: { ...s.base, ...(s.options ? { config: { options: s.options } } : {}), ...(s.releases ? { releases: s.releases } : {}), routing: { ...s.base.routing, ...(s.domains ? { allowedDomains: s.domains } : {}) } },
    };
  } else {
    xr = asXr(c.kind, c.name, c.spec, c.edition);
  }
  const objects = requiredObjects();
  const items = (kind: string) => objects.filter((o) => o.kind === kind).map((resource) => ({ resource }));
  return RunFunctionRequest.fromPartial({
    observed: { composite: { resource: xr }, resources: {} },
    desired: { resources: {} },
    requiredResources: { tenant: { items: items('Tenant') }, app: { items: items('App') }, source: { items: items('Instance').slice(0, 1) }, instances: { items: items('Instance') }, tenants: { items: items('Tenant') } },
  });
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A refusal a person can act on: it names what cannot be composed and a field or a rule, and shows no internals. */
const UNCLEAR = /undefined|\[object Object\]|NaN|internal error|\n\s+at /;

const figures = { cases: 0, refused: 0, composed: 0, crashes: 0, unclear: 0, confsParsed: 0 };
const confs: string[] = [];

describe(`hostile input (${RUNS} generated cases)`, () => {
  afterAll(() => {
    // Odoo reads odoo.conf with Python's configparser; a key twice or an injected section would stop it.
    if (confs.length > 0) {
      mkdirSync(join(ROOT, '.work'), { recursive: true });
      const file = join(ROOT, '.work', 'fuzz-confs.json');
      writeFileSync(file, JSON.stringify(confs));
      const out = execFileSync('python3', ['-c', "import configparser, json, sys\nn = 0\nfor text in json.load(open(sys.argv[1])):\n    p = configparser.ConfigParser(strict=True, interpolation=None)\n    p.read_string(text)\n    assert p.sections() == ['options'], p.sections()\n    n += 1\nprint(n)", file], { encoding: 'utf8' });
      figures.confsParsed = Number(out.trim());
    }
    writeFileSync(join(ROOT, '.work', 'fuzz.json'), `${JSON.stringify({ seed: SEED, ...figures }, null, 2)}\n`);
    process.stderr.write(`fuzz: ${JSON.stringify(figures)}\n`);
    expect(figures.confsParsed).toBe(confs.length);
  });

  it('never crashes: a clear refusal, or objects that keep every boundary', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        figures.cases++;
        const req = request(c as never);
        let rsp: RunFunctionResponse;
        try {
          rsp = await compose(req, to(req) as Parameters<typeof compose>[1]);
        } catch (error) {
          figures.crashes++;
          throw error;
        }
        const fatal = rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL);
        expect(fatal.length).toBeLessThanOrEqual(1);
        if (fatal.length === 1) {
          figures.refused++;
          const message = fatal[0]!.message;
          if (!/^cannot compose /.test(message) || UNCLEAR.test(message)) {
            figures.unclear++;
            expect.fail(`unclear refusal: ${message}`);
          }
          expect(Object.keys(rsp.desired?.resources ?? {})).toEqual([]);
          return;
        }
        figures.composed++;
        for (const [key, r] of Object.entries(rsp.desired?.resources ?? {})) {
          const o = r.resource as Obj;
          expect(o.metadata.name, key).toMatch(o.kind === 'Job' || o.kind === 'Deployment' || o.kind === 'Service' || o.kind === 'CronJob' ? LABEL : SUBDOMAIN);
          expect(o.metadata.name.length).toBeLessThanOrEqual(o.kind === 'CronJob' ? 52 : 253);
          if (o.kind === 'ConfigMap' && o.data?.['odoo.conf'] !== undefined) {
            const conf = o.data['odoo.conf'] as string;
            const keys = conf.split('\n').filter((l) => l.includes(' = ')).map((l) => l.split(' = ')[0]);
            expect(new Set(keys).size).toBe(keys.length);
            if (confs.length < 5000) confs.push(conf);
          }
          // The tenant's hosts, and the custom domain the example Tenant brings.
          if (o.kind === 'HTTPRoute') for (const h of o.spec.hostnames) expect(h).toMatch(/(^|\.)acme\.odoo\.example$|^erp\.acme\.com$/);
          // A Job that runs no Pod (a testing instance's lifetime) talks to nothing.
          if (o.kind === 'Job' && o.spec.parallelism !== 0) {
            // Every Job talks to PostgreSQL as the instance's own role.
            const env = o.spec.template.spec.containers[0].env as { name: string; value?: string }[];
            expect(env.find((e) => e.name === 'PGUSER')?.value).toMatch(/^acme_/);
          }
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(figures.crashes).toBe(0);
    expect(figures.unclear).toBe(0);
    // The generators reach the composers, not only the validation at the edge.
    expect(figures.composed).toBeGreaterThan(RUNS / 50);
  }, 3_600_000);
});
