// A testing instance's tests: run with the tenant's tags after init and after
// every upgrade, while the instance serves. A failed test is a result, not a
// broken instance: it keeps serving for inspection, and names the failed
// tests once Crossplane fetched the test Job's Pod.
import { testJob } from '../jobs/test-job.js';
import { failedTests } from '../test-results.js';
import { jobName, jobRun, type LifecycleInput, type Step } from './step.js';

/** Key of the required Pods of a failed test Job. */
export const FAILED_TEST_PODS = 'failed-test-pods';

export function testStep(input: LifecycleInput): Step {
  const { context, settings, instance } = input;
  const job = testJob(context, instance.spec.initModules, settings.testTags, jobRun(settings, 'test'));
  return {
    job,
    phase: 'Testing',
    failedPhase: 'Failed',
    stopsPods: false,
    failureIsResult: true,
    doing: `Running the tests of release ${context.release.version} (Job ${jobName(job)})`,
    next: `Read kubectl logs -n ${context.namespace} job/${jobName(job)}; the instance keeps running for inspection. Delete the Job to run the tests again`,
    failedTests: (required) => failedTests(required[FAILED_TEST_PODS]),
  };
}
