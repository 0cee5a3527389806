// Properties of compose() over generated inputs: any XR (valid, half valid or
// garbage), any required and observed resources, gives a response — at most
// one Fatal result whose message says what cannot be composed — never an
// exception; the same request gives byte-identical responses; and no secret
// that reaches the function (connection details) ever leaves it. Most cases
// start from a lifecycle phase of the scenario folders (the XR with its
// status, the observed state it reached, its required objects under the
// names the composers ask for) with a few fields spoiled, so the properties
// see every kind the phases compose; the run fails when one was never seen.
import { RunFunctionRequest, RunFunctionResponse, Severity, to } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compose } from '../../functions/compose.js';
import { Reach } from '../support/reach.js';
import { requiredFor } from '../support/request.js';
import { example, goldenComposedKinds, scenarioSeeds, type Obj, type Seed } from '../support/world.js';

const SECRET = 'S3cr3t-pa55word-d0-not-leak';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);
const version = fc.constantFrom('1.4.1', '1.4.2', '2.0.0', '9.9.9', '1.3.2', 'v1', '');
const junk = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 2 }));

const instanceFields = {
  tenantRef: fc.oneof(fc.record({ name: fc.oneof(fc.constant('acme'), name) }), junk),
  release: fc.oneof(version, junk),
  type: fc.oneof(fc.constantFrom('production', 'staging', 'migration', 'testing'), junk),
  initModules: fc.oneof(fc.array(fc.constantFrom('sale', 'stock', 'Bad Module', ''), { maxLength: 3 }), junk),
  initSQL: fc.oneof(fc.record({ inline: fc.string() }, { requiredKeys: [] }), junk),
  source: fc.oneof(fc.record({ instance: fc.oneof(fc.constant('prod'), name) }), junk),
  replicas: fc.oneof(fc.integer({ min: -2, max: 60 }), junk),
  config: fc.oneof(fc.record({ workers: fc.integer({ min: -1, max: 70 }), options: fc.dictionary(fc.constantFrom('smtp_server', 'admin_passwd', 'db_host'), fc.string()) }, { requiredKeys: [] }), junk),
  deletionProtection: fc.oneof(fc.boolean(), junk),
};
const instanceSpec = fc.record(instanceFields, { requiredKeys: [] });

const tenantFields = {
  appRef: fc.oneof(fc.record({ name: fc.oneof(fc.constant('acme'), name) }), junk),
  baseHostName: fc.oneof(fc.constantFrom('acme.odoo.example', 'UPPER.example', ''), junk),
  primaryInstance: fc.oneof(fc.constantFrom('prod', 'staging', 'ci', 'nope'), junk),
  routing: fc.oneof(fc.record({ requestTimeout: fc.constantFrom('1h', '3600s', 'forever') }, { requiredKeys: [] }), junk),
  customDomains: fc.oneof(fc.array(fc.constantFrom('erp.acme.com', 'acme.odoo.example', 'x.odoo.example', 'UPPER.com'), { maxLength: 2 }), junk),
};
const tenantSpec = fc.record(tenantFields, { requiredKeys: [] });

/** The phases, each shown in a counterexample by its name rather than its objects. */
const SEEDS = scenarioSeeds().map((s) => Object.assign(s, { [fc.toStringMethod]: () => `seed(${s.name})` }));

/** Mostly absent: one spoiled field at a time leaves the rest of the phase intact. */
const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
/** A few of `fields`, generated; the others absent. */
const spoil = (fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Obj> =>
  fc.record(Object.fromEntries(Object.entries(fields).map(([k, a]) => [k, sometimes(a)]))).map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)));

/** An XR of a lifecycle phase, a few of its spec fields replaced by generated ones. */
const seeded = fc.constantFrom(...SEEDS).chain((seed) => {
  const fields: Record<string, fc.Arbitrary<unknown>> = seed.xr.kind === 'Instance' ? instanceFields : seed.xr.kind === 'Tenant' ? tenantFields : {};
  return spoil(fields).map((over) => ({ seed, xr: { ...seed.xr, spec: { ...seed.xr.spec, ...over } } as Obj }));
});

const anyXr = fc.oneof(
  fc.record({ apiVersion: fc.constant('instance.odoo.io/v1alpha1'), kind: fc.constant('Instance'), metadata: fc.record({ name, namespace: fc.constant('acme') }), spec: instanceSpec }),
  fc.record({ apiVersion: fc.constant('tenant.odoo.io/v1alpha1'), kind: fc.constant('Tenant'), metadata: fc.record({ name, namespace: fc.constant('acme') }), spec: tenantSpec }),
  fc.record({ apiVersion: fc.constant('app.odoo.io/v1alpha1'), kind: fc.constant('App'), metadata: fc.record({ name }), spec: fc.oneof(fc.constant(example('app.yaml').spec as Obj), fc.object({ maxDepth: 3 })) }),
  fc.record({ apiVersion: fc.string(), kind: fc.string(), metadata: junk, spec: junk }, { requiredKeys: [] }),
);

/** Mostly a phase; sometimes any XR at all, with the production phase's world. */
const PRODUCTION = SEEDS.find((s) => s.name === 'production-running')!;
const composite: fc.Arbitrary<{ seed: Seed; xr: Obj }> = fc.oneof({ weight: 4, arbitrary: seeded }, { weight: 1, arbitrary: anyXr.map((xr) => ({ seed: PRODUCTION, xr: xr as Obj })) });

/** Required resources as Crossplane may send them: mostly the phase's, sometimes some missing or mangled. */
const required = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ drop: [] as string[], mangle: undefined as Obj | undefined }) },
  { weight: 1, arbitrary: fc.record({ drop: fc.subarray(['App', 'Tenant', 'Instance']), mangle: fc.option(fc.object({ maxDepth: 2 }), { nil: undefined }) }) },
);

