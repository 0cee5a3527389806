// The alerts a hoster installs: Prometheus rules over what kube-state-metrics
// exports of the Instances and Tenants (state-metrics.ts), its own kube_job_*
// metrics, and the function's metrics (functions/metrics.ts). Written both as
// a rule file (promtool, a plain Prometheus) and as a PrometheusRule (the
// Prometheus Operator); tested by promtool against monitoring/rules.test.yaml.
import type { Phase } from '../../functions/instance/schema.js';
import { INSTANCE_LABEL, INSTANCE_PREFIX, TENANT_LABEL, TENANT_PREFIX } from './state-metrics.js';

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'critical' | 'warning' | 'info' };
  annotations: { summary: string; description: string };
}

const I = INSTANCE_PREFIX;
const T = TENANT_PREFIX;
const who = `{{ $labels.namespace }}/{{ $labels.${INSTANCE_LABEL} }}`;
const describe = `kubectl -n {{ $labels.namespace }} describe instance {{ $labels.${INSTANCE_LABEL} }}`;

/** Failed phases that wait for a person; Failed (a testing instance's tests failed) is the tests' verdict, not an outage. */
const WAITING_FOR_A_PERSON: readonly Phase[] = ['InitializationFailed', 'CopyFailed', 'NeutralizationFailed', 'MigrationFailed', 'BackupFailed', 'RestoreFailed'];

/** Minutes a Job may overrun its activeDeadlineSeconds before the transition counts as stuck: the Job controller fails it at the deadline, the function reacts within its next call. */
const OVERRUN_SECONDS = 600;

/** Instances whose backups matter: they ran a release (the CronJob exists once they do), and are not retired by a cut-over. */
const BACKED_UP = `and on(namespace, ${INSTANCE_LABEL}) ${I}_info{running_release!=""} unless on(namespace, ${INSTANCE_LABEL}) ${I}_phase{phase="Retired"} == 1`;

/**
 * Hours without a successful backup before it pages: a nightly run may start
 * an hour late (the CronJob's startingDeadlineSeconds) and is known only
 * once it finished (up to the backup deadline, 2 hours by default), so a
 * daily schedule leaves up to 27 hours between two known backups. A tenant
 * on a sparser schedule needs its own rule.
 */
const BACKUP_HOURS = 28;

