// The response encoder must mean exactly what the SDK's generic codec means:
// what it writes decodes (by the SDK) to the same message, for generated
// responses and for what function-odoo composes.
import { RunFunctionRequest, RunFunctionResponse, to } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeResponse } from '../../functions/wire/codec.js';
import { Cluster, example } from '../support/world.js';

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 }),
  ),
})).value;

const object = fc.dictionary(fc.string(), json, { maxKeys: 5 });
const resource = fc.record({
  resource: fc.option(object, { nil: undefined }),
  connectionDetails: fc.dictionary(fc.string(), fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)), { maxKeys: 2 }),
  ready: fc.constantFrom(0, 1, 2),
});

const request = fc.record({
  meta: fc.option(fc.record({ tag: fc.string(), capabilities: fc.array(fc.constantFrom(1, 2, 3, 4), { maxLength: 3 }) }), { nil: undefined }),
  observed: fc.option(fc.record({ composite: fc.option(resource, { nil: undefined }), resources: fc.dictionary(fc.string(), resource, { maxKeys: 3 }) }), { nil: undefined }),
  desired: fc.option(fc.record({ composite: fc.option(resource, { nil: undefined }), resources: fc.dictionary(fc.string(), resource, { maxKeys: 2 }) }), { nil: undefined }),
  input: fc.option(object, { nil: undefined }),
  context: fc.option(object, { nil: undefined }),
  extraResources: fc.dictionary(fc.string(), fc.record({ items: fc.array(resource, { maxLength: 2 }) }), { maxKeys: 2 }),
  credentials: fc.constant({}),
  requiredResources: fc.dictionary(fc.string(), fc.record({ items: fc.array(resource, { maxLength: 2 }) }), { maxKeys: 2 }),
  requiredSchemas: fc.constant({}),
});

function viaSdk(req: RunFunctionRequest): RunFunctionRequest {
  return RunFunctionRequest.decode(RunFunctionRequest.encode(req).finish());
}

describe('encodeResponse', () => {
  it('encodes responses the SDK decodes to the same message', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const r = viaSdk(req as RunFunctionRequest);
        const rsp = to(r);
        rsp.results.push({ severity: 2, message: 'm', reason: 'r', target: 1 });
        rsp.conditions.push({ type: 'T', status: 2, reason: 'R', message: 'x', target: 1 });
        rsp.requirements = {
          extraResources: {},
          resources: { a: { apiVersion: 'v1', kind: 'K', matchLabels: { labels: { x: 'y' } }, namespace: 'n' }, b: { apiVersion: 'v1', kind: 'K', matchName: 'b' } },
          schemas: { s: { apiVersion: 'v1', kind: 'S' } },
        };
        rsp.meta = { tag: 't', ttl: { seconds: 15, nanos: 0 } };
        expect(RunFunctionResponse.decode(encodeResponse(rsp))).toEqual(RunFunctionResponse.decode(RunFunctionResponse.encode(rsp).finish()));
      }),
      { numRuns: 300 },
    );
  });

  it('encodes what function-odoo composes for a running instance like the SDK', async () => {
    const c = new Cluster({ ...example('instance-production.yaml'), metadata: { name: 'prod', namespace: 'acme', uid: 'u' } });
    const r = await c.until('Running');
    const rsp = r.rsp;
    expect(RunFunctionResponse.decode(encodeResponse(rsp))).toEqual(RunFunctionResponse.decode(RunFunctionResponse.encode(rsp).finish()));
  });
});
