// The steps that fill a new instance's database (init, a restore into a new
// instance) run only on a database that is new, read from the database
// itself. The Instance's status keeps them from running again when an object
// is deleted; it does not when the Instance itself is created again over a
// database an earlier one retained (dataRetention: Retain, a cluster rebuilt
// from manifests): then init would update base over the customer's data, run
// initSQL again and reset the administrator's password, and a restore would
// drop everything for an old backup. A retried init after a failure stays
// possible: only an init that finished leaves the mark it looks for.
import { CHECKSUMS_PARAMETER } from './module-updates.js';
import { psqlValue } from './psql-value.js';

/** Bash line: `variable` is "t" when the table exists in the public schema. */
function tableExists(variable: string, table: string): string {
  return psqlValue(variable, `SELECT to_regclass('public.${table}') IS NOT NULL`);
}

/**
 * Bash lines that fail the init Job, before it touches anything, when the
 * database finished an init, upgrade, copy or restore of this function
 * before: the module checksums every one of them records last
 * (module-updates.ts). A database without them (restored from elsewhere, or
 * last updated before they were recorded) is not recognised.
 */
export function notInitializedCheck(database: string): string {
  return [
    tableExists('parameters', 'ir_config_parameter'),
    'recorded=0',
    `if [ "$parameters" = t ]; then ${psqlValue('recorded', `SELECT count(*) FROM ir_config_parameter WHERE key = '${CHECKSUMS_PARAMETER}'`)}; fi`,
    'if [ "$recorded" != 0 ]; then',
    `  echo "${database} already holds an Odoo database that was initialized (or copied, restored or upgraded) before: init changes nothing over it. This Instance is new, its database is not: it was created again over a database an earlier Instance of that name retained. Nothing was changed. A new Instance cannot serve a retained database yet: restore a backup of it into the instance (spec.restore) after the DevOps team has backed it up and dropped it, or have them drop it to start over; then delete this Job" >&2`,
    '  exit 1',
    'fi',
  ].join('\n');
}

/** Bash lines that fail a restore into a new instance, before it touches anything, when the database holds Odoo's tables. */
export function emptyDatabaseCheck(database: string): string {
  return [
    tableExists('modules', 'ir_module_module'),
    'if [ "$modules" = t ]; then',
    `  echo "${database} already holds an Odoo database: a restore into a new instance fills an empty one, and would drop this one's data for the backup's. Either this Instance was created again over a database an earlier Instance of that name retained, or an earlier run of this Job restored it and failed after. Nothing was changed. To restore over it, have the DevOps team back it up and drop it, then delete this Job" >&2`,
    '  exit 1',
    'fi',
  ].join('\n');
}
