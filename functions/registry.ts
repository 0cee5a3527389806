// The composers function-odoo dispatches to, keyed by the XR's apiVersion and kind.
import type { z } from 'zod';
import { composeApp } from './app/compose.js';
import { APP_API_VERSION, APP_KIND, appResource } from './app/schema.js';
import type { ComposeOutcome, ObservedObject } from './shared/composition.js';
import { composeInstance } from './instance/compose.js';
import { composeTenant } from './tenant/compose.js';
import { TENANT_API_VERSION, TENANT_KIND, tenantResource } from './tenant/schema.js';
import { INSTANCE_API_VERSION, INSTANCE_KIND, instanceResource } from './instance/schema.js';

/** What a composer sees besides its XR: observed composed resources by key, required resources by name. */
export interface ComposeInput {
  observed: Readonly<Record<string, ObservedObject>>;
  required: Readonly<Record<string, readonly ObservedObject[]>>;
}

export interface Composer<XR> {
  apiVersion: string;
  kind: string;
  schema: z.ZodType<XR>;
  compose: (xr: XR, input: ComposeInput) => ComposeOutcome;
}

/** Keeps each entry's XR type tied to its own schema and compose function. */
function composer<XR>(c: Composer<XR>): Composer<unknown> {
  return c as unknown as Composer<unknown>;
}

const COMPOSERS: readonly Composer<unknown>[] = [
  composer({
    apiVersion: APP_API_VERSION,
    kind: APP_KIND,
    schema: appResource,
    compose: (app, input) => ({ kind: 'composed', composed: composeApp(app, input.observed) }),
  }),
  composer({
    apiVersion: TENANT_API_VERSION,
    kind: TENANT_KIND,
    schema: tenantResource,
    compose: (tenant, input) => composeTenant(tenant, input.observed, input.required),
  }),
  composer({
    apiVersion: INSTANCE_API_VERSION,
    kind: INSTANCE_KIND,
    schema: instanceResource,
    compose: (instance, input) => composeInstance(instance, input.observed, input.required),
  }),
];

const BY_TYPE = new Map(COMPOSERS.map((c) => [`${c.apiVersion}/${c.kind}`, c]));

export function composerFor(apiVersion: string, kind: string): Composer<unknown> | undefined {
  return BY_TYPE.get(`${apiVersion}/${kind}`);
}
