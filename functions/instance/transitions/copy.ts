// The copy a staging or migration instance starts from: the database and
// filestore of its source (the tenant's primary, or the instance it names),
// while the source keeps serving. Waits while the source cannot be copied;
// once a copy Job exists, keeps the source it recorded.
import semver from 'semver';
import type { Release } from '../../app/schema.js';
import { databaseName } from '../../shared/instance-names.js';
import { observedJobLabels } from '../../shared/observed.js';
import { instanceMessages as m } from '../../shared/messages.js';
import { findRelease } from '../context.js';
import { copyJob, SOURCE_INSTANCE_LABEL, SOURCE_RELEASE_LABEL } from '../jobs/copy-job.js';
import { jobName, jobRun, retry, type Blocked, type LifecycleInput, type Step } from './step.js';

/**
 * What the copy reads: once a copy Job exists, the source and release it
 * recorded (a later change of source or primary does not restart a copy
 * under way); before that, the source's status.
 */
function copySource(input: LifecycleInput): { name: string; release: string } | Blocked {
  const { context, instance } = input;
  // A copy under way finishes from the source and release it started with.
  const started = observedJobLabels(input.observed, [SOURCE_INSTANCE_LABEL, SOURCE_RELEASE_LABEL]);
  if (started !== undefined) return { name: started[SOURCE_INSTANCE_LABEL], release: started[SOURCE_RELEASE_LABEL] };
  const sourceName = context.sourceName;
  if (sourceName === undefined) return { blocked: { phase: 'WaitingForSource', reason: 'NoSource', message: m.noPrimaryToCopy(instance.spec.type) } };
  if (sourceName === context.name) return { blocked: { phase: 'WaitingForSource', reason: 'SourceIsSelf', message: m.sourceIsSelf } };
  const source = context.source;
  if (source === undefined) return { blocked: { phase: 'WaitingForSource', reason: 'SourceNotFound', message: m.sourceNotFound(sourceName) } };
  if (source.phase !== 'Running' || source.runningRelease === undefined) {
    return { blocked: { phase: 'WaitingForSource', reason: 'SourceNotRunning', message: m.sourceNotRunning(sourceName, source.phase) } };
  }
  return { name: sourceName, release: source.runningRelease };
}

function copyStep(input: LifecycleInput, sourceName: string, sourceRelease: string): Step {
  const { context, settings } = input;
  const job = copyJob(context, { name: sourceName, databaseName: databaseName(context.namespace, sourceName), release: sourceRelease }, input.url, jobRun(settings, 'copy'));
  return {
    job,
    phase: 'Copying',
    failedPhase: 'CopyFailed',
    // Stryker disable next-line BooleanLiteral: equivalent; only a fresh plan has this step, and deriveLifecycle plans one only when no release runs, when stopsPods is not read
    stopsPods: false,
    doing: `Copying the database and filestore of instance "${sourceName}" (release ${sourceRelease}) (Job ${jobName(job)}); "${sourceName}" keeps serving`,
    next: retry(context, jobName(job)),
  };
}

/** The copy step and the release the copy comes from, or why it cannot be taken (yet). */
export function copyPlan(input: LifecycleInput): { source: string; sourceRelease: Release; steps: Step[] } | Blocked {
  const { context } = input;
  const target = context.release;
  const source = copySource(input);
  if ('blocked' in source) return source;
  const sourceRelease = findRelease(context.app, source.release);
  if (sourceRelease === undefined) {
    return { blocked: { phase: 'WaitingForSource', reason: 'UnknownSourceRelease', message: m.unknownRelease(source.release, context.app.metadata.name, context.app.spec.releases.map((r) => r.version).join(', ')) } };
  }
  if (semver.lt(target.version, sourceRelease.version)) {
    return { blocked: { phase: 'WaitingForSource', reason: 'SourceNewer', message: m.sourceNewer(source.name, sourceRelease.version, target.version) } };
  }
  return { source: source.name, sourceRelease, steps: [copyStep(input, source.name, source.release)] };
}
