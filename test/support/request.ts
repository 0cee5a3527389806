// RunFunctionRequests as Crossplane sends them, built from plain objects.
import { RunFunctionRequest, type Resource } from '@crossplane-org/function-sdk-typescript';
import { CREDENTIALS_KEY } from '../../functions/instance/admin-login.js';
import { BACKUP_PODS } from '../../functions/instance/backups.js';
import { REQUIRED } from '../../functions/instance/context.js';
import { FAILED_TEST_PODS, STOPPING_PODS } from '../../functions/instance/lifecycle.js';
import { TENANT_REQUIRED } from '../../functions/tenant/compose.js';

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

/**
 * The kind of object each composer finds under each required-resource name,
 * by the names the composers themselves ask under (never a copy of them): a
 * request built from this map is one the composer can use. A unit test
 * checks it against the requirements each composer returns.
 */
export const REQUIRED_KINDS: Readonly<Record<'App' | 'Tenant' | 'Instance', Readonly<Record<string, string>>>> = {
  App: {},
  Tenant: { [TENANT_REQUIRED.app]: 'App', [TENANT_REQUIRED.instances]: 'Instance', [TENANT_REQUIRED.tenants]: 'Tenant' },
  Instance: { [REQUIRED.tenant]: 'Tenant', [REQUIRED.apps]: 'App', [REQUIRED.instances]: 'Instance', [BACKUP_PODS]: 'Pod', [FAILED_TEST_PODS]: 'Pod', [STOPPING_PODS.web]: 'Pod', [STOPPING_PODS.cron]: 'Pod', [CREDENTIALS_KEY]: 'Secret' },
};

/** The XR kind a composer answers for: the claims edition's XInstance and XTenant are the Instance's and Tenant's. */
function composerKind(xrKind: string): keyof typeof REQUIRED_KINDS | undefined {
  const kind = xrKind.replace(/^X(?=Instance$|Tenant$)/, '');
  return kind === 'App' || kind === 'Tenant' || kind === 'Instance' ? kind : undefined;
}

/**
 * Required resources for an XR of `xrKind`, as Crossplane answers the
 * composer's requirements: under each name it asks for, the objects of the
 * kind it asks for, in the order given (Crossplane matches by name and
 * labels; callers put the one a composer should find first).
 */
export function requiredFor(xrKind: string, objects: readonly Record<string, unknown>[]): Record<string, Record<string, unknown>[]> {
  const kind = composerKind(xrKind);
  if (kind === undefined) return {};
  return Object.fromEntries(Object.entries(REQUIRED_KINDS[kind]).map(([name, k]) => [name, objects.filter((o) => o.kind === k)]));
}
