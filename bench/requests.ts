// The benchmark's requests: what Crossplane sends for realistic XRs in a
// steady or transitioning state, built by running the function against the
// simulated cluster until the state is reached, then taking the request of
// the next reconcile (observed XR with its status, observed composed
// resources, required resources).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from '../scripts/function-process.js';
import { observe, runFunctionWithRequest, type Facts } from '../scripts/simulate.js';

type Obj = Record<string, any>;

export interface BenchRequest {
  name: string;
  request: RunFunctionRequest;
}

function example(file: string): Obj {
  return parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as Obj;
}

function required(): Obj[] {
  return parseAllDocuments(readFileSync(join(ROOT, 'examples', 'required.yaml'), 'utf8')).map((d) => d.toJS() as Obj);
}

/** Reconciles `steps` times (editing the XR before the step where `edit` is given) and returns the next request. */
async function requestAfter(xr: Obj, objects: Obj[], steps: { facts?: Facts; edit?: (xr: Obj) => void }[]): Promise<RunFunctionRequest> {
  let observed: Record<string, Obj> = {};
  for (const step of steps) {
    const { rsp } = await runFunctionWithRequest(xr, observed, objects);
    xr.status = rsp.desired?.composite?.resource?.status ?? {};
    step.edit?.(xr);
    observed = observe(rsp, step.facts ?? {});
  }
  const { req } = await runFunctionWithRequest(xr, observed, objects);
  req.meta = { tag: 'bench', capabilities: [] };
  return req;
}

function appWithReleases(n: number): Obj {
  const app = example('app.yaml');
  app.metadata.uid = 'bench-app';
  app.spec.releases = Array.from({ length: n }, (_, i) => ({
    version: `${1 + Math.floor(i / 10)}.${i % 10}.0`,
    series: i < 10 ? '17.0' : '18.0',
    ...(i % 7 === 0 ? { retired: true } : {}),
  }));
  return app;
}

function tenantWith(n: number): { xr: Obj; objects: Obj[] } {
  const objects = required().filter((o) => o.kind !== 'Instance');
  objects.push({ apiVersion: 'instance.odoo.io/v1alpha1', kind: 'Instance', metadata: { name: 'prod', namespace: 'acme' }, spec: { tenantRef: { name: 'acme' }, release: '1.4.1' }, status: { phase: 'Running', transitioning: false } });
  for (let i = 1; i < n; i++) {
    objects.push({
      apiVersion: 'instance.odoo.io/v1alpha1',
      kind: 'Instance',
      metadata: { name: `shop-${String(i).padStart(3, '0')}`, namespace: 'acme' },
      spec: { tenantRef: { name: 'acme' }, release: '1.4.1', type: i % 3 === 0 ? 'testing' : 'staging' },
      status: { phase: i % 3 === 0 ? 'Passed' : 'Running', transitioning: false },
    });
  }
  const xr = example('tenant.yaml');
  xr.metadata.uid = 'bench-tenant';
  return { xr, objects };
}

export async function benchRequests(): Promise<BenchRequest[]> {
  const settled = {};
  const production = () => ({ ...example('instance-production.yaml'), metadata: { name: 'prod', namespace: 'acme', uid: 'bench-prod' } });
  const withPatch = required();
  withPatch.find((o) => o.kind === 'App')!.spec.releases.splice(1, 0, { version: '1.4.2', series: '17.0' });
  const out: BenchRequest[] = [
    { name: 'app-20-releases', request: await requestAfter(appWithReleases(20), [], [settled]) },
    { name: 'instance-steady', request: await requestAfter(production(), withPatch, [settled, settled, settled, settled, settled]) },
    {
      name: 'instance-upgrading',
      request: await requestAfter(production(), withPatch, [settled, settled, settled, settled, { edit: (x) => (x.spec.release = '1.4.2') }, settled, settled, { facts: { jobs: { upgrade: 'running' } } }]),
    },
  ];
  for (const n of [1, 50, 500]) {
    const { xr, objects } = tenantWith(n);
    out.push({ name: `tenant-${n}-instances`, request: await requestAfter(xr, objects, [settled, settled]) });
  }
  return out;
}
