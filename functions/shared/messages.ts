// Every message a person reads in a Fatal result, Warning or condition comes
// from here, so tests can assert the exact text and wording stays consistent.
// Messages name the field, the value and the fix. They never carry secrets.

export const SUPPORTED_KINDS = [
  'App (app.odoo.io/v1alpha1)',
  'Tenant (tenant.odoo.io/v1alpha1)',
  'Instance (instance.odoo.io/v1alpha1)',
] as const;

export const messages = {
  missingComposite:
    'cannot compose: the request has no observed composite resource; run function-odoo as a step of a Composition pipeline',
  unknownKind: (apiVersion: string, kind: string) =>
    `cannot compose ${kind || '(no kind)'} (${apiVersion || 'no apiVersion'}): function-odoo composes ${SUPPORTED_KINDS.join(', ')}; point the Composition's compositeTypeRef at one of them`,
  invalidSpec: (kind: string, name: string, details: string) => `cannot compose ${kind} "${name}": ${details}`,
  internalError: (kind: string, name: string, cause: string) =>
    `cannot compose ${kind} "${name}": internal error: ${cause}; this is a bug in function-odoo, please report it with the XR's spec`,
  imageCacheOff: 'Image pre-pull is off (spec.cache.prePull: false); nodes pull release images when an instance starts',
  imageCacheNoReleases:
    'Every release is retired, so no image is pre-pulled; add a release that is not retired or set spec.cache.prePull: false',
} as const;
