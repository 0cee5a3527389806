// A small world for behaviour tests: the example App, Tenant and Instances,
// the function run in-process the way Crossplane calls it, and the
// simulated cluster answering with observed state.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { parse, parseAllDocuments } from 'yaml';
import { observe, runFunctionWithRequest, xrAfter, type Facts } from '../../scripts/simulate.js';

export type Obj = Record<string, any>;

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
const GOLDEN = join(import.meta.dirname, '..', 'golden');

export function example(file: string): Obj {
  return parse(readFileSync(join(EXAMPLES, file), 'utf8')) as Obj;
}

/** App, Tenant and Instances of examples/required.yaml, with a 1.4.2 release added. */
export function requiredObjects(): Obj[] {
  const objects = parseAllDocuments(readFileSync(join(EXAMPLES, 'required.yaml'), 'utf8')).map((d) => d.toJS() as Obj);
  objects.find((o) => o.kind === 'App')!.spec.releases.splice(1, 0, { version: '1.4.2', series: '17.0' });
  return objects;
}

/** A lifecycle phase as the scenario folders record it: the XR with its status, what the cluster holds, the required objects. */
export interface Seed {
  name: string;
  xr: Obj;
  /** Observed composed resources by composition resource name. */
  observed: Record<string, Obj>;
  required: Obj[];
}

const yamlDocs = (file: string): Obj[] => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Obj).filter((o) => o !== null);
const resourceName = (o: Obj): string => o.metadata.annotations['crossplane.io/composition-resource-name'];

/**
 * Every phase of examples/scenarios (scripts/scenarios.ts plays them through
 * the simulated cluster): seeds that put generated input past the first call,
 * with the observed state each phase reaches.
 */
export function scenarioSeeds(): Seed[] {
  const root = join(EXAMPLES, 'scenarios');
  return readdirSync(root)
    .sort()
    .map((name) => {
      const dir = join(root, name);
      const files = readdirSync(dir);
      const observed = files.includes('observed.yaml') ? yamlDocs(join(dir, 'observed.yaml')) : [];
      return {
        name,
        xr: yamlDocs(join(dir, 'xr.yaml'))[0]!,
        observed: Object.fromEntries(observed.map((o) => [resourceName(o), o])),
        required: files.includes('required.yaml') ? yamlDocs(join(dir, 'required.yaml')) : [],
      };
    });
}

/** "apiVersion kind" of an object, the key per-kind figures are counted under. */
export const kindOf = (o: Obj): string => `${o.apiVersion} ${o.kind}`;

/**
 * The kinds the lifecycle phases compose, by XR kind, read from the golden
 * renders of the scenarios (test/golden/scenarios): every composed object of
 * a render carries its composition resource name.
 */
export function goldenComposedKinds(): Record<string, string[]> {
  const dir = join(GOLDEN, 'scenarios');
  const out: Record<string, Set<string>> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const docs = yamlDocs(join(dir, file));
    const xr = docs[0];
    if (xr === undefined || typeof xr.kind !== 'string') continue;
    for (const o of docs.slice(1)) {
      if (o.metadata?.annotations?.['crossplane.io/composition-resource-name'] === undefined) continue;
      (out[xr.kind] ??= new Set()).add(kindOf(o));
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

export function app(objects: Obj[]): Obj {
  return objects.find((o) => o.kind === 'App')!;
}

export function tenantOf(objects: Obj[]): Obj {
  return objects.find((o) => o.kind === 'Tenant')!;
}

export interface Reconcile {
  rsp: RunFunctionResponse;
  status: Obj;
  phase: string | undefined;
  resources: Record<string, Obj>;
  conditions: Record<string, { status: number; reason: string; message?: string | undefined }>;
  fatal: string | undefined;
  /** Calls Crossplane made to the function for this reconcile (it calls again until the requirements settle). */
  calls: number;
}

function summary({ rsp, calls }: { rsp: RunFunctionResponse; calls: number }): Reconcile {
  const status = (rsp.desired?.composite?.resource?.status ?? {}) as Obj;
  return {
    rsp,
    calls,
    status,
    phase: status.phase,
    resources: Object.fromEntries(Object.entries(rsp.desired?.resources ?? {}).map(([k, v]) => [k, v.resource as Obj])),
    conditions: Object.fromEntries(rsp.conditions.map((c) => [c.type, { status: c.status, reason: c.reason, message: c.message }])),
    fatal: rsp.results.find((r) => r.severity === 1)?.message,
  };
}

/**
 * An XR living in the simulated cluster: each reconcile runs the function
 * on what the previous one composed, as observed under the given facts.
 */
export class Cluster {
  observed: Record<string, Obj> = {};
  last: Reconcile | undefined;

  constructor(
    public xr: Obj,
    public required: Obj[] = requiredObjects(),
  ) {}

  /** Observe the last response under `facts`, then reconcile again. */
  async reconcile(facts: Facts = {}): Promise<Reconcile> {
    if (this.last) this.observed = observe(this.last.rsp, facts);
    this.last = summary(await runFunctionWithRequest(this.xr, this.observed, this.required));
    // What Crossplane writes back: the next call sees this call's status and conditions.
    this.xr = xrAfter(this.xr, this.last.rsp);
    return this.last;
  }

  /** The first two reconciles: the role, then (once it is ready) its database and extensions. */
  async provision(facts: Facts = {}): Promise<Reconcile> {
    await this.reconcile(facts);
    return this.reconcile(facts);
  }

  /** Reconcile until a Job named `name` is composed (at most `max` times), with the same facts each time. */
  async untilJob(name: string, facts: Facts = {}, max = 10): Promise<Reconcile> {
    for (let i = 0; i < max; i++) {
      const r = await this.reconcile(facts);
      if (jobNames(r).includes(name)) return r;
    }
    throw new Error(`Job ${name} never composed; last ${this.last?.phase}: ${JSON.stringify(this.last?.conditions)}`);
  }

  /** Reconcile until the phase is `phase` (at most `max` times), with the same facts each time. */
  async until(phase: string, facts: Facts = {}, max = 10): Promise<Reconcile> {
    for (let i = 0; i < max; i++) {
      const r = await this.reconcile(facts);
      if (r.phase === phase) return r;
    }
    throw new Error(`phase ${phase} not reached; last ${this.last?.phase}: ${JSON.stringify(this.last?.conditions)}`);
  }
}

export function jobNames(r: Reconcile): string[] {
  return Object.values(r.resources)
    .filter((o) => o.kind === 'Job')
    .map((o) => o.metadata.name);
}

export function replicas(r: Reconcile): { web?: number; cron?: number; release?: string } {
  const web = r.resources.web;
  const cron = r.resources.cron;
  return web === undefined ? {} : { web: web.spec.replicas, cron: cron?.spec.replicas, release: web.metadata.labels['odoo.io/release'] };
}

/**
 * What the App's deletion-protection policy would refuse to delete, from a
 * reconcile: the Instance when its status says so, and the composed objects
 * labelled for it, by key.
 */
export function guardedFromDeletion(r: Reconcile): string[] {
  const labelled = Object.entries(r.resources)
    .filter(([, o]) => o.metadata?.labels?.['odoo.io/deletion-protection'] === 'true')
    .map(([key]) => key);
  return [...(r.status.deletionProtection === true ? ['instance'] : []), ...labelled].sort();
}
