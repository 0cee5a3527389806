// Updates every module to the new release's code: odoo -u all. Runs only
// while web and cron are stopped, with the new release's image.
import type { Release } from '../../app/schema.js';
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { ODOO_PATHS } from '../odoo-conf.js';
import type { Resources } from '../settings.js';
import { odooJob } from './odoo-job.js';

export function upgradeJob(context: InstanceContext, from: string, to: Release, image: string, resources: Resources): KubeObject {
  return odooJob(context, {
    name: instanceNames(context.name).job('upgrade', from, 'to', to.version),
    step: 'upgrade',
    image,
    command: ['odoo', '--config', ODOO_PATHS.conf, '--update', 'all', '--stop-after-init', '--no-http'],
    resources,
  });
}
