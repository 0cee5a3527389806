// RunFunctionRequests as Crossplane sends them, built from plain objects.
import { RunFunctionRequest, type Resource } from '@crossplane-org/function-sdk-typescript';

function resource(object: Record<string, unknown>): Resource {
  return { resource: object, connectionDetails: {}, ready: 0 };
}

export function request(
  xr: Record<string, unknown> | undefined,
  observed: Record<string, Record<string, unknown>> = {},
  required: Record<string, Record<string, unknown>[]> = {},
): RunFunctionRequest {
  return RunFunctionRequest.fromPartial({
    meta: { tag: 'test' },
    observed: {
      ...(xr ? { composite: resource(xr) } : {}),
      resources: Object.fromEntries(Object.entries(observed).map(([k, v]) => [k, resource(v)])),
    },
    desired: { resources: {} },
    requiredResources: Object.fromEntries(Object.entries(required).map(([k, v]) => [k, { items: v.map(resource) }])),
  });
}
