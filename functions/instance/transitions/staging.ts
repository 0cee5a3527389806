// A staging instance: a copy of its source on the source's Odoo series,
// upgraded in place (without a backup: the source has the data) when its
// release is newer, then neutralized before it starts.
import { instanceMessages as m } from '../../shared/messages.js';
import { copyPlan } from './copy.js';
import { neutralizeSteps } from './neutralize.js';
import type { LifecycleInput, Plan } from './step.js';
import { upgradeSteps } from './upgrade.js';

export function stagingPlan(input: LifecycleInput): Plan {
  const target = input.context.release;
  const copy = copyPlan(input);
  if ('blocked' in copy) return copy;
  const { source, sourceRelease, steps } = copy;
  if (sourceRelease.series !== target.series) {
    return { blocked: { phase: 'WaitingForSource', reason: 'SeriesMismatch', message: m.stagingSeriesMismatch(source, sourceRelease.series, target.series) } };
  }
  if (sourceRelease.version !== target.version) steps.push(...upgradeSteps(input, sourceRelease.version, target, false));
  return { steps: [...steps, ...neutralizeSteps(input)] };
}
