// Makes a copy safe: odoo neutralize (Odoo 16+) disables outgoing mail
// servers, crons, payment providers and other links to the outside world;
// then a check fails the Job if a mail server or a cron (other than Odoo's
// own autovacuum) is still active, so a staging copy never mails customers.
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { ODOO_PATHS } from '../odoo-conf.js';
import type { Resources } from '../settings.js';
import { bash, odooJob } from './odoo-job.js';

export const NEUTRALIZE_CHECK_SQL = [
  'SELECT (SELECT count(*) FROM ir_mail_server WHERE active)',
  ' + (SELECT count(*) FROM ir_cron c WHERE c.active AND NOT EXISTS (',
  "SELECT 1 FROM ir_model_data d WHERE d.model = 'ir.cron' AND d.res_id = c.id AND d.module = 'base' AND d.name = 'autovacuum_job'))",
].join('');

const SCRIPT = `
odoo neutralize --config ${ODOO_PATHS.conf} --database "$PGDATABASE"
active=$(psql --no-psqlrc -v ON_ERROR_STOP=1 --tuples-only --no-align --command="${NEUTRALIZE_CHECK_SQL}")
if [ "$active" != "0" ]; then
  echo "neutralize left $active active outgoing mail server(s) or cron(s); refusing to start this copy" >&2
  exit 1
fi
echo "neutralized: no active outgoing mail server, no active cron"
`.trim();

export function neutralizeJob(context: InstanceContext, resources: Resources): KubeObject {
  return odooJob(context, {
    name: instanceNames(context.name).job('neutralize'),
    step: 'neutralize',
    image: context.image,
    command: bash(SCRIPT),
    resources,
  });
}
