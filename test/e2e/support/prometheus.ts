// Counters read from Prometheus text exposition (the function's /metrics,
// kube-apiserver's /metrics), summed by the labels a report groups them by.
import { execFileSync } from 'node:child_process';

export type Sample = { labels: Record<string, string>; value: number };

/** Every sample of one metric in a Prometheus text exposition. */
export function samples(body: string, metric: string): Sample[] {
  const out: Sample[] = [];
  const line = new RegExp(`^${metric}(?:\\{(.*)\\})? ([0-9.eE+-]+)$`, 'gm');
  for (const m of body.matchAll(line)) {
    const labels: Record<string, string> = {};
    for (const l of (m[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ labels, value: Number(m[2]) });
  }
  return out;
}

/** Sums samples by a key made of their labels. */
export function sumBy(list: Sample[], key: (labels: Record<string, string>) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of list) out[key(s.labels)] = (out[key(s.labels)] ?? 0) + s.value;
  return out;
}

/** after − before, per key, dropping keys that did not move; largest first. */
export function delta(before: Record<string, number>, after: Record<string, number>, top = Infinity): Record<string, number> {
  const moved = Object.entries(after)
    .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return Object.fromEntries(moved.slice(0, top));
}

/** kube-apiserver's /metrics, through kubectl with the admin kubeconfig. */
export function apiServerMetrics(kubectl: string, kubeconfig: string): string {
  return execFileSync(kubectl, ['get', '--raw', '/metrics'], { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}
