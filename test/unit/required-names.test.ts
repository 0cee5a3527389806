// The generated tests build required resources from REQUIRED_KINDS
// (test/support/request.ts), which takes its names from the composers'
// modules. This pins the map to what each composer actually asks Crossplane
// for, in every phase of the scenario folders: a name asked for and missing
// from the map, or held under another kind, would leave generated requests
// without the objects the composer waits for, as the App under "app" once
// left every generated Instance waiting.
import { to } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { compose } from '../../functions/compose.js';
import { REQUIRED_KINDS, request, requiredFor } from '../support/request.js';
import { scenarioSeeds } from '../support/world.js';

const seeds = scenarioSeeds().filter((s) => s.xr.kind !== 'App');

describe('required resources of generated requests', () => {
  it.each(seeds.map((s) => [s.name, s] as const))('%s: every name the composer asks for is in REQUIRED_KINDS, with the kind it asks for', async (_, seed) => {
    const req = request(seed.xr, seed.observed, requiredFor(seed.xr.kind, seed.required));
    const rsp = await compose(req, to(req) as Parameters<typeof compose>[1]);
    const asked = Object.fromEntries(Object.entries(rsp.requirements?.resources ?? {}).map(([name, sel]) => [name, sel.kind]));
    const map = REQUIRED_KINDS[seed.xr.kind as 'Instance' | 'Tenant'];
    // A phase refused with a Fatal result (a missing Tenant) asks for nothing.
    const fatal = rsp.results.some((r) => r.severity === 1);
    expect(Object.keys(asked).length > 0).toBe(!fatal);
    for (const [name, kind] of Object.entries(asked)) expect({ name, kind: map[name] }).toEqual({ name, kind });
  });

  it('asks, over all phases, for every name of REQUIRED_KINDS', async () => {
    const asked: Record<string, Set<string>> = { Instance: new Set(), Tenant: new Set() };
    for (const seed of seeds) {
      const req = request(seed.xr, seed.observed, requiredFor(seed.xr.kind, seed.required));
      const rsp = await compose(req, to(req) as Parameters<typeof compose>[1]);
      for (const name of Object.keys(rsp.requirements?.resources ?? {})) asked[seed.xr.kind]!.add(name);
    }
    expect({ Instance: [...asked.Instance!].sort(), Tenant: [...asked.Tenant!].sort() }).toEqual({
      Instance: Object.keys(REQUIRED_KINDS.Instance).sort(),
      Tenant: Object.keys(REQUIRED_KINDS.Tenant).sort(),
    });
  });
});
