// Deletion protection of customer data, enforced by the API server itself: one
// ValidatingAdmissionPolicy (and its binding) per App refuses to delete an
// Instance whose status says it is protected, and a filestore claim or a
// Database object the function labelled protected. It replaces two or three
// Crossplane Usages per protected instance (a Usage guards one object), each an
// object to apply on every call and a controller writing labels and status.
import type { KubeObject } from '../shared/composition.js';
import { LABEL } from '../shared/labels.js';
import { admissionPolicyName, appAdmissionPolicy, denyingBinding } from './admission-policy.js';
import type { App } from './schema.js';

const COMPONENT = 'deletion-protection';

export function deletionProtectionName(app: App): string {
  return admissionPolicyName(app, COMPONENT);
}

const INSTANCE_GROUP = 'instance.odoo.io';
const DATABASE_GROUP = 'postgresql.sql.m.crossplane.io';

// CEL over the object being deleted (oldObject; a DELETE has no object).
// The Instance: its status, which the function writes only after Crossplane
// applied the composed objects, so a status that says "not protected" means
// its claim and Database carry no protection label any more either. A claim of
// the claims edition mirrors its XR's status.
const instanceProtected = 'has(oldObject.status) && has(oldObject.status.deletionProtection) && oldObject.status.deletionProtection == true';
const labelled = (app: string) =>
  `has(oldObject.metadata.labels) && '${LABEL.deletionProtection}' in oldObject.metadata.labels && oldObject.metadata.labels['${LABEL.deletionProtection}'] == 'true' && '${LABEL.app}' in oldObject.metadata.labels && oldObject.metadata.labels['${LABEL.app}'] == '${app}'`;
const externalName = `(has(oldObject.metadata.annotations) && 'crossplane.io/external-name' in oldObject.metadata.annotations ? oldObject.metadata.annotations['crossplane.io/external-name'] : oldObject.metadata.name)`;
const ownerOf = `('${LABEL.odooInstance}' in oldObject.metadata.labels ? oldObject.metadata.labels['${LABEL.odooInstance}'] : '')`;
const specOff = 'has(oldObject.spec) && has(oldObject.spec.deletionProtection) && oldObject.spec.deletionProtection == false';

export function deletionProtectionPolicy(app: App): KubeObject {
  // An expression that cannot be evaluated refuses the deletion (appAdmissionPolicy): data first.
  return appAdmissionPolicy(app, COMPONENT, {
    matchConstraints: {
      resourceRules: [
        { apiGroups: [INSTANCE_GROUP], apiVersions: ['*'], operations: ['DELETE'], resources: ['instances', 'xinstances'] },
        { apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE'], resources: ['persistentvolumeclaims'] },
        { apiGroups: [DATABASE_GROUP], apiVersions: ['*'], operations: ['DELETE'], resources: ['databases'] },
      ],
    },
    validations: [
      {
        expression: `request.resource.group != '${INSTANCE_GROUP}' || !(${instanceProtected})`,
        messageExpression:
          `'Instance "' + oldObject.metadata.name + '" is protected (spec.deletionProtection): set it to false before deleting'` +
          ` + (${specOff} ? ', then wait for status.deletionProtection to be false' : '')`,
        reason: 'Forbidden',
      },
      {
        expression: `request.resource.group == '${INSTANCE_GROUP}' || !(${labelled(app.metadata.name)})`,
        messageExpression:
          `(request.resource.resource == 'persistentvolumeclaims' ? 'Filestore "' + oldObject.metadata.name : 'Database "' + ${externalName}) + '" is protected (spec.deletionProtection of Instance "' + ${ownerOf} + '"): set it to false before deleting'`,
        reason: 'Forbidden',
      },
    ],
  });
}

export function deletionProtectionBinding(app: App): KubeObject {
  return denyingBinding(app, COMPONENT);
}
