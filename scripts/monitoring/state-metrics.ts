// What kube-state-metrics exports of the Instances and Tenants (its
// custom-resource-state configuration): the metrics the alerts and the
// dashboard read. Written from the XRs' own API versions and phase list, so a
// phase added to the lifecycle is exported without anyone remembering to.
import { INSTANCE_API_VERSION, INSTANCE_KIND, PHASES } from '../../functions/instance/schema.js';
import { TENANT_API_VERSION, TENANT_KIND } from '../../functions/tenant/schema.js';

/** One metric of a resource: its name after the prefix, its help, and kube-state-metrics' `each`. */
interface StateMetric {
  name: string;
  help: string;
  each: Record<string, unknown>;
  /** Missing fields are expected on most objects (only production backs up): log them at high verbosity only. */
  errorLogV?: number;
}

const groupVersionKind = (apiVersion: string, kind: string) => {
  const [group, version] = apiVersion.split('/') as [string, string];
  return { group, version, kind };
};

// Not `instance`: Prometheus gives every scraped series the target's `instance` label.
export const INSTANCE_LABEL = 'odoo_instance';
export const TENANT_LABEL = 'tenant';
export const INSTANCE_PREFIX = 'odoo_instance';
export const TENANT_PREFIX = 'odoo_tenant';

const conditions: StateMetric = {
  name: 'condition',
  help: 'Each condition of the object: 1 when its status is True, else 0; labels condition (type) and reason.',
  each: { type: 'Gauge', gauge: { path: ['status', 'conditions'], labelsFromPath: { condition: ['type'], reason: ['reason'] }, valueFrom: ['status'] } },
};

export const INSTANCE_METRICS: readonly StateMetric[] = [
  {
    name: 'info',
    help: 'Always 1: the instance’s type, tenant, asked release and running release as labels.',
    each: {
      type: 'Info',
      info: { labelsFromPath: { type: ['spec', 'type'], tenant: ['spec', 'tenantRef', 'name'], release: ['spec', 'release'], running_release: ['status', 'runningRelease'] } },
    },
  },
  {
    name: 'created_timestamp_seconds',
    help: 'When the instance was created (metadata.creationTimestamp), Unix seconds.',
    each: { type: 'Gauge', gauge: { path: ['metadata', 'creationTimestamp'] } },
  },
  {
    name: 'phase',
    help: 'Where the instance is in its lifecycle (status.phase): 1 for its phase, 0 for every other.',
    each: { type: 'StateSet', stateSet: { path: ['status', 'phase'], labelName: 'phase', list: [...PHASES] } },
  },
  {
    name: 'serving',
    help: '1 while a web Pod answers on the instance’s host (status.serving).',
    each: { type: 'Gauge', gauge: { path: ['status', 'serving'], nilIsZero: true } },
  },
  {
    name: 'transitioning',
    help: '1 in every phase that is not steady (status.transitioning): the tenant is locked meanwhile.',
    each: { type: 'Gauge', gauge: { path: ['status', 'transitioning'], nilIsZero: true } },
  },
  {
    name: 'active_job_info',
    help: 'Always 1, for the lifecycle Job the phase waits for (status.activeJob), as label job_name: joins kube_job_* of the same namespace.',
    each: { type: 'Info', info: { path: ['status'], labelsFromPath: { job_name: ['activeJob'] } } },
    errorLogV: 10,
  },
  {
    name: 'backup_last_successful_timestamp_seconds',
    help: 'When the newest scheduled backup that succeeded was taken (status.backup.lastSuccessful.time), Unix seconds.',
    each: { type: 'Gauge', gauge: { path: ['status', 'backup', 'lastSuccessful', 'time'] } },
    errorLogV: 10,
  },
  {
    name: 'backup_last_successful_size_bytes',
    help: 'Size of the newest scheduled backup that succeeded (status.backup.lastSuccessful.size).',
    each: { type: 'Gauge', gauge: { path: ['status', 'backup', 'lastSuccessful', 'size'] } },
    errorLogV: 10,
  },
  conditions,
];

export const TENANT_METRICS: readonly StateMetric[] = [
  {
    name: 'info',
    help: 'Always 1: the tenant’s base host name and primary instance as routed now.',
    each: { type: 'Info', info: { labelsFromPath: { base_host: ['status', 'baseHostName'], primary_instance: ['status', 'primaryInstance'] } } },
  },
  {
    name: 'locked',
    help: '1 while an instance of the tenant transitions (status.hasTransitioningInstance): host names and the primary instance are locked.',
    each: { type: 'Gauge', gauge: { path: ['status', 'hasTransitioningInstance'], nilIsZero: true } },
  },
  conditions,
];

/** kube-state-metrics' --custom-resource-state-config-file. */
export function customResourceStateConfig(): Record<string, unknown> {
  const resource = (apiVersion: string, kind: string, prefix: string, nameLabel: string, metrics: readonly StateMetric[]) => ({
    groupVersionKind: groupVersionKind(apiVersion, kind),
    metricNamePrefix: prefix,
    labelsFromPath: { namespace: ['metadata', 'namespace'], [nameLabel]: ['metadata', 'name'] },
    metrics: metrics.map((m) => ({ name: m.name, help: m.help, each: m.each, ...(m.errorLogV !== undefined ? { errorLogV: m.errorLogV } : {}) })),
  });
  return {
    kind: 'CustomResourceStateMetrics',
    spec: {
      resources: [
        resource(INSTANCE_API_VERSION, INSTANCE_KIND, INSTANCE_PREFIX, INSTANCE_LABEL, INSTANCE_METRICS),
        resource(TENANT_API_VERSION, TENANT_KIND, TENANT_PREFIX, TENANT_LABEL, TENANT_METRICS),
      ],
    },
  };
}

/** Every metric name the configuration makes kube-state-metrics export. */
export function stateMetricNames(): string[] {
  return [...INSTANCE_METRICS.map((m) => `${INSTANCE_PREFIX}_${m.name}`), ...TENANT_METRICS.map((m) => `${TENANT_PREFIX}_${m.name}`)];
}

/**
 * What kube-state-metrics' ServiceAccount needs besides its own chart's
 * ClusterRole: list and watch the Instances and Tenants (and the
 * CustomResourceDefinitions, to find them). Bind it to that ServiceAccount.
 */
export function stateMetricsClusterRole(): Record<string, unknown> {
  const group = (apiVersion: string) => apiVersion.split('/')[0]!;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'function-odoo:kube-state-metrics', labels: { 'app.kubernetes.io/part-of': 'function-odoo' } },
    rules: [
      { apiGroups: [group(INSTANCE_API_VERSION)], resources: ['instances'], verbs: ['list', 'watch'] },
      { apiGroups: [group(TENANT_API_VERSION)], resources: ['tenants'], verbs: ['list', 'watch'] },
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['list', 'watch'] },
    ],
  };
}
