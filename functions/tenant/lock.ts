// The transition lock. While any instance of the tenant transitions, the
// routes stay as observed: moving the base host name or the primary
// instance under a running copy, upgrade or migration would send users to a
// database that is being rewritten, or cut the copy off its source.
import { TTL, type XrCondition } from '../shared/composition.js';
import { tenantMessages as m } from '../shared/messages.js';
import type { TenantInstance } from './instances.js';

export interface Routed {
  host: string;
  primary: string | undefined;
}

export interface LockState {
  locked: boolean;
  transitioning: TenantInstance[];
}

export function lockState(instances: readonly TenantInstance[]): LockState {
  const transitioning = instances.filter((i) => i.transitioning);
  return { locked: transitioning.length > 0, transitioning };
}

/** The base host name to route: the observed one while locked, else the spec's. */
export function reconcileBaseHostName(observed: string | undefined, desired: string, lock: LockState): { host: string; held: boolean } {
  if (observed !== undefined && observed !== desired && lock.locked) return { host: observed, held: true };
  return { host: desired, held: false };
}

export type PrimaryRefusal = { reason: 'NoPrimary' | 'PrimaryNotFound' | 'PrimaryIsTesting' | 'PrimaryNotRunning'; message: string };

/**
 * The instance to route the base host name to. A change waits for the lock;
 * a primary that does not exist, is a testing instance or is not Running is
 * refused, and the route keeps pointing at what worked.
 */
export function reconcilePrimaryInstance(
  observed: string | undefined,
  desired: string | undefined,
  instances: readonly TenantInstance[],
  lock: LockState,
  host: string,
): { primary: string | undefined; held: boolean; refusal: PrimaryRefusal | undefined } {
  const keeping = m.keeping(host, observed);
  if (desired === undefined) return { primary: observed, held: false, refusal: { reason: 'NoPrimary', message: m.noPrimary } };
  if (desired === observed) return { primary: observed, held: false, refusal: undefined };
  const instance = instances.find((i) => i.name === desired);
  if (instance === undefined) return { primary: observed, held: false, refusal: { reason: 'PrimaryNotFound', message: m.primaryNotFound(desired, keeping) } };
  if (instance.type === 'testing') return { primary: observed, held: false, refusal: { reason: 'PrimaryIsTesting', message: m.primaryIsTesting(desired, keeping) } };
  // A promotion requested while the instance (or any other) still transitions waits for the lock, not for a person.
  if (observed !== undefined && lock.locked) return { primary: observed, held: true, refusal: undefined };
  if (instance.phase !== 'Running') {
    return { primary: observed, held: false, refusal: { reason: 'PrimaryNotRunning', message: m.primaryNotRunning(desired, instance.phase, keeping) } };
  }
  return { primary: desired, held: false, refusal: undefined };
}

export function lockCondition(lock: LockState, held: string[]): XrCondition {
  const waiting = lock.transitioning.map((i) => `"${i.name}" (${i.phase})`).join(', ');
  if (!lock.locked) return { type: 'Locked', status: 'False', reason: 'NoTransition', message: m.unlocked };
  if (held.length === 0) return { type: 'Locked', status: 'True', reason: 'TransitionInProgress', message: m.lockedIdle(waiting) };
  return { type: 'Locked', status: 'True', reason: 'ChangeHeld', message: m.locked(held.join(' and '), waiting) };
}

/**
 * How soon the Tenant should look at its instances again. Crossplane does
 * not watch them (they are required resources, not composed ones), so only
 * the next call sees a change. Soon (15 s) where a route is about to change:
 * an instance that serves while it transitions will stop (an upgrade, a
 * restore: its hosts need the maintenance page), one that is Starting will
 * answer, held changes wait for the lock, and a primary not routed yet waits
 * for its route (the caller says so: `waitingForOthers`). Other instances in
 * the long phases (provisioning, initializing, copying, migrating, testing)
 * pass through Starting before they answer, so a minute is soon enough for
 * them: at 125 tenants the 15 s made Tenants half of all reconciles while
 * their instances were created.
 */
export function tenantRecheckSeconds(lock: LockState, waitingForOthers: boolean): number {
  if (waitingForOthers || lock.transitioning.some((i) => i.serving || i.phase === 'Starting')) return TTL.awaitingOthers;
  return lock.locked ? TTL.watched : TTL.steady;
}
