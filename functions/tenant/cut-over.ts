// Promoting a migration instance is a cut-over, not a switch of routes. The
// migration instance is a rehearsal: a copy taken when it was created,
// migrated and tested while the primary kept taking the customer's writes,
// often for days. Routing the base host to it would lose every one of those
// writes. So the promotion stops the primary (the base host shows the
// maintenance page), the migration instance copies it again and migrates that
// copy, and only then does the base host route to it. The primary stays
// stopped: its database is what the customer had at the cut-over.
import type { TenantInstance } from './instances.js';

export interface CutOver {
  /** The migration instance being promoted. */
  instance: string;
  /** The primary it takes over. */
  from: string;
  /**
   * Which promotion this is: the Tenant's metadata.generation when it
   * started. The instance records it with the cut-over it completed, so a
   * cut-over done for an earlier promotion (taken back since, the primary
   * serving again) never counts for a later one.
   */
  token: number;
}

/**
 * The cut-over under way, if any: the Tenant asks for a migration instance
 * as primary and the base host routes to another one. It starts when the
 * promotion may apply (`promotable`: the lock is free and the instance
 * runs) and, once the Tenant's status recorded it, lasts until the base host
 * routes to the instance: while it copies and migrates (when the lock holds
 * every other change), and after it took the primary over (its
 * status.cutOverFrom and cutOverToken name this one) until it runs and the
 * promotion applies. The primary stays stopped all that time, so no write
 * reaches it after the copy. A cut-over the instance completed for an earlier
 * promotion is not this one: a new one starts.
 */
export function cutOverUnderWay(
  desired: string | undefined,
  routed: string | undefined,
  instances: readonly TenantInstance[],
  recorded: CutOver | undefined,
  promotable: boolean,
  generation: number,
): CutOver | undefined {
  if (desired === undefined || routed === undefined || desired === routed) return undefined;
  const instance = instances.find((i) => i.name === desired);
  if (instance?.type !== 'migration') return undefined;
  if (recorded?.instance === desired && recorded.from === routed) {
    const done = instance.cutOverFrom === routed && instance.cutOverToken === recorded.token;
    // Done: the promotion applies as soon as it may; until then the primary stays stopped.
    return done && promotable ? undefined : recorded;
  }
  return promotable ? { instance: desired, from: routed, token: generation } : undefined;
}

/** The Tenant's status.cutOver as it recorded it, read leniently. */
export function recordedCutOver(status: Record<string, unknown> | undefined): CutOver | undefined {
  const c = status?.cutOver as { instance?: unknown; from?: unknown; token?: unknown } | undefined;
  return typeof c?.instance === 'string' && typeof c.from === 'string' && typeof c.token === 'number' ? { instance: c.instance, from: c.from, token: c.token } : undefined;
}
