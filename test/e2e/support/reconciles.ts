// Reconciles a test causes and can prove it caused: a change to an XR's
// annotations makes Crossplane call the function again, and the function's
// own metrics count the call. A test that says "nothing changes on later
// reconciles" waits for those calls instead of sleeping, so it holds on a
// slow machine and fails if the calls never came.
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from './cluster.js';
import { eventually } from './processes.js';

/** The sum of a counter of the function's metrics over the series whose `kind` label is one of `kinds`. */
async function counted(metricsUrl: string, metric: string, kinds: readonly string[]): Promise<number> {
  const body = await (await fetch(metricsUrl)).text();
  let total = 0;
  for (const m of body.matchAll(new RegExp(`^${metric}\\{kind="(\\w+)",\\w+="\\w+"\\} (\\d+)$`, 'gm'))) {
    if (kinds.includes(m[1]!)) total += Number(m[2]);
  }
  return total;
}

/** RunFunction calls the function has answered for XRs of these kinds, any result. */
export const functionCalls = (metricsUrl: string, kinds: readonly string[]) => counted(metricsUrl, 'function_odoo_calls_total', kinds);

/**
 * Transitions the function told (Normal and Warning results) for XRs of these
 * kinds: its own count, before Kubernetes' event recorder, which drops an
 * object's events past a burst of 25 (one more every five minutes).
 */
export const functionEventsTold = (metricsUrl: string, kinds: readonly string[]) => counted(metricsUrl, 'function_odoo_events_total', kinds);

/** A test that waits for a few nudged reconciles may wait out Crossplane's circuit breaker (5 minutes) for each. */
export const RECONCILES_TIMEOUT = 20 * 60_000;

export type XrRef = { apiVersion: string; kind: string; name: string; namespace?: string };

/**
 * Changes an annotation of the object `times` times, each time waiting for
 * the function to answer a call for one of `kinds` that began after the
 * change. Returns the calls counted.
 */
export async function reconcileAgain(cluster: Cluster, metricsUrl: string, ref: XrRef, kinds: readonly string[], times: number): Promise<number> {
  const start = await functionCalls(metricsUrl, kinds);
  for (let i = 0; i < times; i++) {
    const before = await functionCalls(metricsUrl, kinds);
    await cluster.objects.patch(
      { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}), annotations: { 'e2e.odoo.io/nudge': `${Date.now()}-${i}` } } },
      undefined,
      undefined,
      'e2e',
      undefined,
      k8s.PatchStrategy.MergePatch,
    );
    // Usually within a second. But Crossplane's circuit breaker drops an XR's own watch events
    // for up to 5 minutes after a burst of them (creating an instance is one), and then only
    // its requeue calls: at most the steady TTL, 10 minutes.
    await eventually(`a function call for ${ref.kind} ${ref.name} after nudge ${i + 1}`, async () => ((await functionCalls(metricsUrl, kinds)) > before ? true : undefined), 660_000, 250);
  }
  return (await functionCalls(metricsUrl, kinds)) - start;
}

/**
 * The function's own words in an Event: Crossplane prefixes the events it
 * records on an XR with the pipeline step ('Pipeline step "function-odoo": '),
 * not those it records on a claim.
 */
export function toldMessage(event: { message?: string }): string {
  return (event.message ?? '').replace(/^Pipeline step "[^"]+": /, '');
}
