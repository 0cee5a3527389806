// A copy never reaches the outside world until it is production: odoo
// neutralize (mail servers, crons, payment providers, webhooks), then a
// check that nothing active is left, before the copy's web and cron start.
import { neutralizeJob } from '../jobs/neutralize-job.js';
import { jobName, jobRun, retry, type LifecycleInput, type Step } from './step.js';

export function neutralizeSteps(input: LifecycleInput): Step[] {
  const { context, settings } = input;
  if (!settings.neutralize) return [];
  const catcher = settings.mail.kind === 'catcher' ? settings.mail : undefined;
  const job = neutralizeJob(context, jobRun(settings, 'neutralize'), catcher);
  return [
    {
      job,
      phase: 'Neutralizing',
      failedPhase: 'NeutralizationFailed',
      // Stryker disable next-line BooleanLiteral: equivalent; only a fresh plan has this step, and deriveLifecycle plans one only when no release runs, when stopsPods is not read
      stopsPods: false,
      doing: `Neutralizing the copy: odoo neutralize, then checking that no outgoing mail server or cron is active (Job ${jobName(job)})`,
      next: `The copy was not started, so it cannot mail anyone. ${retry(context, jobName(job))}`,
    },
  ];
}
