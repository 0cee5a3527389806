// Creates the Odoo database content: first the extensions Odoo uses, created
// by the instance's own role (unaccent and pg_trgm are trusted extensions
// since PostgreSQL 13, so the database owner may create them, and owns
// them: a copy or a restore can then drop and recreate them), then base and
// spec.initModules, with the instance's languages. Demo data only for testing
// instances; Odoo 19 turned the default around (demo is off unless
// --with-demo), earlier series need --without-demo. It fails when odoo -i
// left a module of spec.initModules uninstalled (Odoo only logs an unknown
// name) or, before touching the database, when a language is unknown or the
// database finished an init before (fresh-database.ts). A new
// production's administrator then gets the password of its admin login
// Secret (admin-login.ts) instead of Odoo's admin/admin, and reports are
// printed from the instance's own Service (report-url.ts).
import type { OdooSeries } from '../../app/schema.js';
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { prepareDatabaseCommand, shellSingleQuoted } from '../database.js';
import { SET_ADMIN_PASSWORD_PY } from '../admin-login.js';
import type { InstanceType } from '../schema.js';
import type { JobRun } from './odoo-job.js';
import { notInitializedCheck } from './fresh-database.js';
import { languagesCheck, loadLanguageFlags } from './languages.js';
import { notInstalledModulesCheck } from './module-states.js';
import { recordModuleChecksums } from './module-updates.js';
import { ownReportUrlCommand, reportUrlEnv } from './report-url.js';
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

export interface InitPlan {
  type: InstanceType;
  modules: readonly string[];
  languages: readonly string[];
  /** The Secret whose password the administrator gets (admin-login.ts); without it Odoo's admin/admin stays. */
  adminLoginSecret: string | undefined;
}

export function initJob(context: InstanceContext, plan: InitPlan, run: JobRun): KubeObject {
  const { type, modules, languages, adminLoginSecret } = plan;
  const install = odooOneShotLine(['--init', initModules(modules), ...demoFlags(context.release.series, type), ...loadLanguageFlags(languages)]);
  const lines = [
    languagesCheck(languages, context.release.series),
    notInitializedCheck(context.databaseName),
    prepareDatabaseCommand(),
    install,
    notInstalledModulesCheck(modules.filter((m) => m !== 'base'), context.release.version),
    adminLoginSecret !== undefined ? `python3 -c ${shellSingleQuoted(SET_ADMIN_PASSWORD_PY)}` : '',
    ownReportUrlCommand(),
    // What the database runs now, so the next upgrade updates only what changes.
    recordModuleChecksums(),
  ];
  return odooJob(context, {
    name: instanceNames(context.name).job('init'),
    step: 'init',
    release: context.release,
    command: bash(lines.filter((line) => line !== '').join('\n')),
    env: [
      reportUrlEnv(context),
      ...(adminLoginSecret !== undefined
        ? [
            { name: 'ODOO_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: adminLoginSecret, key: 'password' } } },
            { name: 'ODOO_ADMIN_SECRET', value: adminLoginSecret },
          ]
        : []),
    ],
    ...run,
  });
}
