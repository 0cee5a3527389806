// The cut-over of a migration instance the tenant promotes (../../tenant/
// cut-over.ts says why): once the primary it takes over has stopped, this
// instance copies it again — its database moved, identity and all — and
// migrates that copy series by series, then upgrades it in place to its own
// release, with its own web and cron stopped throughout. Every Job carries
// the primary's name (CUT_OVER_FROM_LABEL); the instance records the primary
// in status.cutOverFrom when the last one completed, and only then does the
// tenant route its base host here.
import type { KubeObject } from '../../shared/composition.js';
import { databaseName, instanceNames } from '../../shared/instance-names.js';
import { labelOf } from '../../shared/observed.js';
import { instanceMessages as m } from '../../shared/messages.js';
import { findRelease, migrationRelease, seriesSteps } from '../context.js';
import { copyJob, CUT_OVER_FROM_LABEL } from '../jobs/copy-job.js';
import { migrationJob } from '../jobs/migration-job.js';
import { jobName, jobRun, retry, type LifecycleInput, type Plan, type Step } from './step.js';
import { upgradeSteps } from './upgrade.js';

/**
 * The primary this instance takes over, if a cut-over is due: the tenant's
 * status says so, or Jobs of one exist (a cut-over under way finishes even
 * if the promotion is taken back), and the instance has not recorded it done.
 */
export function cutOverDue(input: LifecycleInput): string | undefined {
  const { instance, context, observed } = input;
  if (instance.spec.type !== 'migration') return undefined;
  const done = instance.status?.cutOverFrom;
  const underWay = Object.values(observed).map((o) => (o.kind === 'Job' ? labelOf(o, CUT_OVER_FROM_LABEL) : undefined)).find((from) => from !== undefined);
  const asked = context.cutOver?.instance === context.name ? context.cutOver.from : undefined;
  const from = underWay ?? asked;
  return from !== undefined && from !== done ? from : undefined;
}

function cutOverJob(job: KubeObject, contextName: string, from: string): KubeObject {
  const metadata = job.metadata as { name: string; labels?: Record<string, string> };
  return { ...job, metadata: { ...metadata, name: instanceNames(contextName).job('cutover', metadata.name), labels: { ...metadata.labels, [CUT_OVER_FROM_LABEL]: from } } };
}

/** The steps of the cut-over from `from`, whose database runs `fromRelease`. */
export function cutOverPlan(input: LifecycleInput, from: string): Plan {
  const { context, settings } = input;
  const recordedRelease = Object.values(input.observed).map((o) => (o.kind === 'Job' && labelOf(o, CUT_OVER_FROM_LABEL) === from ? labelOf(o, 'odoo.io/source-release') : undefined)).find((r) => r !== undefined);
  const fromVersion = recordedRelease ?? (context.source?.name === from ? context.source.runningRelease : undefined);
  const fromRelease = findRelease(context.app, fromVersion);
  if (fromRelease === undefined) {
    return { blocked: { phase: 'Copying', reason: 'CutOverSourceUnknown', message: m.cutOverSourceUnknown(from, fromVersion) } };
  }
  const target = context.release;
  const copy = copyJob(context, { name: from, databaseName: databaseName(context.namespace, from), release: fromRelease.version }, input.url, jobRun(settings, 'copy'), true);
  const steps: Step[] = [
    {
      job: copy,
      phase: 'Copying',
      failedPhase: 'CopyFailed',
      stopsPods: true,
      waitsFor: [from],
      doing: m.cutOverCopying(from, fromRelease.version, jobName(copy)),
      next: `"${from}" stays stopped and its database as it was. ${retry(context, jobName(copy))}, or set the Tenant's primaryInstance back to "${from}" to serve it again`,
    },
  ];
  let current = fromRelease.version;
  for (const [i, series] of seriesSteps(fromRelease.series, target.series).entries()) {
    const release = migrationRelease(context.app, series, series === target.series ? target : undefined);
    if (release === undefined) return { blocked: { phase: 'MigrationFailed', reason: 'NoMigrationPath', message: m.noMigrationPath(series, context.app.metadata.name) } };
    const job = cutOverJob(migrationJob(context, release, jobRun(settings, 'migrate')), context.name, from);
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
    for (const step of upgradeSteps(input, current, target, false)) steps.push({ ...step, job: cutOverJob(step.job, context.name, from), stopsPods: true });
  }
  return { steps };
}
