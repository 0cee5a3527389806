// Deterministic names for composed objects and PostgreSQL identifiers.
// Derived only from the XR, so the same XR always composes the same names.
import { createHash } from 'node:crypto';

/** Eight hex characters of SHA-256: short, stable, collision-resistant enough within one namespace. */
export function shortHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 8);
}

/**
 * A DNS-1123 label of at most `max` characters made of the parts joined by
 * "-". When too long, the joined name is cut and a hash of the full name is
 * appended, so two long names that share a prefix still differ.
 */
export function kubeName(parts: string[], max = 63): string {
  const full = parts
    .filter((p) => p.length > 0)
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (full.length <= max) return full;
  const hash = shortHash(full);
  const head = full.slice(0, max - hash.length - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}

/**
 * A PostgreSQL identifier (role or database name): lowercase letters, digits
 * and "_", starting with a letter, at most 63 bytes (NAMEDATALEN - 1).
 */
export function pgIdentifier(parts: string[]): string {
  const base = kubeName(parts, 63).replace(/-/g, '_');
  return /^[a-z]/.test(base) ? base : `o_${base}`.slice(0, 63);
}
