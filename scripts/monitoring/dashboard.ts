// A Grafana dashboard of the tenants, their instances' phases and backups,
// and the function's calls and latency: what a hoster looks at across
// thousands of tenants. Every query reads a metric state-metrics.ts or
// functions/metrics.ts defines (checked by test/unit/monitoring.test.ts).
import { INSTANCE_LABEL, INSTANCE_PREFIX as I, TENANT_LABEL, TENANT_PREFIX as T } from './state-metrics.js';

type Panel = {
  title: string;
  type: 'stat' | 'timeseries' | 'table';
  description: string;
  targets: { expr: string; legend?: string; instant?: boolean }[];
  unit?: string;
  width: number;
  height: number;
};

const ns = 'namespace=~"$namespace"';

const ROWS: readonly { title: string; panels: readonly Panel[] }[] = [
  {
    title: 'Tenants and instances',
    panels: [
      { title: 'Tenants', type: 'stat', description: 'Tenants kube-state-metrics sees.', targets: [{ expr: `count(${T}_locked{${ns}})`, instant: true }], width: 4, height: 4 },
      { title: 'Instances', type: 'stat', description: 'Instances of every type.', targets: [{ expr: `count(${I}_info{${ns}})`, instant: true }], width: 4, height: 4 },
      { title: 'Locked tenants', type: 'stat', description: 'Tenants with an instance in transition: their host names and primary are locked.', targets: [{ expr: `sum(${T}_locked{${ns}})`, instant: true }], width: 4, height: 4 },
      {
        title: 'Production not serving',
        type: 'stat',
        description: 'Production instances whose web Pods do not answer (maintenance page): in a transition, or down. Retired ones are not counted.',
        targets: [{ expr: `count((${I}_serving{${ns}} == 0) and on(namespace, ${INSTANCE_LABEL}) ${I}_info{type="production"} unless on(namespace, ${INSTANCE_LABEL}) ${I}_phase{phase="Retired"} == 1) or vector(0)`, instant: true }],
        width: 4,
        height: 4,
      },
      {
        title: 'Instances waiting for a person',
        type: 'stat',
        description: 'Instances in a failed phase (but a testing instance’s Failed verdict).',
        targets: [{ expr: `count(${I}_phase{${ns}, phase=~".+Failed"} == 1) or vector(0)`, instant: true }],
        width: 4,
        height: 4,
      },
      {
        title: 'Backups failing',
        type: 'stat',
        description: 'Instances whose last scheduled backup failed.',
        targets: [{ expr: `count(${I}_condition{${ns}, condition="BackupReady", reason="BackupFailed"} == 0) or vector(0)`, instant: true }],
        width: 4,
        height: 4,
      },
      {
        title: 'Instances by phase',
        type: 'timeseries',
        description: 'How many instances are in each phase.',
        targets: [{ expr: `sum by (phase) (${I}_phase{${ns}} == 1)`, legend: '{{phase}}' }],
        width: 12,
        height: 8,
      },
      {
        title: 'Instances by type and release',
        type: 'table',
        description: 'What runs where: instances per type and running release.',
        targets: [{ expr: `count by (type, running_release) (${I}_info{${ns}})`, instant: true }],
        width: 12,
        height: 8,
      },
      {
        title: 'Instances in transition or failed',
        type: 'table',
        description: 'Every instance in a transition or a failed phase, with its phase (not the steady Running, Passed, Failed of a testing instance, Retired and WaitingForSource).',
        targets: [{ expr: `${I}_phase{${ns}, phase!~"Running|Passed|Failed|Retired|WaitingForSource"} == 1`, instant: true }],
        width: 12,
        height: 8,
      },
      {
        title: 'Locked tenants',
        type: 'table',
        description: 'Tenants locked now (an instance transitions).',
        targets: [{ expr: `${T}_locked{${ns}} == 1`, instant: true }],
        width: 12,
        height: 8,
      },
    ],
  },
  {
    title: 'Backups',
    panels: [
      {
        title: 'Oldest last backups',
        type: 'table',
        description: `Time since the newest successful scheduled backup, oldest first: past 26 h, OdooBackupsStopped fires. Labels namespace and ${INSTANCE_LABEL}.`,
        targets: [{ expr: `topk(25, time() - ${I}_backup_last_successful_timestamp_seconds{${ns}})`, instant: true }],
        unit: 's',
        width: 12,
        height: 8,
      },
      {
        title: 'Backup sizes',
        type: 'table',
        description: 'Largest newest backups: what a restore moves.',
        targets: [{ expr: `topk(25, ${I}_backup_last_successful_size_bytes{${ns}})`, instant: true }],
        unit: 'bytes',
        width: 12,
        height: 8,
      },
    ],
  },
  {
    title: 'The function',
    panels: [
      {
        title: 'Calls by kind and result',
        type: 'timeseries',
        description: 'RunFunction calls per second: composed, or fatal (a refused spec or a bug).',
        targets: [{ expr: 'sum by (kind, result) (rate(function_odoo_calls_total[5m]))', legend: '{{kind}} {{result}}' }],
        unit: 'reqps',
        width: 12,
        height: 8,
      },
      {
        title: 'Compose latency',
        type: 'timeseries',
        description: 'Time from a decoded request to an encoded response, 50th and 99th percentile per kind.',
        targets: [
          { expr: 'histogram_quantile(0.5, sum by (le, kind) (rate(function_odoo_compose_duration_seconds_bucket[5m])))', legend: 'p50 {{kind}}' },
          { expr: 'histogram_quantile(0.99, sum by (le, kind) (rate(function_odoo_compose_duration_seconds_bucket[5m])))', legend: 'p99 {{kind}}' },
        ],
        unit: 's',
        width: 12,
        height: 8,
      },
      {
        title: 'Fatal results',
        type: 'timeseries',
        description: 'Refused: a spec that cannot be composed (its XR says why). InternalError: a bug.',
        targets: [{ expr: 'sum by (kind, reason) (rate(function_odoo_fatal_results_total[5m]))', legend: '{{kind}} {{reason}}' }],
        unit: 'reqps',
        width: 12,
        height: 8,
      },
      {
        title: 'Events told',
        type: 'timeseries',
        description: 'Normal and Warning results (Crossplane records each as an event on the XR).',
        targets: [{ expr: 'sum by (kind, severity) (rate(function_odoo_events_total[5m]))', legend: '{{kind}} {{severity}}' }],
        unit: 'reqps',
        width: 12,
        height: 8,
      },
    ],
  },
];

