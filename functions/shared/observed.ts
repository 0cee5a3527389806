// Reading observed objects, which arrive as untyped JSON: a field that is
// not an object reads as empty, a label that is missing as undefined.
import type { ObservedObject } from './composition.js';

/** The value as an object, or an empty one when it is not a plain object. */
export function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** When an object was created (metadata.creationTimestamp, RFC 3339), or '' when unknown. */
export function createdAt(o: unknown): string {
  const t = record(record(o).metadata).creationTimestamp;
  return typeof t === 'string' ? t : '';
}

/**
 * Whether object `a` came before `b`: created earlier, or at the same moment
 * with a smaller name, so every object ordering the same set agrees.
 */
export function createdBefore(a: { created: string; name: string }, b: { created: string; name: string }): boolean {
  return a.created < b.created || (a.created === b.created && a.name < b.name);
}

/** A label of an observed object. */
export function labelOf(object: ObservedObject | undefined, label: string): string | undefined {
  const value = record(record(object?.metadata).labels)[label];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The values of `labels` on the first observed Job that carries all of them
 * (and the values `where` asks for):
 * what a transition under way wrote on its Jobs (the source a copy reads,
 * the cut-over it is part of), read back so it finishes as it started.
 */
export function observedJobLabels<L extends string>(
  observed: Readonly<Record<string, ObservedObject>>,
  labels: readonly L[],
  where: Readonly<Record<string, string>> = {},
): Record<L, string> | undefined {
  for (const object of Object.values(observed)) {
    if (object.kind !== 'Job') continue;
    if (Object.entries(where).some(([label, value]) => labelOf(object, label) !== value)) continue;
    const values = labels.map((label) => labelOf(object, label));
    if (values.every((v) => v !== undefined)) return Object.fromEntries(labels.map((label, i) => [label, values[i]!])) as Record<L, string>;
  }
  return undefined;
}
