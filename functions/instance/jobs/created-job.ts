// Kubernetes refuses any change to a Job's Pod template once the Job exists.
// A Job this instance composed before the function changed what it puts in
// that template (a package upgrade changing a script or a flag, an App
// giving a release a new image) keeps the template it was created with: the
// changed one would fail every later apply of the instance's resources. The
// Job ran, or runs, as created; deleting it (to run it again) creates it
// with the new template.
import type { KubeObject, ObservedObject } from '../../shared/composition.js';

/** `job` with the Pod template of the Job of that name Kubernetes already has, if any. */
export function asCreated(job: KubeObject, observed: ObservedObject | undefined): KubeObject {
  const template = observed?.kind === 'Job' ? (observed.spec as { template?: unknown } | undefined)?.template : undefined;
  if (template === undefined) return job;
  return { ...job, spec: { ...(job.spec as Record<string, unknown>), template } };
}
