// Runs the tests of a testing instance: odoo --test-enable updates the
// installed modules and runs their tests, in one process with its HTTP
// server on (browser tests need it; Odoo wants --workers 0 for tests).
// Odoo exits non-zero when a test fails, which fails the Job; the script
// then writes the failed tests, as Odoo logged them, to the container's
// termination message, where the composer reads them for the condition.
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import type { JobRun } from './odoo-job.js';
import { odooOneShotLine } from './odoo-command.js';
import { bash, odooJob } from './odoo-job.js';

/** Container name of the test Job: whose termination message names the failed tests. */
export const TEST_CONTAINER = 'test';
const TERMINATION_LOG = '/dev/termination-log';
/** At most this many failed tests are named in the termination message. */
const NAMED_FAILURES = 10;

// Odoo logs each failed test as "odoo.addons.<module>.tests.<file>: FAIL: <Class>.<method>" (or ERROR:).
const FAILURE_LINE = String.raw`odoo\.addons\.[a-z0-9_]+\.tests\.[A-Za-z0-9_.]+: (FAIL|ERROR): [A-Za-z0-9_.]+`;
const AS_MODULE_AND_TEST = String.raw`s/^odoo\.addons\.([a-z0-9_]+)\.tests\.[A-Za-z0-9_.]+: (FAIL|ERROR): /\1: \2 /`;

export function testCommandArgs(modules: readonly string[], testTags: string): string[] {
  return ['--test-enable', '--log-level=test', '--update', modules.length > 0 ? modules.join(',') : 'all', ...(testTags !== '' ? [`--test-tags=${testTags}`] : [])];
}

export function testJob(context: InstanceContext, modules: readonly string[], testTags: string, run: JobRun): KubeObject {
  const script = `
if ${odooOneShotLine(testCommandArgs(modules, testTags), { http: true })} 2>&1 | tee /tmp/odoo-tests.log; then
  echo "tests passed"
  exit 0
fi
{ grep -oE '${FAILURE_LINE}' /tmp/odoo-tests.log || true; } | sed -E '${AS_MODULE_AND_TEST}' | sort -u | sed -n '1,${NAMED_FAILURES}p' > ${TERMINATION_LOG}
if [ ! -s ${TERMINATION_LOG} ]; then echo "Odoo failed outside the tests (see the Job's log)" > ${TERMINATION_LOG}; fi
exit 1
`.trim();
  return odooJob(context, {
    name: instanceNames(context.name).job('test', context.release.version),
    step: TEST_CONTAINER,
    release: context.release,
    command: bash(script),
    ...run,
  });
}
