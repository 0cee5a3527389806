// kube-state-metrics, built from its module, run against the e2e API server
// with the configuration and ClusterRole a hoster installs (monitoring/), as
// a ServiceAccount; and promtool evaluating the alert rules on what it
// exported. A Prometheus server would scrape and evaluate the same way; the
// rules engine is the same code (promtool test rules runs Prometheus's rules
// package over the series it is given).
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { freePort, ROOT } from '../../../scripts/function-process.js';
import { applyObjects } from './apply.js';
import { serviceAccountKubeconfig } from './crossplane-rbac.js';
import { eventually, type Processes } from './processes.js';

const NAMESPACE = 'monitoring';
const ACCOUNT = 'kube-state-metrics';

export interface StateMetrics {
  /** kube-state-metrics' /metrics now. */
  scrape(): Promise<string>;
}

/**
 * Starts kube-state-metrics as its own ServiceAccount: bound to
 * monitoring/kube-state-metrics-rbac.yaml (what we ship) and to the list and
 * watch of Jobs its own chart's ClusterRole grants (for kube_job_*).
 */
export async function startKubeStateMetrics(binary: string, admin: k8s.KubeConfig, processes: Processes, dir: string): Promise<StateMetrics> {
  const ours = parse(readFileSync(join(ROOT, 'monitoring', 'kube-state-metrics-rbac.yaml'), 'utf8')) as k8s.KubernetesObject;
  const chartsJobs = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'kube-state-metrics' }, rules: [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['list', 'watch'] }] };
  const binding = (role: string) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: role.replace(':', '-') },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'ServiceAccount', name: ACCOUNT, namespace: NAMESPACE }],
  });
  await applyObjects(admin, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: ACCOUNT, namespace: NAMESPACE } },
    ours,
    chartsJobs,
    binding(ours.metadata!.name!),
    binding('kube-state-metrics'),
  ] as k8s.KubernetesObject[]);
  const [port, telemetry] = [await freePort(), await freePort()];
  processes.start('kube-state-metrics', binary, [
    `--kubeconfig=${await serviceAccountKubeconfig(admin, NAMESPACE, ACCOUNT, dir)}`,
    `--custom-resource-state-config-file=${join(ROOT, 'monitoring', 'kube-state-metrics.yaml')}`,
    '--resources=jobs',
    '--host=127.0.0.1',
    `--port=${port}`,
    '--telemetry-host=127.0.0.1',
    `--telemetry-port=${telemetry}`,
  ]);
  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    if (!res.ok) throw new Error(`kube-state-metrics answered ${res.status}`);
    return res.text();
  };
  // It finds the Instance and Tenant CRDs, then lists them: ready once their metrics show.
  await eventually('kube-state-metrics exports the Instances and Tenants', async () => ((await scrape().catch(() => '')).includes('odoo_tenant_locked{') ? true : undefined), 120_000, 1000);
  return { scrape };
}

/** An alert as promtool expects it: its labels (alertname and the rule's own included) and annotations. */
export interface ExpectedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * Runs the alert rules of monitoring/rules.yaml with promtool over `series`
 * (exposition lines as scraped, held constant for `minutes`), and checks
 * that at the end exactly the `expected` alerts of each alert name fire.
 * Resolves with promtool's output; rejects with it when the alerts differ.
 */
export async function rulesOnScrape(promtool: string, dir: string, series: string[], minutes: number, expected: Record<string, ExpectedAlert[]>): Promise<string> {
  const input = series.map((line) => {
    const at = line.lastIndexOf(' ');
    // As a plain number: promtool reads "a+bxn" as a start and a step, so 1.7e+09 would not be one value.
    return { series: line.slice(0, at), values: `${String(Number(line.slice(at + 1)))}x${minutes}` };
  });
  const test = {
    rule_files: [join(ROOT, 'monitoring', 'rules.yaml')],
    evaluation_interval: '1m',
    tests: [
      {
        name: 'the alerts on what kube-state-metrics exported',
        interval: '1m',
        input_series: input,
        alert_rule_test: Object.entries(expected).map(([alertname, alerts]) => ({ eval_time: `${minutes}m`, alertname, exp_alerts: alerts.map((a) => ({ exp_labels: a.labels, exp_annotations: a.annotations })) })),
      },
    ],
  };
  const file = join(dir, `rules-on-scrape.test.yaml`);
  writeFileSync(file, stringify(test, { lineWidth: 0 }));
  try {
    const { stdout } = await promisify(execFile)(promtool, ['test', 'rules', file], { encoding: 'utf8' });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool test rules ${file}:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** The exposition lines (no comments) of the metrics whose names start with one of `prefixes`. */
export function seriesOf(body: string, prefixes: string[]): string[] {
  return body.split('\n').filter((l) => !l.startsWith('#') && prefixes.some((p) => l.startsWith(p)));
}

/** An annotation template of the rules with its {{ $labels.name }} filled in, as Prometheus renders it. */
export function withLabels(template: string, labels: Record<string, string>): string {
  return template.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? '');
}