/** Every query of the dashboard, for the test that they parse and read metrics that exist. */
export function dashboardQueries(): string[] {
  return ROWS.flatMap((r) => r.panels.flatMap((p) => p.targets.map((t) => t.expr)));
}

/** Grafana's dashboard JSON (import it, or provision it from a ConfigMap). Layout: 24 columns, panels left to right. */
export function dashboard(): Record<string, unknown> {
  const datasource = { type: 'prometheus', uid: '${datasource}' };
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of ROWS) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const p of row.panels) {
      if (x + p.width > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      panels.push({
        id: id++,
        type: p.type,
        title: p.title,
        description: p.description,
        datasource,
        gridPos: { h: p.height, w: p.width, x, y },
        fieldConfig: { defaults: { ...(p.unit ? { unit: p.unit } : {}) }, overrides: [] },
        options: p.type === 'table' ? { showHeader: true } : {},
        targets: p.targets.map((t, i) => ({
          refId: String.fromCharCode(65 + i),
          datasource,
          expr: t.expr,
          ...(t.legend ? { legendFormat: t.legend } : {}),
          ...(t.instant ? { instant: true, range: false, format: p.type === 'table' ? 'table' : 'time_series' } : { range: true }),
        })),
      });
      x += p.width;
      rowHeight = Math.max(rowHeight, p.height);
    }
    y += rowHeight;
  }
  return {
    title: 'function-odoo: tenants, instances, backups',
    uid: 'function-odoo',
    tags: ['odoo', 'crossplane', 'function-odoo'],
    editable: true,
    schemaVersion: 39,
    time: { from: 'now-24h', to: 'now' },
    refresh: '1m',
    templating: {
      list: [
        { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus' },
        {
          name: 'namespace',
          label: 'Tenant namespace',
          type: 'query',
          datasource,
          query: { query: `label_values(${I}_info, namespace)`, refId: 'namespaces' },
          definition: `label_values(${I}_info, namespace)`,
          multi: true,
          includeAll: true,
          allValue: '.*',
          refresh: 2,
          sort: 1,
        },
      ],
    },
    panels,
    description: `Tenants and instances by phase, backups and the function's calls. Instance metrics carry labels namespace and ${INSTANCE_LABEL}, tenant metrics namespace and ${TENANT_LABEL} (monitoring/kube-state-metrics.yaml).`,
  };
}
