// Copies the source instance into this one while the source keeps serving:
// pg_dump | pg_restore of the database (a consistent snapshot), applied in
// one transaction over what the copy held (apply-dump.ts: all or nothing,
// and a newer pg_dump's settings an older server does not know left out),
// then the filestore. The restore runs as the copy's own role: the extensions in the
// dump are created by it and owned by it, as init does. The copy gets its own database.uuid and database.secret so it
// is never mistaken for the original (enterprise subscription, sessions),
// and web.base.url points at its own host.
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { prepareDatabaseCommand, prepareDatabaseSQL } from '../database.js';
import { OWN_REPORT_URL_SQL, ownReportUrlCommand, REPORT_URL_ENV, reportUrlEnv } from './report-url.js';
import { APPLY_DUMP_PY, REPLACE_PRELUDE_SQL } from './apply-dump.js';
import { ODOO_PATHS } from '../odoo-conf.js';
import type { JobRun } from './odoo-job.js';
import { bash, odooJob } from './odoo-job.js';

/** Labels on the copy Job naming the source and the release it ran: later steps read them back from the observed Job. */
export const SOURCE_RELEASE_LABEL = 'odoo.io/source-release';
export const SOURCE_INSTANCE_LABEL = 'odoo.io/source-instance';

/** pg_dump's arguments for a copy: a snapshot of the source, without its owner and grants. */
export const COPY_DUMP_ARGS = ['--format=custom', '--no-owner', '--no-privileges'] as const;
/** pg_restore's: the archive as SQL for apply-dump.ts, everything owned by the role that applies it. */
export const COPY_RESTORE_ARGS = ['--no-owner', '--no-privileges', '--file=-'] as const;

/**
 * The database half of a copy, as the copy's role ($PG* from the
 * environment; $SOURCE_DATABASE and $SOURCE_PGPASSWORD name the source):
 * what the copy's database held is dropped in the transaction that fills it,
 * so a copy over a staging database leaves nothing of the old one, and a
 * copy cut short leaves the old one whole.
 */
export const COPY_DATABASE_SCRIPT = `
python3 - /dev/fd/3 3< <(PGPASSWORD="$SOURCE_PGPASSWORD" pg_dump ${COPY_DUMP_ARGS.join(' ')} \\
  --username="$SOURCE_DATABASE" --dbname="$SOURCE_DATABASE" \\
  | pg_restore ${COPY_RESTORE_ARGS.join(' ')}) <<'PY'
${APPLY_DUMP_PY}
apply_dump(sys.argv[1], ${JSON.stringify(`${REPLACE_PRELUDE_SQL} CREATE SCHEMA IF NOT EXISTS public;`)})
PY`.trim();

/**
 * What makes a copy (or a restored backup) a database of its own: its own
 * uuid and secret, its own URL, no enterprise subscription of the original,
 * its own creation date, and its own report.url (report-url.ts: whatever
 * the original had would have wkhtmltopdf print the copy's reports from the
 * original). Needs $INSTANCE_URL and $INSTANCE_REPORT_URL.
 */
export const COPY_IDENTITY_SCRIPT = `
psql --no-psqlrc -v ON_ERROR_STOP=1 --single-transaction -v url="$INSTANCE_URL" -v report_url="$${REPORT_URL_ENV}" <<'SQL'
${prepareDatabaseSQL()}
UPDATE ir_config_parameter SET value = gen_random_uuid()::text WHERE key = 'database.uuid';
UPDATE ir_config_parameter SET value = gen_random_uuid()::text WHERE key = 'database.secret';
UPDATE ir_config_parameter SET value = :'url' WHERE key = 'web.base.url';
DELETE FROM ir_config_parameter WHERE key = 'database.enterprise_code';
UPDATE ir_config_parameter SET value = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') WHERE key = 'database.create_date';
DELETE FROM ir_config_parameter WHERE key = 'report.url';
${OWN_REPORT_URL_SQL}
SQL`.trim();

const script = (identity: string) =>
  `
echo "copying database $SOURCE_DATABASE into $PGDATABASE"
${COPY_DATABASE_SCRIPT}
${identity}
echo "copying filestore"
rm -rf "${ODOO_PATHS.dataDir}/filestore/$PGDATABASE"
mkdir -p "${ODOO_PATHS.dataDir}/filestore/$PGDATABASE"
if [ -d "/source/filestore/$SOURCE_DATABASE" ]; then
  cp -a "/source/filestore/$SOURCE_DATABASE/." "${ODOO_PATHS.dataDir}/filestore/$PGDATABASE/"
fi
echo "copy done"
`.trim();

export function copyJob(
  context: InstanceContext,
  source: { name: string; databaseName: string; release: string },
  url: string,
  run: JobRun,
  takeOver = false,
): KubeObject {
  const sourceNames = instanceNames(source.name);
  return odooJob(context, {
    // A cut-over's copy is the source's database moved, not a copy of it: it keeps the source's
    // identity (uuid, secret, URL, subscription) and only gets this role's isolation and extensions.
    name: instanceNames(context.name).job('copy', 'from', source.name),
    step: 'copy',
    release: context.release,
    command: bash(script(takeOver ? `${prepareDatabaseCommand()}\n${ownReportUrlCommand()}` : COPY_IDENTITY_SCRIPT)),
    ...run,
    labels: { [SOURCE_RELEASE_LABEL]: source.release, [SOURCE_INSTANCE_LABEL]: source.name },
    env: [
      { name: 'SOURCE_DATABASE', value: source.databaseName },
      { name: 'SOURCE_PGPASSWORD', valueFrom: { secretKeyRef: { name: sourceNames.credentials, key: 'password' } } },
      { name: 'INSTANCE_URL', value: url },
      reportUrlEnv(context),
    ],
    volumes: [{ name: 'source-filestore', persistentVolumeClaim: { claimName: sourceNames.filestore, readOnly: true } }],
    mounts: [{ name: 'source-filestore', mountPath: '/source', readOnly: true }],
  });
}
