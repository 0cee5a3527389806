// Makes a copy safe: odoo neutralize (Odoo 16+) disables outgoing and
// incoming mail servers, crons, payment providers and other links to the
// outside world; then a check fails the Job if anything could still reach
// out, so a staging copy never mails customers or fetches their mail.
//
// Odoo's own neutralization deactivates every outgoing mail server and then
// inserts an active one of its own, host "invalid", so that SMTP settings
// given on the command line cannot become a fallback (base's
// data/neutralize.sql, 16.0–19.0): the check counts every active server
// except that one.
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { ODOO_PATHS } from '../odoo-conf.js';
import type { JobRun } from './odoo-job.js';
import { bash, odooJob } from './odoo-job.js';

/** Host of the mail server odoo neutralize inserts: the name "invalid" never resolves (RFC 2606). */
export const NEUTRALIZED_SMTP_HOST = 'invalid';

/** What a neutralized database may not have: each query counts what is still active. */
export const NEUTRALIZE_CHECKS = {
  'outgoing mail server': `SELECT count(*) FROM ir_mail_server WHERE active AND smtp_host IS DISTINCT FROM '${NEUTRALIZED_SMTP_HOST}'`,
  cron:
    'SELECT count(*) FROM ir_cron c WHERE c.active AND NOT EXISTS (' +
    "SELECT 1 FROM ir_model_data d WHERE d.model = 'ir.cron' AND d.res_id = c.id AND d.module = 'base' AND d.name = 'autovacuum_job')",
  // Incoming mail servers exist once the mail module (fetchmail before 17.0) is installed.
  'incoming mail server': 'SELECT count(*) FROM fetchmail_server WHERE active',
} as const;

const TABLE_OF_CHECK: Partial<Record<keyof typeof NEUTRALIZE_CHECKS, string>> = { 'incoming mail server': 'fetchmail_server' };

function checkLines(): string {
  return Object.entries(NEUTRALIZE_CHECKS)
    .map(([what, sql]) => {
      const count = `n=$(query "${sql}")\nif [ "$n" != "0" ]; then echo "neutralize left $n active ${what}(s); refusing to start this copy" >&2; failed=1; fi`;
      const table = TABLE_OF_CHECK[what as keyof typeof NEUTRALIZE_CHECKS];
      return table === undefined ? count : `if [ "$(query "SELECT to_regclass('${table}') IS NOT NULL")" = "t" ]; then\n${count}\nfi`;
    })
    .join('\n');
}

const SCRIPT = `
query() { psql --no-psqlrc -v ON_ERROR_STOP=1 --tuples-only --no-align --command="$1"; }
odoo neutralize --config ${ODOO_PATHS.conf} --database "$PGDATABASE"
failed=0
${checkLines()}
if [ "$failed" != "0" ]; then exit 1; fi
echo "neutralized: no active outgoing or incoming mail server but Odoo's own ${NEUTRALIZED_SMTP_HOST} one, no active cron"
`.trim();

export function neutralizeJob(context: InstanceContext, run: JobRun): KubeObject {
  return odooJob(context, {
    name: instanceNames(context.name).job('neutralize'),
    step: 'neutralize',
    release: context.release,
    command: bash(SCRIPT),
    ...run,
  });
}
