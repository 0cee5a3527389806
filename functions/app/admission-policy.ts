// The App's ValidatingAdmissionPolicies (deletion protection, channel guard):
// each named odoo-<component>-<app> and labelled as the App's, refusing when
// an expression cannot be decided, and put in force by a binding of the same
// name that denies whatever the policy says no to.
import type { IValidatingAdmissionPolicy } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
import type { IValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding';
import type { KubeObject } from '../shared/composition.js';
import { appLabels } from '../shared/labels.js';
import { kubeName } from '../shared/names.js';
import type { App } from './schema.js';

export function admissionPolicyName(app: App, component: string): string {
  return kubeName([`odoo-${component}`, app.metadata.name]);
}

const metadata = (app: App, component: string) => ({ name: admissionPolicyName(app, component), labels: appLabels(app.metadata.name, component) });

export function appAdmissionPolicy(app: App, component: string, spec: Omit<NonNullable<IValidatingAdmissionPolicy['spec']>, 'failurePolicy'>): KubeObject {
  const policy: IValidatingAdmissionPolicy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: metadata(app, component),
    // An expression that cannot be evaluated refuses the request.
    spec: { failurePolicy: 'Fail', ...spec },
  };
  return policy as unknown as KubeObject;
}

export function denyingBinding(app: App, component: string): KubeObject {
  const binding: IValidatingAdmissionPolicyBinding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: metadata(app, component),
    spec: { policyName: admissionPolicyName(app, component), validationActions: ['Deny'] },
  };
  return binding as unknown as KubeObject;
}
