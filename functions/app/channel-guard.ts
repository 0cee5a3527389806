// Who may choose a tenant's channel (docs/devops.md: Tenant by tenant). A
// Tenant's or Instance's channel is the Composition its spec.crossplane names,
// Crossplane's part of the XR that the function never sees, so the API server
// guards it: one ValidatingAdmissionPolicy (and binding) per App lets the
// hoster's movers and Crossplane's own service account write it; anyone else
// creates Tenants and Instances on the stable channel and leaves it as it is.
import { instanceDefinition } from '../instance/definition.js';
import type { KubeObject } from '../shared/composition.js';
import { tenantDefinition } from '../tenant/definition.js';
import { admissionPolicyName, appAdmissionPolicy, denyingBinding } from './admission-policy.js';
import type { App } from './schema.js';

const COMPONENT = 'channel-guard';

export function channelGuardName(app: App): string {
  return admissionPolicyName(app, COMPONENT);
}

/** The fields of spec.crossplane that choose a Composition or a revision of it. */
export const CHANNEL_FIELDS = ['compositionRef', 'compositionSelector', 'compositionRevisionRef', 'compositionRevisionSelector', 'compositionUpdatePolicy'] as const;

// Names hold no control character (subjectName in ./schema.ts): a backslash and a quote are all there is to escape.
const cel = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const celList = (values: readonly string[]) => `[${values.map(cel).join(', ')}]`;

// Every field, on object and oldObject alike, as an optional: unset and set compare as they are.
const field = (root: 'object' | 'oldObject', name: string) => `${root}.?spec.?crossplane.?${name}`;
const unchanged = CHANNEL_FIELDS.map((name) => `${field('object', name)} == ${field('oldObject', name)}`).join(' && ');
// A new XR names no Composition: Crossplane gives it the XRD's default, the stable one. (Naming even
// the stable one would refuse the same manifest applied again once the hoster moved it.) The API
// server defaults compositionUpdatePolicy to Automatic before admission.
const onStable = [
  ...['compositionRef', 'compositionSelector', 'compositionRevisionRef', 'compositionRevisionSelector'].map((name) => `!${field('object', name)}.hasValue()`),
  `${field('object', 'compositionUpdatePolicy')}.orValue('Automatic') == 'Automatic'`,
].join(' && ');

/** The CEL that says whether a request comes from whom the App lets choose channels, or from Crossplane. */
function moverOrCrossplane(app: App): string {
  const { movers, crossplaneServiceAccount } = app.spec.channels;
  const [namespace, name] = crossplaneServiceAccount.split(':');
  const users = [...movers.users, `system:serviceaccount:${namespace}:${name}`];
  return `request.userInfo.username in ${celList(users)} || request.userInfo.groups.exists(g, g in ${celList(movers.groups)})`;
}

/** Requests from the App's tenant namespaces only (namespaceMatches in ./schema.ts): unset, every namespace; empty, none. */
function inTenantNamespaces(app: App): string | undefined {
  const allowed = app.spec.tenantNamespaces;
  if (allowed === undefined) return undefined;
  if (allowed.length === 0) return 'false';
  const names = allowed.filter((entry) => !entry.endsWith('*'));
  const prefixes = allowed.filter((entry) => entry.endsWith('*')).map((entry) => entry.slice(0, -1));
  return [
    ...(names.length > 0 ? [`request.namespace in ${celList(names)}`] : []),
    ...(prefixes.length > 0 ? [`${celList(prefixes)}.exists(p, request.namespace.startsWith(p))`] : []),
  ].join(' || ');
}

export function channelGuardPolicy(app: App): KubeObject {
  const namespaces = inTenantNamespaces(app);
  const { movers } = app.spec.channels;
  const who = [...movers.groups.map((g) => `group ${g}`), ...movers.users.map((u) => `user ${u}`)].join(', ') || 'nobody';
  const hoster = cel(`, which the hoster does (App ${app.metadata.name}, spec.channels.movers: ${who})`);
  return appAdmissionPolicy(app, COMPONENT, {
    matchConstraints: {
      resourceRules: [
        { apiGroups: [tenantDefinition.group], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: [tenantDefinition.plural] },
        { apiGroups: [instanceDefinition.group], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: [instanceDefinition.plural] },
      ],
    },
    matchConditions: [
      ...(namespaces === undefined ? [] : [{ name: 'in-tenant-namespaces', expression: namespaces }]),
      { name: 'not-a-mover', expression: `!(${moverOrCrossplane(app)})` },
    ],
    validations: [
      {
        expression: `request.operation != 'CREATE' || (${onStable})`,
        messageExpression:
          `'spec.crossplane of a new ' + request.kind.kind + ' chooses its channel' + ${hoster} + ': leave spec.crossplane out of the manifest, and the ' + request.kind.kind + ' starts on stable'`,
        reason: 'Forbidden',
      },
      {
        expression: `request.operation != 'UPDATE' || (${unchanged})`,
        messageExpression:
          `'spec.crossplane of ' + request.kind.kind + ' "' + object.metadata.name + '" is its channel' + ${hoster} + ': keep its ${CHANNEL_FIELDS.join(', ')} as they are'`,
        reason: 'Forbidden',
      },
    ],
  });
}

export function channelGuardBinding(app: App): KubeObject {
  return denyingBinding(app, COMPONENT);
}
