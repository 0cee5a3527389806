// What a failed test Job says about its tests: the termination message its
// script writes (test-job.ts), read from the Job's Pod, which the composer
// asks Crossplane for only once the Job failed.
import type { ObservedObject, RequiredSelector } from '../shared/composition.js';
import { TEST_CONTAINER } from './jobs/test-job.js';

/** Label the Job controller puts on the Pods of a Job. */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

export function jobPodsSelector(namespace: string, job: string): RequiredSelector {
  return { apiVersion: 'v1', kind: 'Pod', namespace, matchLabels: { [JOB_NAME_LABEL]: job } };
}

// The script writes "<module>: FAIL|ERROR <Class>.<method>" lines, or one fixed sentence.
const FAILURE = /^[a-z0-9_]+: (FAIL|ERROR) [A-Za-z0-9_.]+$/;
const OUTSIDE_TESTS = /^Odoo failed outside the tests \(see the Job's log\)$/;
const MAX_NAMED = 10;

function terminationMessages(pod: ObservedObject): string[] {
  const statuses = ((pod.status as { containerStatuses?: unknown } | undefined)?.containerStatuses ?? []) as {
    name?: string;
    state?: { terminated?: { message?: string } };
  }[];
  return statuses.filter((s) => s.name === TEST_CONTAINER).map((s) => s.state?.terminated?.message ?? '');
}

/**
 * The failed tests the Job's Pods name, in order; lines that are not what
 * the script writes are ignored, so nothing else a Pod says reaches the
 * condition. Undefined when no Pod says anything yet.
 */
export function failedTests(pods: readonly ObservedObject[] | undefined): string[] | undefined {
  const lines = (pods ?? []).flatMap(terminationMessages).flatMap((m) => m.split('\n').map((l) => l.trim()));
  const named = [...new Set(lines.filter((l) => FAILURE.test(l) || OUTSIDE_TESTS.test(l)))].slice(0, MAX_NAMED);
  return named.length > 0 ? named : undefined;
}
