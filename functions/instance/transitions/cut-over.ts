// The cut-over of a migration instance the tenant promotes (../../tenant/
// cut-over.ts says why): once the primary it takes over has stopped, this
// instance copies it again — its database moved, identity and all — and
// migrates that copy series by series, then upgrades it in place to its own
// release, with its own web and cron stopped throughout. Every Job carries
// the primary's name (CUT_OVER_FROM_LABEL); the instance records the primary
// in status.cutOverFrom when the last one completed, and only then does the
// tenant route its base host here.
import type { KubeObject, ObservedObject } from '../../shared/composition.js';
import { databaseName, instanceNames } from '../../shared/instance-names.js';
import { observedJobLabels } from '../../shared/observed.js';
import { instanceMessages as m } from '../../shared/messages.js';
import { findRelease, migrationRelease, seriesSteps } from '../context.js';
import { copyJob, SOURCE_RELEASE_LABEL } from '../jobs/copy-job.js';
import { migrationJob } from '../jobs/migration-job.js';
import { jobName, jobRun, retry, type LifecycleInput, type Plan, type Step } from './step.js';
import { upgradeSteps } from './upgrade.js';

/** A cut-over this instance is to carry out: the primary it takes over, and which promotion (the Tenant's token). */
export interface DueCutOver {
  from: string;
  token: number;
}

/** Labels on the Jobs of a cut-over: the primary the migration instance takes over, and which promotion (the Tenant's token). */
export const CUT_OVER_FROM_LABEL = 'odoo.io/cut-over-from';
export const CUT_OVER_TOKEN_LABEL = 'odoo.io/cut-over-token';

/** The cut-over whose Jobs exist, read from their labels. */
function cutOverUnderWay(observed: Readonly<Record<string, ObservedObject>>): DueCutOver | undefined {
  const labels = observedJobLabels(observed, [CUT_OVER_FROM_LABEL, CUT_OVER_TOKEN_LABEL]);
  const token = Number(labels?.[CUT_OVER_TOKEN_LABEL]);
  return labels !== undefined && Number.isInteger(token) ? { from: labels[CUT_OVER_FROM_LABEL], token } : undefined;
}

/**
 * The cut-over due, if any: the one the tenant's status asks of this
 * instance, else one whose Jobs exist (under way, it finishes even if the
 * promotion was taken back: the tenant does not count it for a later one),
 * unless the instance recorded it done (status.cutOverFrom and cutOverToken).
 */
export function cutOverDue(input: LifecycleInput): DueCutOver | undefined {
  const { instance, context, observed } = input;
  if (instance.spec.type !== 'migration') return undefined;
  const asked = context.cutOver?.instance === context.name ? { from: context.cutOver.from, token: context.cutOver.token } : undefined;
  const underWay = cutOverUnderWay(observed);
  const due = asked ?? underWay;
  if (due === undefined) return undefined;
  const done = instance.status?.cutOverFrom === due.from && instance.status?.cutOverToken === due.token;
  return done ? undefined : due;
}

function cutOverJob(job: KubeObject, contextName: string, due: DueCutOver): KubeObject {
  const metadata = job.metadata as { name: string; labels?: Record<string, string> };
  return { ...job, metadata: { ...metadata, name: instanceNames(contextName).job('cutover', String(due.token), metadata.name), labels: { ...metadata.labels, ...cutOverLabels(due) } } };
}

function cutOverLabels(due: DueCutOver): Record<string, string> {
  return { [CUT_OVER_FROM_LABEL]: due.from, [CUT_OVER_TOKEN_LABEL]: String(due.token) };
}

/** The steps of the cut-over from `from`, whose database runs `fromRelease`. */
export function cutOverPlan(input: LifecycleInput, due: DueCutOver): Plan {
  const { context, settings } = input;
  const { from } = due;
  // The release the cut-over's copy recorded its source running, once it exists.
  const recordedRelease = observedJobLabels(input.observed, [SOURCE_RELEASE_LABEL], { [CUT_OVER_TOKEN_LABEL]: String(due.token) })?.[SOURCE_RELEASE_LABEL];
  const fromVersion = recordedRelease ?? (context.source?.name === from ? context.source.runningRelease : undefined);
  const fromRelease = findRelease(context.app, fromVersion);
  if (fromRelease === undefined) {
    return { blocked: { phase: 'Copying', reason: 'CutOverSourceUnknown', message: m.cutOverSourceUnknown(from, fromVersion) } };
  }
  const target = context.release;
  const copy = cutOverJob(copyJob(context, { name: from, databaseName: databaseName(context.namespace, from), release: fromRelease.version }, input.url, jobRun(settings, 'copy'), true), context.name, due);
  // The primary must have stopped for this cut-over, not merely have no Pods for a moment (an eviction, a rollout).
  const source = context.source;
  const stopped = source?.name === from && source.phase === 'Retired' && source.retiredBy === context.name;
  const steps: Step[] = [
    {
      job: copy,
      phase: 'Copying',
      failedPhase: 'CopyFailed',
      stopsPods: true,
      waitsFor: [from],
      ...(stopped ? {} : { notYet: m.cutOverWaitingForSource(from) }),
      doing: m.cutOverCopying(from, fromRelease.version, jobName(copy)),
      next: `"${from}" stays stopped and its database as it was. ${retry(context, jobName(copy))}, or set the Tenant's primaryInstance back to "${from}" to serve it again`,
    },
  ];
  let current = fromRelease.version;
  for (const [i, series] of seriesSteps(fromRelease.series, target.series).entries()) {
    const release = migrationRelease(context.app, series, series === target.series ? target : undefined);
    if (release === undefined) return { blocked: { phase: 'MigrationFailed', reason: 'NoMigrationPath', message: m.noMigrationPath(series, context.app.metadata.name) } };
    const job = cutOverJob(migrationJob(context, release, jobRun(settings, 'migrate')), context.name, due);
    steps.push({
      job,
      phase: 'Migrating',
      failedPhase: 'MigrationFailed',
      stopsPods: true,
      doing: m.cutOverMigrating(from, series, release.version, i + 1, jobName(job)),
      next: `"${from}" stays stopped and its database as it was. ${retry(context, jobName(job))}, or set the Tenant's primaryInstance back to "${from}" to serve it again`,
    });
    current = release.version;
  }
  if (current !== target.version) {
    for (const step of upgradeSteps(input, current, target, false)) steps.push({ ...step, job: cutOverJob(step.job, context.name, due), stopsPods: true });
  }
  return { steps };
}
