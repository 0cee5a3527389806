// Where wkhtmltopdf fetches the page and styles of a PDF report Odoo prints
// (report.url; without it Odoo uses web.base.url, the public host). From
// inside the cluster the public host is often unreachable (no hairpin
// routing, a copy's host not routed yet) and the PDF comes out unstyled or
// not at all. Loopback would do for the web Pods only: the cron Pod prints
// scheduled reports too and serves no HTTP. So: the instance's own Service,
// which the tenant's NetworkPolicy lets its Pods reach.
import { instanceNames, SERVICE_PREFIX } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { ODOO_PORTS } from '../odoo-conf.js';

/** Environment variable the Job scripts below read the URL from. */
export const REPORT_URL_ENV = 'INSTANCE_REPORT_URL';

export function instanceReportUrl(context: Pick<InstanceContext, 'name'>): string {
  return `http://${instanceNames(context.name).service}:${ODOO_PORTS.http}`;
}

export function reportUrlEnv(context: Pick<InstanceContext, 'name'>): { name: string; value: string } {
  return { name: REPORT_URL_ENV, value: instanceReportUrl(context) };
}

/** A report.url naming some instance's Service: what this module set, in the database this one copied or restored. */
const INSTANCE_REPORT_URL_PATTERN = `^http://${SERVICE_PREFIX}-[a-z0-9-]+:${ODOO_PORTS.http}$`;

/**
 * SQL (psql, variable report_url) that points report.url at this
 * instance's Service: set where the database has none, replaced where it
 * names another instance's (a backup restored into a new instance, a
 * cut-over's database); a value the customer chose stays.
 */
export const OWN_REPORT_URL_SQL = [
  `UPDATE ir_config_parameter SET value = :'report_url' WHERE key = 'report.url' AND value ~ '${INSTANCE_REPORT_URL_PATTERN}';`,
  "INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date) VALUES ('report.url', :'report_url', 1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC') ON CONFLICT (key) DO NOTHING;",
].join('\n');

/** The Job lines that run OWN_REPORT_URL_SQL with $INSTANCE_REPORT_URL. */
export function ownReportUrlCommand(): string {
  return `psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 --single-transaction -v report_url="$${REPORT_URL_ENV}" <<'SQL'\n${OWN_REPORT_URL_SQL}\nSQL`;
}