/** Observed composed resources besides the phase's: some with a phase-relevant status, some garbage. All carry secret connection details. */
const observed = fc.dictionary(
  fc.constantFrom('role', 'database', 'web', 'cron', 'route-primary', 'job-prod-init', 'extension-unaccent', 'junk'),
  fc.oneof(
    fc.constant({ kind: 'Role', status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
    fc.constant({ kind: 'Deployment', metadata: { labels: { 'odoo.io/release': '1.4.1' } }, spec: { replicas: 1 } }),
    fc.constant({ kind: 'Job', status: { conditions: [{ type: 'Failed', status: 'True' }] } }),
    fc.object({ maxDepth: 2 }),
  ),
  { maxKeys: 2 },
);
const extraObserved = fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: observed });

function request(c: { seed: Seed; xr: Obj }, req: { drop: string[]; mangle: Obj | undefined }, extra: Record<string, Obj>): RunFunctionRequest {
  const objects = c.seed.required.filter((o) => !req.drop.includes(o.kind)).map((o) => (req.mangle ? { ...o, spec: req.mangle } : o));
  const kind = typeof c.xr.kind === 'string' ? c.xr.kind : '';
  const obs = { ...c.seed.observed, ...extra };
  return RunFunctionRequest.fromPartial({
    meta: { tag: 'property' },
    observed: {
      composite: { resource: c.xr },
      resources: Object.fromEntries(
        Object.entries(obs).map(([k, v]) => [k, { resource: v, connectionDetails: { password: Buffer.from(SECRET), username: Buffer.from('acme_prod') } }]),
      ),
    },
    desired: { resources: {} },
    requiredResources: Object.fromEntries(Object.entries(requiredFor(kind, objects)).map(([k, v]) => [k, { items: v.map((resource) => ({ resource })) }])),
  });
}

async function run(req: RunFunctionRequest): Promise<Uint8Array> {
  // Each run gets its own copy: the SDK's response shares desired state with the request.
  const copy = RunFunctionRequest.decode(RunFunctionRequest.encode(req).finish());
  const rsp = await compose(copy, to(copy) as Parameters<typeof compose>[1]);
  return RunFunctionResponse.encode(rsp).finish();
}

/** What each property saw, by kind; a property that never saw a kind the phases compose fails. */
const reach = { answers: new Reach(false), determinism: new Reach(false), secrets: new Reach(false) };
const SEED = Number(process.env.PROPERTY_SEED ?? 20261125);

function count(into: Reach, c: { seed: Seed; xr: Obj }, rsp: RunFunctionResponse): void {
  into.cases++;
  if (rsp.results.some((r) => r.severity === Severity.SEVERITY_FATAL)) {
    into.refused++;
    return;
  }
  const composed = Object.values(rsp.desired?.resources ?? {});
  if (composed.length === 0) into.composedNothing++;
  else {
    into.composedSome++;
    into.phases.add(c.seed.name);
  }
  for (const r of composed) into.object(String(c.xr.kind), r.resource as Obj);
}

describe('compose over generated input', () => {
  afterAll(() => {
    for (const [name, r] of Object.entries(reach)) console.log(r.table(`property "${name}" (seed ${SEED})`, goldenComposedKinds()));
    // The phases' kinds, each seen by every property (backups and Usages need worlds only the fuzz makes).
    for (const [name, r] of Object.entries(reach)) expect(r.missing(goldenComposedKinds()), `kinds the "${name}" property never saw`).toEqual([]);
  });

  it('always answers, with at most one Fatal result that says what cannot be composed', async () => {
    await fc.assert(
      fc.asyncProperty(composite, required, extraObserved, async (c, req, obs) => {
        const bytes = await run(request(c, req, obs));
        const rsp = RunFunctionResponse.decode(bytes);
        count(reach.answers, c, rsp);
        const fatals = rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL);
        expect(fatals.length).toBeLessThanOrEqual(1);
        for (const f of fatals) {
          expect(f.message).toMatch(/^cannot compose[ :]/);
          expect(f.message).not.toMatch(/\n\s+at /); // no stack trace
        }
      }),
      // A fixed seed: the counts in afterAll judge the generators, and must not fall short by chance.
      { numRuns: 400, seed: SEED },
    );
    // The generators must reach the composers, not only the validation at the edge.
    expect(reach.answers.composedSome).toBeGreaterThan(400 / 3);
  });

  it('gives byte-identical responses to the same request', async () => {
    await fc.assert(
      fc.asyncProperty(composite, required, extraObserved, async (c, req, obs) => {
        const r = request(c, req, obs);
        const first = await run(r);
        const second = await run(r);
        count(reach.determinism, c, RunFunctionResponse.decode(first));
        if (!Buffer.from(first).equals(Buffer.from(second))) {
          // Show where they differ before failing on the bytes.
          expect(RunFunctionResponse.toJSON(RunFunctionResponse.decode(second))).toEqual(RunFunctionResponse.toJSON(RunFunctionResponse.decode(first)));
          expect.fail('the same request gave responses of different bytes');
        }
      }),
      { numRuns: 300, seed: SEED + 1 },
    );
  });

  it('never lets a secret from connection details into the response', async () => {
    await fc.assert(
      fc.asyncProperty(composite, required, extraObserved, async (c, req, obs) => {
        const bytes = await run(request(c, req, obs));
        count(reach.secrets, c, RunFunctionResponse.decode(bytes));
        expect(Buffer.from(bytes).includes(Buffer.from(SECRET)), 'the response holds a secret of the observed connection details').toBe(false);
      }),
      { numRuns: 300, seed: SEED + 2 },
    );
  });
});
