// A new database: odoo -i base and the instance's modules (with demo data
// for a testing instance), then spec.initSQL in one transaction. Only for
// an instance that never ran: the evaluator plans it only when no release is
// running or recorded.
import { initJob } from '../jobs/init-job.js';
import { initSQLJob } from '../jobs/init-sql-job.js';
import { instanceLanguages } from '../jobs/languages.js';
import { ADMIN_LOGIN_KEY, getsAdminLogin } from '../admin-login.js';
import { instanceNames } from '../../shared/instance-names.js';
import { jobName, jobRun, retry, type LifecycleInput, type Step } from './step.js';

export function initSteps(input: LifecycleInput): Step[] {
  const { context, settings, instance } = input;
  const languages = instanceLanguages(instance.spec, context.tenant);
  const adminLogin = getsAdminLogin(instance) ? instanceNames(context.name).adminLogin : undefined;
  const init = initJob(context, { type: instance.spec.type, modules: instance.spec.initModules, languages, adminLoginSecret: adminLogin }, jobRun(settings, 'init'));
  // The Job reads the password from the Secret: it starts once the Secret exists.
  const adminLoginMissing = adminLogin !== undefined && input.observed[ADMIN_LOGIN_KEY] === undefined;
  const steps: Step[] = [
    {
      job: init,
      phase: 'Initializing',
      failedPhase: 'InitializationFailed',
      // Stryker disable next-line BooleanLiteral: equivalent; only a fresh plan has this step, and deriveLifecycle plans one only when no release runs, when stopsPods is not read
      stopsPods: false,
      doing: `Installing ${['base', ...instance.spec.initModules.filter((x) => x !== 'base')].join(', ')} into ${context.databaseName}${instance.spec.type === 'testing' ? ' with demo data' : ''}${languages.length > 0 ? `, in ${languages.join(', ')}` : ''} (Job ${jobName(init)})`,
      next: retry(context, jobName(init)),
      ...(adminLoginMissing ? { notYet: `waiting for Secret ${adminLogin} with the administrator's password, derived from the role's password once provider-sql wrote it` } : {}),
    },
  ];
  if (instance.spec.initSQL) {
    const sql = initSQLJob(context, instance.spec.initSQL, jobRun(settings, 'initSQL'));
    steps.push({
      job: sql,
      phase: 'Initializing',
      failedPhase: 'InitializationFailed',
      // Stryker disable next-line BooleanLiteral: equivalent; only a fresh plan has this step, and deriveLifecycle plans one only when no release runs, when stopsPods is not read
      stopsPods: false,
      doing: `Running spec.initSQL in one transaction (Job ${jobName(sql)})`,
      next: retry(context, jobName(sql)),
    });
  }
  return steps;
}
