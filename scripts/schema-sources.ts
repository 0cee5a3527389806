// The real schemas every rendered object is validated against, taken from
// their upstream Go modules at pinned versions through the Go module proxy:
// nothing here is a hand-written copy of an upstream schema.
//
// - our XRDs: apis/ (generated from the zod schemas)
// - provider-sql CRDs: github.com/crossplane-contrib/provider-sql/package/crds
// - Gateway API CRDs: sigs.k8s.io/gateway-api/config/crd/standard
// - Crossplane's own CRDs (Usage, …): github.com/crossplane/crossplane/v2/cluster/crds
// - cert-manager's Certificate: github.com/cert-manager/cert-manager/deploy/crds
// - Kubernetes kinds: k8s.io/kubernetes/api/openapi-spec/v3, turned into
//   CRD form so one validator (crossplane beta validate, which runs the API
//   server's validation library) checks everything, unknown fields included.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ROOT } from './function-process.js';

export const SCHEMA_MODULES = {
  providerSql: { module: 'github.com/crossplane-contrib/provider-sql', version: 'v0.16.0' },
  gatewayApi: { module: 'sigs.k8s.io/gateway-api', version: 'v1.4.1' },
  crossplane: { module: 'github.com/crossplane/crossplane/v2', version: 'v2.2.1' },
  kubernetes: { module: 'k8s.io/kubernetes', version: 'v1.34.2' },
  certManager: { module: 'github.com/cert-manager/cert-manager', version: 'v1.19.1' },
} as const;

