// The alerts and the dashboard a hoster installs (monitoring/): promtool
// checks the rules and runs their unit tests; every query reads a metric that
// something exports; every failed phase that waits for a person alerts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { functionMetrics } from '../../functions/metrics.js';
import { PHASES } from '../../functions/instance/schema.js';
import { ROOT } from '../../scripts/function-process.js';
import { ALERT_RULES } from '../../scripts/monitoring/alerts.js';
import { dashboardQueries } from '../../scripts/monitoring/dashboard.js';
import { stateMetricNames } from '../../scripts/monitoring/state-metrics.js';

const promtool = process.env.PROMTOOL;
if (!promtool) throw new Error('PROMTOOL is not set: run the tests with npm test (scripts/test builds promtool from Prometheus’s module)');

const run = (...args: string[]) => execFileSync(promtool, args, { cwd: join(ROOT, 'monitoring'), encoding: 'utf8', stdio: 'pipe' });

/** kube-state-metrics' own Job metrics the rules join (it exports them with --resources including jobs; the e2e runs it so). */
const KUBE_STATE_JOB_METRICS = ['kube_job_status_start_time', 'kube_job_spec_active_deadline_seconds'];

function exportedMetrics(): Set<string> {
  const fromFunction = functionMetrics()
    .registry.getMetricsAsArray()
    .flatMap((m) => (String(m.type) === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name]));
  return new Set([...stateMetricNames(), ...fromFunction, ...KUBE_STATE_JOB_METRICS]);
}

/** Metric names a PromQL expression reads: ours, the function's and kube-state-metrics' (label names and functions are not matched). */
const metricsRead = (expr: string) => [...expr.matchAll(/\b((?:odoo_instance|odoo_tenant|function_odoo|kube_job)_[a-z_]+)\b/g)].map((m) => m[1]!);

describe('the alerts', () => {
  it('are valid Prometheus rules (promtool check rules)', () => {
    expect(run('check', 'rules', 'rules.yaml')).toContain(`SUCCESS: ${ALERT_RULES.length} rules found`);
  });

  it('fire and stay quiet as monitoring/rules.test.yaml specifies (promtool test rules)', () => {
    expect(run('test', 'rules', 'rules.test.yaml')).toContain('SUCCESS');
  });

  it('every alert is exercised by a promtool test', () => {
    const file = readFileSync(join(ROOT, 'monitoring', 'rules.test.yaml'), 'utf8');
    const tested = new Set([...file.matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect(ALERT_RULES.map((r) => r.alert).filter((a) => !tested.has(a))).toEqual([]);
  });

  it('read only metrics that kube-state-metrics (with monitoring/kube-state-metrics.yaml) or the function export', () => {
    const exported = exportedMetrics();
    const unknown = ALERT_RULES.flatMap((r) => metricsRead(r.expr).filter((m) => !exported.has(m)).map((m) => `${r.alert}: ${m}`));
    expect(unknown).toEqual([]);
    expect(ALERT_RULES.every((r) => metricsRead(r.expr).length > 0)).toBe(true);
  });

  it('watch every failed phase that waits for a person; a testing instance’s Failed verdict is not an outage', () => {
    const exprs = ALERT_RULES.map((r) => r.expr).join('\n');
    const failed = PHASES.filter((p) => p.endsWith('Failed') && p !== 'Failed');
    expect(failed.filter((p) => !new RegExp(`\\b${p}\\b`).test(exprs))).toEqual([]);
    expect(/\bFailed\b/.test(exprs.replaceAll(/\w+Failed/g, ''))).toBe(false);
  });
});

describe('the dashboard', () => {
  it('queries parse as PromQL (promtool checks them as recording rules)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    // Grafana substitutes $namespace with a regex of the chosen namespaces.
    const rules = dashboardQueries().map((expr, i) => ({ record: `dashboard:query_${i}`, expr: expr.replaceAll('$namespace', '.*') }));
    writeFileSync(join(dir, 'queries.yaml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
    expect(execFileSync(promtool, ['check', 'rules', join(dir, 'queries.yaml')], { encoding: 'utf8', stdio: 'pipe' })).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('reads only metrics that are exported', () => {
    const exported = exportedMetrics();
    const read = dashboardQueries().flatMap(metricsRead);
    expect(read.length).toBeGreaterThan(10);
    expect(read.filter((m) => !exported.has(m))).toEqual([]);
  });
});
