// Kubernetes rewrites a container's command and args before it runs them:
// "$$" becomes "$" and "$(NAME)" becomes the value of the container's
// environment variable NAME. A Job script that contains either runs as
// something else than what the function wrote: the real init Job failed on
// `DO $$ … $$` arriving as `DO $ … $`. Every command and argument the
// function composes, in every lifecycle step, must come through that
// rewriting unchanged.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { app, Cluster, example, requiredObjects, type Obj } from '../support/world.js';

/** Kubernetes' expansion of command and args (k8s.io/kubernetes third_party/forked/golang/expansion). */
export function kubernetesExpand(input: string, env: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close === -1) {
        out += '$(';
        i++;
        continue;
      }
      const name = input.slice(i + 2, close);
      out += env.has(name) ? env.get(name)! : `$(${name})`;
      i = close;
    } else {
      out += `$${next}`;
      i++;
    }
  }
  return out;
}

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
}

function podSpecs(o: Obj): Obj[] {
  if (o.kind === 'CronJob') return [o.spec.jobTemplate.spec.template.spec];
  if (['Job', 'Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind)) return [o.spec.template.spec];
  return [];
}

/** Every container of every workload, named by its object. */
function containersOf(objects: Obj[]): { where: string; container: Container }[] {
  return objects.flatMap((o) =>
    podSpecs(o).flatMap((spec) =>
      [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((container: Container) => ({ where: `${o.kind} ${o.metadata.name} / ${container.name}`, container })),
    ),
  );
}

function goldenObjects(dir: string): Obj[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) return goldenObjects(path);
    if (!f.endsWith('.yaml')) return [];
    return parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as Obj).filter((o) => o !== null && typeof o === 'object');
  });
}

/** What the lifecycle composes beyond the goldens: backups on a schedule, restores, both kinds of copy. */
async function lifecycleObjects(): Promise<Obj[]> {
  const storage = { endpoint: 'https://s3.eu-central-1.amazonaws.com', bucket: 'acme-odoo-backups', prefix: 'odoo', region: 'eu-central-1', credentialsSecretName: 'odoo-backup-s3' };
  const required = requiredObjects();
  app(required).spec.backup = { storage };
  const seen: Obj[] = [];
  const walk = async (c: Cluster, times: number) => {
    for (let i = 0; i < times; i++) seen.push(...Object.values((await c.reconcile()).resources));
  };
  const prod = new Cluster({ ...example('instance-production.yaml'), metadata: { name: 'prod', namespace: 'acme', uid: 'u' } }, required);
  await walk(prod, 6);
  prod.xr.spec.release = '1.4.2';
  await walk(prod, 6);
  const restored: Obj = { ...example('instance-staging.yaml'), metadata: { name: 'staging', namespace: 'acme', uid: 'u2' } };
  delete restored.spec.source;
  restored.spec.restore = { latestOf: 'prod' };
  await walk(new Cluster(restored, required), 6);
  return seen;
}

describe('container commands and args', () => {
  it('the expansion is modelled as Kubernetes does it', () => {
    const env = new Map([['A', 'x']]);
    expect(kubernetesExpand('DO $$ BEGIN $$', env)).toBe('DO $ BEGIN $');
    expect(kubernetesExpand('$(A) $(B) $(cat f) $x $', env)).toBe('x $(B) $(cat f) $x $');
  });

  it('reach the container as the function wrote them, in every Job, CronJob and Deployment', async () => {
    const objects = [...goldenObjects(join(import.meta.dirname, '..', 'golden')), ...(await lifecycleObjects())];
    const containers = containersOf(objects);
    // Enough to mean something: every step of the lifecycle and both workloads.
    const workloads = [...new Set(containers.map((c) => c.where.split(' / ')[0]))].join(' ');
    for (const step of ['-init ', '-init-sql', '-copy-from-', '-neutralize', '-backup-', '-upgrade-', '-migrate-', '-test-', '-restore', 'CronJob ', '-web', '-cron']) expect(workloads).toContain(step);
    const changed: string[] = [];
    for (const { where, container } of containers) {
      const env = new Map((container.env ?? []).map((e) => [e.name, e.value ?? '(from a reference)']));
      for (const arg of [...(container.command ?? []), ...(container.args ?? [])]) {
        const after = kubernetesExpand(arg, env);
        if (after !== arg) {
          const at = [...arg].findIndex((ch, i) => ch !== after[i]);
          changed.push(`${where}: …${arg.slice(Math.max(0, at - 20), at + 30)}…`);
        }
      }
    }
    expect(changed).toEqual([]);
  });
});