/** Kubernetes kinds we compose, by OpenAPI file and schema name. */
const KUBERNETES_KINDS = [
  { file: 'apis__apps__v1_openapi.json', group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', scope: 'Namespaced' },
  { file: 'apis__apps__v1_openapi.json', group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', scope: 'Namespaced' },
  { file: 'apis__batch__v1_openapi.json', group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', scope: 'Namespaced' },
  { file: 'apis__batch__v1_openapi.json', group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', scope: 'Namespaced' },
  { file: 'apis__autoscaling__v2_openapi.json', group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', scope: 'Namespaced' },
  { file: 'apis__policy__v1_openapi.json', group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', scope: 'Namespaced' },
  { file: 'apis__networking.k8s.io__v1_openapi.json', group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', scope: 'Namespaced' },
  { file: 'api__v1_openapi.json', group: '', version: 'v1', kind: 'Service', plural: 'services', scope: 'Namespaced' },
  { file: 'api__v1_openapi.json', group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', scope: 'Namespaced' },
  { file: 'api__v1_openapi.json', group: '', version: 'v1', kind: 'Secret', plural: 'secrets', scope: 'Namespaced' },
  { file: 'api__v1_openapi.json', group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', scope: 'Namespaced' },
  { file: 'api__v1_openapi.json', group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', scope: 'Namespaced' },
  { file: 'apis__rbac.authorization.k8s.io__v1_openapi.json', group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', scope: 'Cluster' },
  { file: 'apis__admissionregistration.k8s.io__v1_openapi.json', group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicy', plural: 'validatingadmissionpolicies', scope: 'Cluster' },
  { file: 'apis__admissionregistration.k8s.io__v1_openapi.json', group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicyBinding', plural: 'validatingadmissionpolicybindings', scope: 'Cluster' },
] as const;

/** The directory of a module version in the Go module cache, downloading it if needed. */
export function goModuleDir(module: string, version: string): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `${module}@${version}`], { encoding: 'utf8', cwd: ROOT });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`cannot download ${module}@${version}: ${info.Error ?? 'no directory reported'}`);
  return info.Dir;
}

type Schema = { [key: string]: unknown };

// OpenAPI extensions that have no place in a CRD schema.
const DROPPED = new Set(['description', 'default', 'x-kubernetes-patch-strategy', 'x-kubernetes-patch-merge-key', 'x-kubernetes-group-version-kind', 'x-kubernetes-unions']);

/** Inlines $refs and rewrites OpenAPI-only constructs into their structural CRD equivalents. */
function structuralFromOpenApi(schema: Schema, all: Record<string, Schema>, depth = 0): Schema {
  if (depth > 40) throw new Error('schema nests too deeply; a recursive type needs handling');
  const ref = (schema.$ref ?? (Array.isArray(schema.allOf) && schema.allOf.length === 1 ? (schema.allOf[0] as Schema).$ref : undefined)) as string | undefined;
  if (ref !== undefined) {
    const target = all[ref.replace('#/components/schemas/', '')];
    if (!target) throw new Error(`unresolved $ref ${ref}`);
    return structuralFromOpenApi(target, all, depth + 1);
  }
  if (schema.format === 'int-or-string' || (Array.isArray(schema.oneOf) && schema.oneOf.length === 2)) {
    return { 'x-kubernetes-int-or-string': true };
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key)) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, structuralFromOpenApi(v, all, depth + 1)]),
      );
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = structuralFromOpenApi(value as Schema, all, depth + 1);
    } else {
      out[key] = value;
    }
  }
  if (out.type === undefined && out.properties !== undefined) out.type = 'object';
  return out;
}

function kubernetesCrd(dir: string, k: (typeof KUBERNETES_KINDS)[number]): Schema {
  const doc = JSON.parse(readFileSync(join(dir, 'api', 'openapi-spec', 'v3', k.file), 'utf8')) as { components: { schemas: Record<string, Schema> } };
  const all = doc.components.schemas;
  const name = Object.keys(all).find((n) => n.endsWith(`.${k.version}.${k.kind}`) && n.startsWith('io.k8s.api.'));
  if (!name) throw new Error(`no ${k.kind} in ${k.file}`);
  const schema = structuralFromOpenApi(all[name]!, all);
  // metadata is validated by the API server's own ObjectMeta rules, not the schema.
  (schema.properties as Record<string, Schema>).metadata = { type: 'object' };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${k.plural}.${k.group || 'core'}` },
    spec: {
      group: k.group,
      names: { kind: k.kind, plural: k.plural },
      scope: k.scope,
      versions: [{ name: k.version, served: true, storage: true, schema: { openAPIV3Schema: schema } }],
    },
  };
}

/**
 * Writes every schema into `<out>/extensions` and Crossplane's own CRDs into
 * the validate cache (`<out>/cache`), where `crossplane beta validate` looks
 * for them instead of downloading the Crossplane package.
 */
export function prepareSchemas(out: string, edition?: 'claims'): { extensions: string; cache: string } {
  const extensions = join(out, 'extensions');
  const cache = join(out, 'cache');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(extensions, { recursive: true });

  const apis = edition === 'claims' ? join(ROOT, 'apis', 'claims') : join(ROOT, 'apis');
  for (const dir of readdirSync(apis)) {
    const file = join(apis, dir, 'definition.yaml');
    if (existsSync(file)) writeFileSync(join(extensions, `xrd-${dir}.yaml`), readFileSync(file));
  }
  const sql = goModuleDir(SCHEMA_MODULES.providerSql.module, SCHEMA_MODULES.providerSql.version);
  for (const f of readdirSync(join(sql, 'package', 'crds')).filter((f) => f.startsWith('postgresql.sql.m.'))) {
    writeFileSync(join(extensions, f), readFileSync(join(sql, 'package', 'crds', f)));
  }
  const gateway = goModuleDir(SCHEMA_MODULES.gatewayApi.module, SCHEMA_MODULES.gatewayApi.version);
  for (const f of readdirSync(join(gateway, 'config', 'crd', 'standard')).filter((f) => f.endsWith('.yaml'))) {
    writeFileSync(join(extensions, f), readFileSync(join(gateway, 'config', 'crd', 'standard', f)));
  }
  const certManager = goModuleDir(SCHEMA_MODULES.certManager.module, SCHEMA_MODULES.certManager.version);
  writeFileSync(join(extensions, 'cert-manager.io_certificates.yaml'), readFileSync(join(certManager, 'deploy', 'crds', 'cert-manager.io_certificates.yaml')));
  const kube = goModuleDir(SCHEMA_MODULES.kubernetes.module, SCHEMA_MODULES.kubernetes.version);
  for (const k of KUBERNETES_KINDS) {
    writeFileSync(join(extensions, `kubernetes-${k.group || 'core'}-${k.plural}.yaml`), stringify(kubernetesCrd(kube, k), { lineWidth: 0 }));
  }
  const crossplane = goModuleDir(SCHEMA_MODULES.crossplane.module, SCHEMA_MODULES.crossplane.version);
  const crds = readdirSync(join(crossplane, 'cluster', 'crds'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => readFileSync(join(crossplane, 'cluster', 'crds', f), 'utf8'));
  const image = join(cache, 'xpkg.crossplane.io', 'crossplane', `crossplane@${SCHEMA_MODULES.crossplane.version}`);
  mkdirSync(image, { recursive: true });
  writeFileSync(join(image, 'package.yaml'), crds.join('\n---\n'));
  // Crossplane's own kinds (Usage among them) are validated from this cache entry.
  return { extensions, cache };
}
