// What a key account manager (Tenant type spec) or an end user (Instance)
// asked for, against the limits the App and the Tenant set. Only what they
// set is checked: the App's defaults are the DevOps team's own choice.
import type { InstanceSizing } from '../shared/instance-spec-kit.js';
import { lifetimeSeconds, type Quotas } from '../shared/quota-schema.js';
import { quantityValue } from '../shared/quantity.js';
import type { InstanceContext } from './context.js';
import type { Instance } from './schema.js';
import { derivedResources, mergeConfig, type InstanceSettings } from './settings.js';

interface Limit {
  value: number | string;
  who: string;
}

/** The tighter of the App's and the Tenant's limit of each kind, with who set it. */
function limits(context: InstanceContext): Partial<Record<keyof Quotas, Limit>> {
  const out: Partial<Record<keyof Quotas, Limit>> = {};
  const layers: [Quotas | undefined, string][] = [
    [context.app.spec.quotas, `App "${context.app.metadata.name}" spec.quotas`],
    [context.tenant.spec.quotas, `Tenant "${context.tenant.metadata.name}" spec.quotas`],
  ];
  for (const [q, who] of layers) {
    for (const [key, value] of Object.entries(q ?? {}) as [keyof Quotas, number | string | undefined][]) {
      if (value === undefined) continue;
      const current = out[key];
      const measure = (v: number | string) => (typeof v === 'number' ? v : key === 'maxTestingLifetime' ? lifetimeSeconds(v) : quantityValue(v));
      const smaller = current === undefined || measure(value) < measure(current.value);
      if (smaller) out[key] = { value, who };
    }
  }
  return out;
}

type Autoscaling = { minReplicas?: number | undefined; maxReplicas: number } | undefined;

/**
 * Every value the tenant's type spec or the instance set beyond a limit, as
 * messages naming the field and the limit; and the memory limits the
 * function derives from what they set (workers, cron threads,
 * limitMemoryHard) when they set no limit of their own.
 */
export function quotaViolations(instance: Instance, typeSpec: (InstanceSizing & { autoscaling?: Autoscaling }) | undefined, context: InstanceContext, settings: InstanceSettings): string[] {
  const l = limits(context);
  const out: string[] = [];
  const layers: [InstanceSizing | undefined, string][] = [
    [typeSpec, `Tenant "${context.tenant.metadata.name}" spec.${instance.spec.type}`],
    [instance.spec, 'spec'],
  ];
  const over = (field: string, value: number | string, limit: Limit | undefined, name: keyof Quotas) => {
    if (limit === undefined) return;
    const beyond = typeof value === 'number' ? value > (limit.value as number) : quantityValue(value) > quantityValue(limit.value as string);
    if (beyond) out.push(`${field}: ${value} is over ${limit.value}, the limit ${limit.who}.${name} sets; ask for at most that, or ask the DevOps team to raise it`);
  };
  for (const [layer, at] of layers) {
    if (layer === undefined) continue;
    if (layer.replicas !== undefined) over(`${at}.replicas`, layer.replicas, l.maxReplicas, 'maxReplicas');
    // An autoscaler's bounds are replicas too: maxReplicas is what it may reach.
    const autoscaling = (layer as { autoscaling?: Autoscaling }).autoscaling;
    if (autoscaling !== undefined) {
      over(`${at}.autoscaling.maxReplicas`, autoscaling.maxReplicas, l.maxReplicas, 'maxReplicas');
      if (autoscaling.minReplicas !== undefined) over(`${at}.autoscaling.minReplicas`, autoscaling.minReplicas, l.maxReplicas, 'maxReplicas');
    }
    if (layer.config?.workers !== undefined) over(`${at}.config.workers`, layer.config.workers, l.maxWorkers, 'maxWorkers');
    if (layer.filestore?.size !== undefined) over(`${at}.filestore.size`, layer.filestore.size, l.maxFilestore, 'maxFilestore');
    for (const component of ['web', 'cron', 'jobs'] as const) {
      const r = layer.resources?.[component];
      for (const kind of ['requests', 'limits'] as const) {
        const cpu = r?.[kind]?.cpu;
        const memory = r?.[kind]?.memory;
        if (cpu !== undefined) over(`${at}.resources.${component}.${kind}.cpu`, cpu, l.maxCpu, 'maxCpu');
        if (memory !== undefined) over(`${at}.resources.${component}.${kind}.memory`, memory, l.maxMemory, 'maxMemory');
      }
    }
  }
  over('spec.initModules', instance.spec.initModules.length, l.maxInitModules, 'maxInitModules');
  out.push(...derivedMemoryViolations(instance, typeSpec, settings, l.maxMemory, context));
  return out;
}

