// Events on transitions. Crossplane records every Normal or Warning result
// of a call as an event on the XR (and its claim), so a function that
// returned one on each call would bury an XR's history in repeats. These
// results come from comparing what this call decides with what the
// observed XR already shows: a condition whose status or reason changed is
// a transition and is told once; a steady XR, called again and again,
// tells nothing. Messages alone changing (progress text) is not a
// transition.
import type { ObservedObject, XrCondition } from './composition.js';

export interface TransitionEvent {
  severity: 'Normal' | 'Warning';
  /** The condition's new reason: the event's reason in `kubectl describe`. */
  reason: string;
  message: string;
}

/** Reasons that mean something went wrong or was refused: their events are Warnings. */
const WARNING_REASONS: ReadonlySet<string> = new Set([
  'RolledBack',
  'RetryNeedsBackup',
  'DeadlineExceeded',
  'Stalled',
  'HostTaken',
  'HostNotAllowed',
  'PrimaryNotFound',
  'PrimaryIsTesting',
  'Downgrade',
  'NoMigrationPath',
  'NoStorage',
  'SourceNotFound',
  'SourceIsSelf',
  'SourceNewer',
  'SeriesMismatch',
  'UnknownSourceRelease',
  'NoActiveReleases',
]);

export function isWarningReason(reason: string): boolean {
  return reason.endsWith('Failed') || reason.endsWith('Refused') || WARNING_REASONS.has(reason);
}

function observedConditions(xr: ObservedObject): Map<string, { status: string; reason: string }> {
  const status = xr.status as { conditions?: unknown } | undefined;
  const out = new Map<string, { status: string; reason: string }>();
  if (!Array.isArray(status?.conditions)) return out;
  for (const c of status.conditions as Record<string, unknown>[]) {
    if (typeof c?.type === 'string') out.set(c.type, { status: String(c.status ?? ''), reason: String(c.reason ?? '') });
  }
  return out;
}

/** One event per condition whose status or reason differs from the observed XR's, in the conditions' order. */
export function transitionEvents(observedXr: ObservedObject, conditions: readonly XrCondition[]): TransitionEvent[] {
  const before = observedConditions(observedXr);
  const events: TransitionEvent[] = [];
  for (const c of conditions) {
    const was = before.get(c.type);
    if (was !== undefined && was.status === c.status && was.reason === c.reason) continue;
    const from = was === undefined ? '' : ` (was ${was.reason || was.status})`;
    events.push({
      severity: c.status === 'False' && isWarningReason(c.reason) ? 'Warning' : 'Normal',
      reason: c.reason,
      message: `${c.type} ${c.status}: ${c.reason}${from}${c.message === '' ? '' : ` — ${c.message}`}`,
    });
  }
  return events;
}

/** Warnings the observed XR's status.warnings does not hold yet: each is told once, when it appears. */
export function newWarnings(observedXr: ObservedObject, warnings: readonly string[]): TransitionEvent[] {
  const shown = (observedXr.status as { warnings?: unknown } | undefined)?.warnings;
  const known = new Set(Array.isArray(shown) ? shown.filter((w): w is string => typeof w === 'string') : []);
  return warnings.filter((w) => !known.has(w)).map((message) => ({ severity: 'Warning' as const, reason: 'SpecWarning', message }));
}