export const ALERT_RULES: readonly AlertRule[] = [
  {
    alert: 'OdooBackupFailed',
    expr: `${I}_condition{condition="BackupReady", reason="BackupFailed"} == 0 ${BACKED_UP}`,
    for: '10m',
    labels: { severity: 'warning' },
    annotations: {
      summary: `The last scheduled backup of ${who} failed`,
      description: `Its BackupReady condition names the Pod to read (${describe}). The newest good backup stays where it is; the next scheduled run tries again.`,
    },
  },
  {
    alert: 'OdooBackupsStopped',
    expr: `time() - ${I}_backup_last_successful_timestamp_seconds > ${BACKUP_HOURS} * 3600 ${BACKED_UP}`,
    for: '15m',
    labels: { severity: 'critical' },
    annotations: {
      summary: `No backup of ${who} has succeeded for more than ${BACKUP_HOURS} hours`,
      description: `With a daily schedule, at least one night was missed. ${describe} shows the BackupReady condition and the schedule; kubectl -n {{ $labels.namespace }} get cronjobs,jobs shows the runs.`,
    },
  },
  {
    alert: 'OdooNoBackupYet',
    expr: `time() - ${I}_created_timestamp_seconds > ${BACKUP_HOURS} * 3600 and on(namespace, ${INSTANCE_LABEL}) ${I}_condition{condition="BackupReady", reason=~"NoBackupYet|BackupFailed"} == 0 unless on(namespace, ${INSTANCE_LABEL}) ${I}_backup_last_successful_timestamp_seconds ${BACKED_UP}`,
    for: '15m',
    labels: { severity: 'critical' },
    annotations: {
      summary: `${who} serves customers and no scheduled backup of it has ever succeeded`,
      description: `It was created more than ${BACKUP_HOURS} hours ago. ${describe} shows the schedule and, when runs failed, the Pod to read; kubectl -n {{ $labels.namespace }} get cronjobs shows whether the CronJob runs.`,
    },
  },
  {
    alert: 'OdooTransitionPastDeadline',
    expr: `((time() - kube_job_status_start_time) > (kube_job_spec_active_deadline_seconds + ${OVERRUN_SECONDS})) * on(namespace, job_name) group_left(${INSTANCE_LABEL}) ${I}_active_job_info and on(namespace, ${INSTANCE_LABEL}) ${I}_transitioning == 1`,
    for: '5m',
    labels: { severity: 'critical' },
    annotations: {
      summary: `${who} still waits for Job {{ $labels.job_name }}, past its deadline`,
      description: `The Job controller fails a Job at its activeDeadlineSeconds and the function then rolls back or reports the failure; an instance still waiting ${OVERRUN_SECONDS / 60} minutes later is stuck. Read kubectl -n {{ $labels.namespace }} describe job {{ $labels.job_name }}, then ${describe}.`,
    },
  },
  {
    alert: 'OdooUpgradeFailed',
    expr: `${I}_phase{phase="UpgradeFailed"} == 1`,
    for: '5m',
    labels: { severity: 'warning' },
    annotations: {
      summary: `The upgrade of ${who} failed and cannot roll back on its own`,
      description: `It serves its running release. ${describe}: the Lifecycle condition says what is missing (a pre-upgrade backup) and what to do.`,
    },
  },
  {
    alert: 'OdooRollbackFailed',
    expr: `${I}_phase{phase="RollbackFailed"} == 1`,
    for: '5m',
    labels: { severity: 'critical' },
    annotations: {
      summary: `The rollback of ${who} after a failed upgrade failed: its database may be half-upgraded`,
      description: `Its web Pods stay stopped. ${describe} names the rollback Job and the pre-upgrade backup to restore by hand (docs/devops.md, Backups and restore).`,
    },
  },
  {
    alert: 'OdooTransitionFailed',
    expr: `${I}_phase{phase=~"${WAITING_FOR_A_PERSON.join('|')}"} == 1`,
    for: '15m',
    labels: { severity: 'warning' },
    annotations: {
      summary: `${who} stopped in phase {{ $labels.phase }}`,
      description: `A lifecycle Job failed and the instance waits for a person: ${describe} names the Job; delete it to run it again once the cause is fixed.`,
    },
  },
  {
    // Starting too: after an upgrade or a restore, web Pods that never get ready leave the instance Starting.
    alert: 'OdooProductionNotServing',
    expr: `${I}_serving == 0 and on(namespace, ${INSTANCE_LABEL}) ${I}_phase{phase=~"Running|Starting"} == 1 and on(namespace, ${INSTANCE_LABEL}) ${I}_info{type="production"}`,
    for: '15m',
    labels: { severity: 'critical' },
    annotations: {
      summary: `Production ${who} has had no web Pod answering for 15 minutes`,
      description: `Its hosts show the maintenance page. kubectl -n {{ $labels.namespace }} get pods -l odoo.io/instance={{ $labels.${INSTANCE_LABEL} }} shows why (crash loop, probes, PostgreSQL).`,
    },
  },
  {
    alert: 'OdooTenantLocked',
    expr: `${T}_locked == 1`,
    for: '24h',
    labels: { severity: 'warning' },
    annotations: {
      summary: `Tenant {{ $labels.namespace }}/{{ $labels.${TENANT_LABEL} }} has been locked for more than a day`,
      description: `An instance has transitioned for a day: its host names and primary instance cannot change meanwhile. kubectl -n {{ $labels.namespace }} describe tenant {{ $labels.${TENANT_LABEL} }} names the instances that hold the lock.`,
    },
  },
  {
    // A counter's labelled series appears at its first increment, which increase() cannot see: a series new within the window counts too.
    alert: 'OdooFunctionInternalError',
    expr: 'sum by (kind) (increase(function_odoo_fatal_results_total{reason="InternalError"}[15m])) > 0 or sum by (kind) (function_odoo_fatal_results_total{reason="InternalError"} unless function_odoo_fatal_results_total{reason="InternalError"} offset 15m)',
    for: '0m',
    labels: { severity: 'critical' },
    annotations: {
      summary: 'function-odoo failed to compose an XR of kind {{ $labels.kind }}: a bug',
      description: 'The XR keeps what was composed before. The function’s log (run it with --debug) names the XR; report it with that line.',
    },
  },
  {
    alert: 'OdooSpecRefused',
    expr: 'sum by (kind) (increase(function_odoo_fatal_results_total{reason="Refused"}[15m])) > 0',
    for: '1h',
    labels: { severity: 'info' },
    annotations: {
      summary: 'A {{ $labels.kind }} has been refused for an hour',
      description: 'Its owner has a spec the function cannot compose; the XR’s Synced condition names the field and the fix (kubectl get {{ $labels.kind | toLower }}s -A shows which is not Synced).',
    },
  },
];

/** The rule file: one group, as Prometheus and promtool read it. */
export function ruleFile(): { groups: { name: string; rules: AlertRule[] }[] } {
  return { groups: [{ name: 'function-odoo', rules: [...ALERT_RULES] }] };
}

/** The same rules as a PrometheusRule of the Prometheus Operator. */
export function prometheusRule(): Record<string, unknown> {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'function-odoo', labels: { 'app.kubernetes.io/part-of': 'function-odoo' } },
    spec: ruleFile(),
  };
}
