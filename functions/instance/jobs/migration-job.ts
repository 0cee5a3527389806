// One step of a major-version migration, OpenUpgrade style: the image of a
// release of the next series runs odoo -u all with the release's migration
// scripts (--upgrade-path) and openupgrade_framework loaded. Series are
// crossed one at a time: 16.0 → 17.0 → 18.0.
import type { Release } from '../../app/schema.js';
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { ODOO_PATHS } from '../odoo-conf.js';
import type { Resources } from '../settings.js';
import { odooJob } from './odoo-job.js';

export function migrationJob(context: InstanceContext, release: Release, image: string, resources: Resources): KubeObject {
  const migration = release.migration!;
  return odooJob(context, {
    name: instanceNames(context.name).job('migrate', release.series, release.version),
    step: 'migrate',
    image,
    command: [
      'odoo',
      '--config',
      ODOO_PATHS.conf,
      '--update',
      'all',
      '--stop-after-init',
      '--no-http',
      `--upgrade-path=${migration.upgradePath}`,
      `--load=${migration.serverWideModules.join(',')}`,
    ],
    resources,
  });
}