/** What each container's derived memory limit is computed from (settings.ts): the config fields that raise it. */
const DERIVED_FROM = { web: ['workers', 'limitMemoryHard'], cron: ['maxCronThreads', 'limitMemoryHard'], jobs: ['limitMemoryHard'] } as const;

function derivedMemoryViolations(instance: Instance, typeSpec: InstanceSizing | undefined, settings: InstanceSettings, limit: Limit | undefined, context: InstanceContext): string[] {
  if (limit === undefined) return [];
  const layers = [typeSpec, instance.spec];
  // What the App's own layers derive is the DevOps team's choice: only what the tenant or the instance raised above it counts.
  const appOnly = derivedResources(mergeConfig([context.app.spec.config, context.app.spec.code.config, context.release.config]));
  return (Object.keys(DERIVED_FROM) as (keyof typeof DERIVED_FROM)[]).flatMap((component) => {
    // A limit they set themselves is checked as set; the App's own derivation is the DevOps team's choice.
    if (layers.some((layer) => layer?.resources?.[component]?.limits?.memory !== undefined)) return [];
    const raisedBy = DERIVED_FROM[component].filter((field) => layers.some((layer) => layer?.config?.[field] !== undefined));
    const memory = settings.resources[component].limits?.memory;
    const byApp = appOnly[component].limits?.memory;
    if (raisedBy.length === 0 || memory === undefined || quantityValue(memory) <= quantityValue(limit.value as string)) return [];
    if (byApp !== undefined && quantityValue(memory) <= quantityValue(byApp)) return [];
    const from = raisedBy.map((field) => `config.${field} ${String(settings.config[field])}`).join(' and ');
    return [
      `the ${component} containers’ memory limit would be ${memory} (derived from ${from}), over ${limit.value}, the limit ${limit.who}.maxMemory sets; ask for fewer workers or a lower limitMemoryHard, or set resources.${component}.limits.memory within it`,
    ];
  });
}

/**
 * How long a testing instance lives: its tenant's testing.lifetime, at most
 * the tightest maxTestingLifetime of the App and the Tenant (which also
 * applies when the tenant sets none), else undefined (until deleted). A
 * cap, not a refusal: a refused instance would compose nothing, so a running
 * one would never stop. `said` names it, for the instance's condition.
 */
export function testingLifetime(context: InstanceContext): { duration: string; said: string } | undefined {
  const own = context.tenant.spec.testing.lifetime;
  const longest = limits(context).maxTestingLifetime;
  const cap = longest === undefined ? undefined : { duration: longest.value as string, who: `${longest.who}.maxTestingLifetime` };
  if (own !== undefined && (cap === undefined || lifetimeSeconds(own) <= lifetimeSeconds(cap.duration))) return { duration: own, said: `its tenant's testing lifetime of ${own}` };
  if (cap === undefined) return undefined;
  return { duration: cap.duration, said: `the testing lifetime of ${cap.duration} (${cap.who}${own !== undefined ? `, shorter than its tenant's ${own}` : ''})` };
}

/** The tighter maxInstances of the App and the Tenant, with who set it. */
export function instanceLimit(context: InstanceContext): { value: number; who: string } | undefined {
  const limit = limits(context).maxInstances;
  return limit === undefined ? undefined : { value: limit.value as number, who: limit.who };
}
