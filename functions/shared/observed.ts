// Reading observed objects, which arrive as untyped JSON: a field that is
// not an object reads as empty, a label that is missing as undefined.
import type { ObservedObject } from './composition.js';

/** The value as an object, or an empty one when it is not a plain object. */
export function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A label of an observed object. */
export function labelOf(object: ObservedObject | undefined, label: string): string | undefined {
  const value = record(record(object?.metadata).labels)[label];
  return typeof value === 'string' ? value : undefined;
}
