// Runs the tests of a testing instance: odoo --test-enable updates the
// installed modules and runs their tests; Odoo exits non-zero when a test
// fails, which fails the Job.
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { ODOO_PATHS } from '../odoo-conf.js';
import type { Resources } from '../settings.js';
import { odooJob } from './odoo-job.js';

export function testJob(context: InstanceContext, modules: readonly string[], testTags: string, resources: Resources): KubeObject {
  return odooJob(context, {
    name: instanceNames(context.name).job('test', context.release.version),
    step: 'test',
    image: context.image,
    command: [
      'odoo',
      '--config',
      ODOO_PATHS.conf,
      '--test-enable',
      '--log-level=test',
      '--stop-after-init',
      '--no-http',
      '--update',
      modules.length > 0 ? modules.join(',') : 'all',
      ...(testTags !== '' ? [`--test-tags=${testTags}`] : []),
    ],
    resources,
  });
}
