// Turns zod issues into messages that name the field, what is wrong and the
// fix: "spec.releases[1].version: must be a semantic version such as 1.4.0".
import type { z } from 'zod';

/** A field path as Kubernetes users write it: spec.releases[1].version. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? (out === '' ? key : `.${key}`) : `[${JSON.stringify(key)}]`;
    }
  }
  return out === '' ? '(root)' : out;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** One issue as a sentence; input values are quoted only for fields that are not secrets (we never hold secret values in specs). */
function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) return 'is required';
      return `must be ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}, not ${describeValue(input)}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, not ${describeValue(input)}`;
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters long`;
      if (issue.origin === 'array') return issue.message.startsWith('Too small') ? `must have at least ${issue.minimum} items` : issue.message;
      return `must be at least ${issue.minimum}, not ${String(input)}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters long`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      return `must be at most ${issue.maximum}, not ${String(input)}`;
    case 'invalid_format':
      return issue.message.startsWith('Invalid') ? `has an invalid format (${issue.format})` : `${issue.message}, not ${describeValue(input)}`;
    default:
      return issue.message;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** Every issue of a failed parse, sorted by path so the message is stable. */
export function formatIssues(error: z.ZodError, input: unknown): string {
  const lines = error.issues.map((issue) => `${fieldPath(issue.path)}: ${issueMessage(issue, valueAt(input, issue.path))}`);
  return [...new Set(lines)].sort().join('; ');
}
