// The one entry point Crossplane calls: find the XR, pick its composer,
// validate its spec once, compose, write the response. No manifest shapes here.
import type { ComposeFunction } from '@crossplane-org/function-sdk-typescript';
import { composerFor } from './registry.js';
import { fatalResponse, writeComposed } from './response.js';
import type { ObservedObject } from './shared/composition.js';
import { asClaim, CLAIMS_KINDS } from './shared/claims.js';
import { messages } from './shared/messages.js';
import { newWarnings, transitionEvents } from './shared/transitions.js';
import { formatIssues } from './shared/validation.js';

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export const compose: ComposeFunction = (req, rsp) => {
  const xr = req.observed?.composite?.resource as ObservedObject | undefined;
  if (xr === undefined || Object.keys(xr).length === 0) return fatalResponse(rsp, messages.missingComposite);

  const apiVersion = text(xr.apiVersion);
  const kind = text(xr.kind);
  const name = text((xr.metadata as ObservedObject | undefined)?.name) || '(unnamed)';
  // Claims edition: compose the XR as the claim it stands for.
  const claimKind = CLAIMS_KINDS[`${apiVersion}/${kind}`];
  let subject = xr;
  if (claimKind !== undefined) {
    const claim = asClaim(xr, claimKind);
    if ('error' in claim) return fatalResponse(rsp, messages.invalidSpec(kind, name, claim.error));
    subject = claim.xr;
  }
  const composer = composerFor(apiVersion, claimKind ?? kind);
  if (composer === undefined) return fatalResponse(rsp, messages.unknownKind(apiVersion, kind));

  const parsed = composer.schema.safeParse(subject);
  if (!parsed.success) return fatalResponse(rsp, messages.invalidSpec(kind, name, formatIssues(parsed.error, xr)));

  const observed: Record<string, ObservedObject> = {};
  for (const [key, r] of Object.entries(req.observed?.resources ?? {})) {
    if (r.resource !== undefined) observed[key] = r.resource;
  }
  const required: Record<string, ObservedObject[]> = {};
  // Crossplane before v2 sends required resources as extraResources.
  for (const [key, r] of Object.entries({ ...req.extraResources, ...req.requiredResources })) {
    required[key] = r.items.flatMap((item) => (item.resource !== undefined ? [item.resource] : []));
  }

  try {
    const outcome = composer.compose(parsed.data, { observed, required });
    if (outcome.kind === 'fatal') return fatalResponse(rsp, messages.invalidSpec(kind, name, outcome.message));
    // The status goes to the XR itself (Crossplane copies it to the claim).
    const events = [...transitionEvents(xr, outcome.composed.conditions), ...newWarnings(xr, outcome.composed.warnings)];
    return writeComposed(rsp, { apiVersion, kind }, outcome.composed, events);
  } catch (error) {
    // A bug of ours must still give Crossplane a readable Fatal result, never a stack trace.
    const cause = error instanceof Error ? error.message : String(error);
    return fatalResponse(rsp, messages.internalError(kind, name, cause), 'InternalError');
  }
};
