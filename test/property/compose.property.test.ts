// Properties of compose() over generated inputs: any XR (valid, half valid or
// garbage), any required and observed resources, gives a response — at most
// one Fatal result whose message says what cannot be composed — never an
// exception; the same request gives byte-identical responses; and no secret
// that reaches the function (connection details) ever leaves it.
import { RunFunctionRequest, RunFunctionResponse, Severity, to } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compose } from '../../functions/compose.js';
import { example, requiredObjects, type Obj } from '../support/world.js';

const SECRET = 'S3cr3t-pa55word-d0-not-leak';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);
const version = fc.constantFrom('1.4.1', '1.4.2', '2.0.0', '9.9.9', '1.3.2', 'v1', '');
const junk = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 2 }));

const instanceSpec = fc.record(
  {
    tenantRef: fc.oneof(fc.record({ name: fc.oneof(fc.constant('acme'), name) }), junk),
    release: fc.oneof(version, junk),
    type: fc.oneof(fc.constantFrom('production', 'staging', 'migration', 'testing'), junk),
    initModules: fc.oneof(fc.array(fc.constantFrom('sale', 'stock', 'Bad Module', ''), { maxLength: 3 }), junk),
    initSQL: fc.oneof(fc.record({ inline: fc.string() }, { requiredKeys: [] }), junk),
    source: fc.oneof(fc.record({ instance: fc.oneof(fc.constant('prod'), name) }), junk),
    replicas: fc.oneof(fc.integer({ min: -2, max: 60 }), junk),
    config: fc.oneof(fc.record({ workers: fc.integer({ min: -1, max: 70 }), options: fc.dictionary(fc.constantFrom('smtp_server', 'admin_passwd', 'db_host'), fc.string()) }, { requiredKeys: [] }), junk),
    deletionProtection: fc.oneof(fc.boolean(), junk),
  },
  { requiredKeys: [] },
);

const tenantSpec = fc.record(
  {
    appRef: fc.oneof(fc.record({ name: fc.oneof(fc.constant('acme'), name) }), junk),
    baseHostName: fc.oneof(fc.constantFrom('acme.odoo.example', 'UPPER.example', ''), junk),
    primaryInstance: fc.oneof(fc.constantFrom('prod', 'staging', 'ci', 'nope'), junk),
    routing: fc.oneof(fc.record({ requestTimeout: fc.constantFrom('1h', '3600s', 'forever') }, { requiredKeys: [] }), junk),
  },
  { requiredKeys: [] },
);

const composite = fc.oneof(
  fc.record({ apiVersion: fc.constant('instance.odoo.io/v1alpha1'), kind: fc.constant('Instance'), metadata: fc.record({ name, namespace: fc.constant('acme') }), spec: instanceSpec }),
  fc.record({ apiVersion: fc.constant('tenant.odoo.io/v1alpha1'), kind: fc.constant('Tenant'), metadata: fc.record({ name, namespace: fc.constant('acme') }), spec: tenantSpec }),
  fc.record({ apiVersion: fc.constant('app.odoo.io/v1alpha1'), kind: fc.constant('App'), metadata: fc.record({ name }), spec: fc.oneof(fc.constant(example('app.yaml').spec as Obj), fc.object({ maxDepth: 3 })) }),
  fc.record({ apiVersion: fc.string(), kind: fc.string(), metadata: junk, spec: junk }, { requiredKeys: [] }),
);

/** Required resources as Crossplane may send them: the real ones, some missing, some mangled. */
const required = fc.record({
  drop: fc.subarray(['App', 'Tenant', 'Instance']),
  mangle: fc.option(fc.object({ maxDepth: 2 }), { nil: undefined }),
});

/** Observed composed resources, some with a phase-relevant status, all with secret connection details. */
const observed = fc.dictionary(
  fc.constantFrom('role', 'database', 'web', 'cron', 'route-primary', 'job-prod-init', 'extension-unaccent'),
  fc.oneof(
    fc.constant({ kind: 'Role', status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
    fc.constant({ kind: 'Deployment', metadata: { labels: { 'odoo.io/release': '1.4.1' } }, spec: { replicas: 1 } }),
    fc.constant({ kind: 'Job', status: { conditions: [{ type: 'Failed', status: 'True' }] } }),
    fc.object({ maxDepth: 2 }),
  ),
  { maxKeys: 5 },
);

function request(xr: Obj, req: { drop: string[]; mangle: Obj | undefined }, obs: Record<string, Obj>): RunFunctionRequest {
  const objects = requiredObjects().filter((o) => !req.drop.includes(o.kind));
  const items = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => ({ resource: req.mangle ? { ...o, spec: req.mangle } : o }));
  return RunFunctionRequest.fromPartial({
    meta: { tag: 'property' },
    observed: {
      composite: { resource: xr },
      resources: Object.fromEntries(
        Object.entries(obs).map(([k, v]) => [k, { resource: v, connectionDetails: { password: Buffer.from(SECRET), username: Buffer.from('acme_prod') } }]),
      ),
    },
    desired: { resources: {} },
    requiredResources: {
      tenant: { items: items('Tenant') },
      app: { items: items('App') },
      source: { items: items('Instance').slice(0, 1) },
      instances: { items: items('Instance') },
    },
  });
}

async function run(req: RunFunctionRequest): Promise<Uint8Array> {
  // Each run gets its own copy: the SDK's response shares desired state with the request.
  const copy = RunFunctionRequest.decode(RunFunctionRequest.encode(req).finish());
  const rsp = await compose(copy, to(copy) as Parameters<typeof compose>[1]);
  return RunFunctionResponse.encode(rsp).finish();
}

describe('compose over generated input', () => {
  it('always answers, with at most one Fatal result that says what cannot be composed', async () => {
    let composedSome = 0;
    await fc.assert(
      fc.asyncProperty(composite, required, observed, async (xr, req, obs) => {
        const bytes = await run(request(xr as Obj, req, obs));
        const rsp = RunFunctionResponse.decode(bytes);
        const fatals = rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL);
        expect(fatals.length).toBeLessThanOrEqual(1);
        for (const f of fatals) {
          expect(f.message).toMatch(/^cannot compose[ :]/);
          expect(f.message).not.toMatch(/\n\s+at /); // no stack trace
        }
        if (Object.keys(rsp.desired?.resources ?? {}).length > 0) composedSome++;
      }),
      // A fixed seed: the count below judges the generators, and with a random
      // seed it fell under 40 in about one run in ten (35–55 seen), failing CI by chance.
      { numRuns: 400, seed: 20261125 },
    );
    // The generators must reach the composers, not only the validation at the edge.
    expect(composedSome).toBeGreaterThan(40);
  });

  it('gives byte-identical responses to the same request', async () => {
    await fc.assert(
      fc.asyncProperty(composite, required, observed, async (xr, req, obs) => {
        const r = request(xr as Obj, req, obs);
        expect(Buffer.from(await run(r)).equals(Buffer.from(await run(r)))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('never lets a secret from connection details into the response', async () => {
    await fc.assert(
      fc.asyncProperty(composite, required, observed, async (xr, req, obs) => {
        const bytes = Buffer.from(await run(request(xr as Obj, req, obs)));
        expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
