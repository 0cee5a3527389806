// One step of a major-version migration, OpenUpgrade style: the image of a
// release of the next series runs odoo -u all with the release's migration
// scripts (--upgrade-path) and openupgrade_framework loaded (--load); both
// add-ons must be importable from the image's addons_path, e.g. installed
// into Odoo's own addons by pip (odoo-addon-openupgrade-framework and
// -scripts). Series are crossed one at a time: 16.0 → 17.0 → 18.0. The Job
// runs as that image's odoo user, and fails when Odoo left a module it could
// not load (module-states.ts): OpenUpgrade expects modules the new series
// does not have to be uninstalled before. It does not start when an
// installed module is missing from the image (migration-preflight.ts).
import type { Release } from '../../app/schema.js';
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import type { JobRun } from './odoo-job.js';
import { migrationPreflight } from './migration-preflight.js';
import { unfinishedModulesCheck } from './module-states.js';
import { recordModuleChecksums } from './module-updates.js';
import { odooOneShotLine } from './odoo-command.js';
import { bash, odooJob } from './odoo-job.js';

export function migrationJob(context: InstanceContext, release: Release, run: JobRun): KubeObject {
  const migration = release.migration!;
  return odooJob(context, {
    name: instanceNames(context.name).job('migrate', release.series, release.version),
    step: 'migrate',
    release,
    command: bash(`${migrationPreflight(migration.upgradePath, release.series, release.version)}
${odooOneShotLine(['--update', 'all', `--upgrade-path=${migration.upgradePath}`, `--load=${migration.serverWideModules.join(',')}`])}\n${unfinishedModulesCheck(release.version)}\n${recordModuleChecksums()}`),
    ...run,
  });
}
