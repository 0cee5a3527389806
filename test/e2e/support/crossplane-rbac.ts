// Crossplane with the rights a Helm install gives it, not an administrator's.
// Helm (tools/helm) renders Crossplane's own chart from the Crossplane module
// the e2e runs; its ServiceAccounts, ClusterRoles and bindings are applied as
// `helm install` would, and Crossplane core, its RBAC manager and
// provider-sql run with tokens of their ServiceAccounts. What Crossplane may
// compose beyond the chart's role is then only what the README's install
// block applies (package/rbac/clusterrole.yaml, aggregated into Crossplane's
// ClusterRole by the clusterrole-aggregation controller) and what the RBAC
// manager grants for the XRDs and the provider it installed: a kind the
// function composes without a grant fails here as on a real cluster.
import * as k8s from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** What the chart's RBAC consists of: the rest (Deployments, Service, Secrets) is the processes the harness runs and what `core init` makes. */
const RBAC_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

/** The chart's RBAC objects, rendered by Helm with the chart's defaults (release `crossplane`, as the docs install it). */
export function chartRbac(helm: string, chartDir: string, namespace: string): k8s.KubernetesObject[] {
  const rendered = execFileSync(helm, ['template', 'crossplane', chartDir, '--namespace', namespace], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const objects = parseAllDocuments(rendered)
    .map((d) => d.toJSON() as k8s.KubernetesObject | null)
    .filter((o): o is k8s.KubernetesObject => o !== null && RBAC_KINDS.has(o.kind ?? ''));
  const names = objects.map((o) => `${o.kind}/${o.metadata?.name}`);
  // The pieces this harness relies on: fail here, naming them, if a chart version renamed them.
  for (const needed of ['ServiceAccount/crossplane', 'ServiceAccount/rbac-manager', 'ClusterRole/crossplane', 'ClusterRoleBinding/crossplane', 'ClusterRoleBinding/crossplane-rbac-manager', 'ClusterRole/crossplane:allowed-provider-permissions']) {
    if (!names.includes(needed)) throw new Error(`Crossplane's chart (${chartDir}) rendered no ${needed}: ${names.join(', ')}`);
  }
  return objects;
}

/**
 * A kubeconfig for a ServiceAccount: the API server's address and CA from
 * `admin`, and a token the API server issues for the account (TokenRequest,
 * as the kubelet gets one for a Pod), valid for a day.
 */
export async function serviceAccountKubeconfig(admin: k8s.KubeConfig, namespace: string, name: string, dir: string): Promise<string> {
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 86_400 } } });
  const token = request.status?.token;
  if (!token) throw new Error(`the API server issued no token for ServiceAccount ${namespace}/${name}`);
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no cluster');
  const user = `system:serviceaccount:${namespace}:${name}`;
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({ clusters: [cluster], users: [{ name: user, token }], contexts: [{ name: user, cluster: cluster.name, user }], currentContext: user });
  const file = join(dir, `${namespace}-${name}.kubeconfig`);
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

/** Whether a ServiceAccount may do `verb` on `resource` of `group` (a SubjectAccessReview, asked by the admin). */
export async function serviceAccountMay(admin: k8s.KubeConfig, namespace: string, name: string, verb: string, group: string, resource: string): Promise<boolean> {
  const authz = admin.makeApiClient(k8s.AuthorizationV1Api);
  const review = await authz.createSubjectAccessReview({
    body: { spec: { user: `system:serviceaccount:${namespace}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'], resourceAttributes: { verb, group, resource } } },
  });
  return review.status?.allowed === true;
}
