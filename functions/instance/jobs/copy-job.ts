// Copies the source instance into this one while the source keeps serving:
// pg_dump | pg_restore of the database (a consistent snapshot), then the
// filestore. The copy gets its own database.uuid and database.secret so it
// is never mistaken for the original (enterprise subscription, sessions),
// and web.base.url points at its own host.
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { ODOO_PATHS } from '../odoo-conf.js';
import type { Resources } from '../settings.js';
import { bash, odooJob } from './odoo-job.js';

/** Labels on the copy Job naming the source and the release it ran: later steps read them back from the observed Job. */
export const SOURCE_RELEASE_LABEL = 'odoo.io/source-release';
export const SOURCE_INSTANCE_LABEL = 'odoo.io/source-instance';

const SCRIPT = `
echo "copying database $SOURCE_DATABASE into $PGDATABASE"
PGPASSWORD="$SOURCE_PGPASSWORD" pg_dump --format=custom --no-owner --no-privileges \\
  --username="$SOURCE_DATABASE" --dbname="$SOURCE_DATABASE" \\
  | pg_restore --no-owner --no-privileges --clean --if-exists --exit-on-error --dbname="$PGDATABASE"
psql --no-psqlrc -v ON_ERROR_STOP=1 --single-transaction -v url="$INSTANCE_URL" <<'SQL'
UPDATE ir_config_parameter SET value = gen_random_uuid()::text WHERE key = 'database.uuid';
UPDATE ir_config_parameter SET value = gen_random_uuid()::text WHERE key = 'database.secret';
UPDATE ir_config_parameter SET value = :'url' WHERE key = 'web.base.url';
DELETE FROM ir_config_parameter WHERE key = 'database.enterprise_code';
SQL
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
  resources: Resources,
): KubeObject {
  const sourceNames = instanceNames(source.name);
  return odooJob(context, {
    name: instanceNames(context.name).job('copy', 'from', source.name),
    step: 'copy',
    image: context.image,
    command: bash(SCRIPT),
    resources,
    labels: { [SOURCE_RELEASE_LABEL]: source.release, [SOURCE_INSTANCE_LABEL]: source.name },
    env: [
      { name: 'SOURCE_DATABASE', value: source.databaseName },
      { name: 'SOURCE_PGPASSWORD', valueFrom: { secretKeyRef: { name: sourceNames.credentials, key: 'password' } } },
      { name: 'INSTANCE_URL', value: url },
    ],
    volumes: [{ name: 'source-filestore', persistentVolumeClaim: { claimName: sourceNames.filestore, readOnly: true } }],
    mounts: [{ name: 'source-filestore', mountPath: '/source', readOnly: true }],
  });
}
