// Makes a copy safe: odoo neutralize (Odoo 16+) disables outgoing and
// incoming mail servers, crons, payment providers and other links to the
// outside world; then a check fails the Job if anything could still reach
// out, so a staging copy never mails customers or fetches their mail.
//
// Odoo's own neutralization deactivates every outgoing mail server and then
// inserts an active one of its own, host "invalid", so that SMTP settings
// given on the command line cannot become a fallback (base's
// data/neutralize.sql, 16.0–19.0). With the tenant's mail catcher, that
// server is then pointed at the catcher; the check counts every active
// server but that one.
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { ODOO_PATHS } from '../odoo-conf.js';
import type { JobRun } from './odoo-job.js';
import { bash, odooJob } from './odoo-job.js';

/** Host of the mail server odoo neutralize inserts: the name "invalid" never resolves (RFC 2606). */
export const NEUTRALIZED_SMTP_HOST = 'invalid';

/** The tenant's mail catcher a neutralized copy sends to instead of nowhere. */
export interface Catcher {
  host: string;
  port: number;
}

/** Hosts an active outgoing mail server of a neutralized copy may name: Odoo's own "invalid" one, and the catcher. */
function harmlessHosts(catcher: Catcher | undefined): string {
  return [NEUTRALIZED_SMTP_HOST, ...(catcher ? [catcher.host] : [])].map((h) => `'${h}'`).join(', ');
}

/** What a neutralized database may not have: each query counts what is still active. */
export function neutralizeChecks(catcher?: Catcher): Record<string, string> {
  return {
    'outgoing mail server': `SELECT count(*) FROM ir_mail_server WHERE active AND (smtp_host IS NULL OR smtp_host NOT IN (${harmlessHosts(catcher)}))`,
    cron:
      'SELECT count(*) FROM ir_cron c WHERE c.active AND NOT EXISTS (' +
      "SELECT 1 FROM ir_model_data d WHERE d.model = 'ir.cron' AND d.res_id = c.id AND d.module = 'base' AND d.name = 'autovacuum_job')",
    // Incoming mail servers exist once the mail module (fetchmail before 17.0) is installed.
    'incoming mail server': 'SELECT count(*) FROM fetchmail_server WHERE active',
  };
}

/** Odoo's own server after neutralize, pointed at the catcher: what the copy sends lands where people can read it, not nowhere. */
export function catcherSQL(catcher: Catcher): string {
  return (
    `UPDATE ir_mail_server SET name = 'Mail catcher (Mailpit) of this copy', smtp_host = '${catcher.host}', smtp_port = ${catcher.port}, ` +
    `smtp_encryption = 'none', smtp_user = NULL, smtp_pass = NULL WHERE active AND smtp_host = '${NEUTRALIZED_SMTP_HOST}'`
  );
}

const TABLE_OF_CHECK: Record<string, string> = { 'incoming mail server': 'fetchmail_server' };

function checkLines(catcher: Catcher | undefined): string {
  return Object.entries(neutralizeChecks(catcher))
    .map(([what, sql]) => {
      const count = `n=$(query "${sql}")\nif [ "$n" != "0" ]; then echo "neutralize left $n active ${what}(s); refusing to start this copy" >&2; failed=1; fi`;
      const table = TABLE_OF_CHECK[what];
      return table === undefined ? count : `if [ "$(query "SELECT to_regclass('${table}') IS NOT NULL")" = "t" ]; then\n${count}\nfi`;
    })
    .join('\n');
}

function script(catcher: Catcher | undefined): string {
  return `
query() { psql --no-psqlrc -v ON_ERROR_STOP=1 --tuples-only --no-align --command="$1"; }
odoo neutralize --config ${ODOO_PATHS.conf} --database "$PGDATABASE"
${catcher ? `query "${catcherSQL(catcher)}" >/dev/null\n` : ''}failed=0
${checkLines(catcher)}
if [ "$failed" != "0" ]; then exit 1; fi
echo "neutralized: no active outgoing mail server but ${catcher ? `the mail catcher ${catcher.host}:${catcher.port}` : `Odoo's own ${NEUTRALIZED_SMTP_HOST} one`}, no incoming mail server, no active cron"
`.trim();
}

export function neutralizeJob(context: InstanceContext, run: JobRun, catcher?: Catcher): KubeObject {
  return odooJob(context, {
    name: instanceNames(context.name).job('neutralize'),
    step: 'neutralize',
    release: context.release,
    command: bash(script(catcher)),
    ...run,
  });
}
