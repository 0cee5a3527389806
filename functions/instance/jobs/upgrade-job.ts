// Updates every module to the new release's code: odoo -u all. Runs only
// while web and cron are stopped, with the new release's image. First it
// closes the database to other roles, which databases made before that was
// done at init get this way; after -u, it fails when Odoo left a module it
// could not load (module-states.ts).
import type { Release } from '../../app/schema.js';
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import type { JobRun } from './odoo-job.js';
import { isolateDatabaseCommand } from '../database.js';
import { unfinishedModulesCheck } from './module-states.js';
import { odooOneShotLine } from './odoo-command.js';
import { bash, odooJob } from './odoo-job.js';

export function upgradeJob(context: InstanceContext, from: string, to: Release, run: JobRun): KubeObject {
  return odooJob(context, {
    name: instanceNames(context.name).job('upgrade', from, 'to', to.version),
    step: 'upgrade',
    release: to,
    command: bash(`${isolateDatabaseCommand()}\n${odooOneShotLine(['--update', 'all'])}\n${unfinishedModulesCheck(to.version)}`),
    ...run,
  });
}
