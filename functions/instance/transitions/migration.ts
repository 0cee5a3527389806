// A migration instance: a copy of its source migrated series by series
// (OpenUpgrade, one Job per series, each with the App's release for that
// series), then upgraded in place to its own release when that is newer.
// The source keeps serving throughout.
import { instanceMessages as m } from '../../shared/messages.js';
import { migrationRelease, seriesSteps } from '../context.js';
import { migrationJob } from '../jobs/migration-job.js';
import { copyPlan } from './copy.js';
import { jobName, jobRun, retry, type LifecycleInput, type Plan } from './step.js';
import { upgradeSteps } from './upgrade.js';

export function migrationPlan(input: LifecycleInput): Plan {
  const { context } = input;
  const target = context.release;
  const copy = copyPlan(input);
  if ('blocked' in copy) return copy;
  const { sourceRelease, steps } = copy;
  const order = seriesSteps(sourceRelease.series, target.series);
  if (order.length === 0 && sourceRelease.series !== target.series) {
    return { blocked: { phase: 'MigrationFailed', reason: 'Downgrade', message: m.migrationDowngrade(sourceRelease.series, target.series) } };
  }
  let current = sourceRelease.version;
  for (const [i, series] of order.entries()) {
    const release = migrationRelease(context.app, series, series === target.series ? target : undefined);
    if (release === undefined) {
      return { blocked: { phase: 'MigrationFailed', reason: 'NoMigrationPath', message: m.noMigrationPath(series, context.app.metadata.name) } };
    }
    const job = migrationJob(context, release, jobRun(input.settings, 'migrate'));
    steps.push({
      job,
      phase: 'Migrating',
      failedPhase: 'MigrationFailed',
      // Stryker disable next-line BooleanLiteral: equivalent; only a fresh plan has this step, and deriveLifecycle plans one only when no release runs, when stopsPods is not read
      stopsPods: false,
      doing: `Migrating to Odoo ${series} with release ${release.version}, step ${i + 1} of ${order.length} (Job ${jobName(job)}); the source keeps serving`,
      next: `The source keeps serving. ${retry(context, jobName(job))}`,
    });
    current = release.version;
  }
  if (current !== target.version) steps.push(...upgradeSteps(input, current, target, false));
  return { steps };
}
