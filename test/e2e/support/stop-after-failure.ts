// The scenarios of an e2e file build on each other: once one fails, the
// state the next ones need is not there, and each would wait out its whole
// timeout (five minutes) before failing too. So the first failure of a file
// skips the rest of it, naming the test that failed; other files still run.
// E2E_CONTINUE_AFTER_FAILURE=1 runs them anyway (to see every symptom).
import { beforeEach } from 'vitest';

let firstFailure: string | undefined;

beforeEach(({ task, skip, onTestFailed }) => {
  if (firstFailure && process.env.E2E_CONTINUE_AFTER_FAILURE !== '1') skip(`skipped: "${firstFailure}" failed before it`);
  onTestFailed(() => {
    firstFailure ??= task.name;
  });
});
