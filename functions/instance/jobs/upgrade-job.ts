// Updates the modules to the new release's code: those whose code changed,
// or all (module-updates.ts). Runs only while web and cron are stopped, with
// the new release's image. First it closes the database to other roles and
// makes unaccent indexable (database.ts), which databases made before that
// was done at init get this way; after -u,
// it fails when Odoo left a module it could not load (module-states.ts),
// and records the checksums of what the database now runs.
import type { Release } from '../../app/schema.js';
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import type { JobRun } from './odoo-job.js';
import { prepareDatabaseCommand } from '../database.js';
import { unfinishedModulesCheck } from './module-states.js';
import { planModuleUpdates, recordModuleChecksums } from './module-updates.js';
import { odooOneShotLine } from './odoo-command.js';
import { ownReportUrlCommand, reportUrlEnv } from './report-url.js';
import { bash, odooJob } from './odoo-job.js';

export function upgradeJob(context: InstanceContext, from: string, to: Release, run: JobRun): KubeObject {
  const mode = to.updateModules ?? context.app.spec.code.updateModules;
  const update = odooOneShotLine(['--update', MODULES_WORD]).replace(MODULES_WORD, '"$modules"');
  const script = [
    prepareDatabaseCommand(),
    planModuleUpdates(mode),
    'if [ -n "$modules" ]; then',
    update,
    'fi',
    // Also when nothing was updated: a database left with half-done modules is not recorded as sound.
    unfinishedModulesCheck(to.version),
    recordModuleChecksums(),
    // Databases made before init set it.
    ownReportUrlCommand(),
  ].join('\n');
  return odooJob(context, {
    name: instanceNames(context.name).job('upgrade', from, 'to', to.version),
    step: 'upgrade',
    release: to,
    command: bash(script),
    ...run,
    env: [reportUrlEnv(context)],
  });
}

/** Stands for the planned modules in the odoo command line, replaced by the shell variable. */
const MODULES_WORD = 'MODULES_TO_UPDATE';
