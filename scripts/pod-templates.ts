// What restarts Odoo when the package is upgraded: a Deployment, StatefulSet
// or DaemonSet whose Pod template the new version renders differently rolls
// its Pods, in every tenant at once. The render goldens (test/golden/) hold
// the Pod templates each example and scenario composes; a release keeps a
// digest of each (apis/released/<version>/pod-templates.json), and
// test/unit/pod-restarts.test.ts requires the CHANGELOG to say "Restarts
// Odoo" when a template differs from the last release's.
//
//   node dist/scripts/pod-templates.js [golden dir] > apis/released/<version>/pod-templates.json
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROLLING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** JSON with object keys sorted at every level: the same template gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? yamlFiles(path) : name.endsWith('.yaml') ? [path] : [];
    });
}

/**
 * `<golden file>#<Kind>/<name>` → sha256 of the canonical JSON of its Pod
 * template, for every rolling workload the goldens under `dir` hold.
 */
export function podTemplateDigests(dir: string): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const file of yamlFiles(dir)) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const o = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { template?: unknown } } | null;
      if (!o?.kind || !ROLLING_KINDS.has(o.kind) || o.spec?.template === undefined) continue;
      const key = `${relative(dir, file)}#${o.kind}/${o.metadata?.name ?? ''}`;
      digests[key] = createHash('sha256').update(canonicalJson(o.spec.template)).digest('hex');
    }
  }
  return digests;
}

/** Templates of workloads both versions render whose digests differ: those Pods restart on upgrade. */
export function changedTemplates(released: Record<string, string>, current: Record<string, string>): string[] {
  return Object.keys(current)
    .filter((key) => released[key] !== undefined && released[key] !== current[key])
    .sort();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? join(import.meta.dirname, '..', '..', 'test', 'golden');
  process.stdout.write(`${JSON.stringify(podTemplateDigests(dir), null, 2)}\n`);
}
