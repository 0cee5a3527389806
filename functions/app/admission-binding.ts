// The binding that puts one of the App's ValidatingAdmissionPolicies in force:
// named and labelled as its policy, refusing every request the policy says no to.
import type { IValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding';
import type { KubeObject } from '../shared/composition.js';

export function denyingBinding(policy: KubeObject): KubeObject {
  const { name, labels } = policy.metadata;
  const binding: IValidatingAdmissionPolicyBinding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { policyName: name, validationActions: ['Deny'] },
  };
  return binding as unknown as KubeObject;
}
