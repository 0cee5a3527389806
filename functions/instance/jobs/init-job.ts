// Creates the Odoo database content: first the extensions Odoo uses, created
// by the instance's own role (unaccent and pg_trgm are trusted extensions
// since PostgreSQL 13, so the database owner may create them, and owns
// them: a copy or a restore can then drop and recreate them), then base and
// spec.initModules, with the instance's languages. Demo data only for testing
// instances; Odoo 19 turned the default around (demo is off unless
// --with-demo), earlier series need --without-demo. It fails when odoo -i
// left a module of spec.initModules uninstalled (Odoo only logs an unknown
// name) or, before touching the database, when a language is unknown.
import type { OdooSeries } from '../../app/schema.js';
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { prepareDatabaseCommand } from '../database.js';
import type { InstanceType } from '../schema.js';
import type { JobRun } from './odoo-job.js';
import { languagesCheck, loadLanguageFlags } from './languages.js';
import { notInstalledModulesCheck } from './module-states.js';
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

export function initJob(context: InstanceContext, type: InstanceType, modules: readonly string[], languages: readonly string[], run: JobRun): KubeObject {
  const install = odooOneShotLine(['--init', initModules(modules), ...demoFlags(context.release.series, type), ...loadLanguageFlags(languages)]);
  const lines = [languagesCheck(languages, context.release.series), prepareDatabaseCommand(), install, notInstalledModulesCheck(modules.filter((m) => m !== 'base'), context.release.version)];
  return odooJob(context, {
    name: instanceNames(context.name).job('init'),
    step: 'init',
    release: context.release,
    command: bash(lines.filter((line) => line !== '').join('\n')),
    ...run,
  });
}
