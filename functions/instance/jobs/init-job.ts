// Creates the Odoo database content: first the extensions Odoo uses, created
// by the instance's own role (unaccent and pg_trgm are trusted extensions
// since PostgreSQL 13, so the database owner may create them, and owns
// them: a copy or a restore can then drop and recreate them), then base and
// spec.initModules. Demo data only for testing instances; Odoo 19 turned the
// default around (demo is off unless --with-demo), earlier series need
// --without-demo.
import type { OdooSeries } from '../../app/schema.js';
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { prepareDatabaseCommand } from '../database.js';
import type { InstanceType } from '../schema.js';
import type { JobRun } from './odoo-job.js';
import { odooOneShotLine } from './odoo-command.js';
import { bash, odooJob } from './odoo-job.js';

export function demoFlags(series: OdooSeries, type: InstanceType): string[] {
  const demo = type === 'testing';
  if (series === '19.0') return demo ? ['--with-demo'] : [];
  return demo ? [] : ['--without-demo=all'];
}

export function initModules(modules: readonly string[]): string {
  return ['base', ...modules.filter((m) => m !== 'base')].join(',');
}

export function initJob(context: InstanceContext, type: InstanceType, modules: readonly string[], run: JobRun): KubeObject {
  const install = odooOneShotLine(['--init', initModules(modules), ...demoFlags(context.release.series, type)]);
  return odooJob(context, {
    name: instanceNames(context.name).job('init'),
    step: 'init',
    release: context.release,
    command: bash(`${prepareDatabaseCommand()}\nexec ${install}`),
    ...run,
  });
}
