// The safety net before an in-place upgrade: a custom-format dump of the
// database and a tarball of the filestore, on the filestore volume under
// backups/<from>-to-<to>/. After a failed upgrade, this is what a person
// restores from (pg_restore --clean, then untar).
import type { Release } from '../../app/schema.js';
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { ODOO_PATHS } from '../odoo-conf.js';
import type { Resources } from '../settings.js';
import { bash, odooJob } from './odoo-job.js';

export function backupDirectory(from: string, to: string): string {
  return `${ODOO_PATHS.dataDir}/backups/${from}-to-${to}`;
}

export function backupJob(context: InstanceContext, from: string, to: Release, resources: Resources): KubeObject {
  const dir = backupDirectory(from, to.version);
  const script = `
mkdir -p "${dir}"
pg_dump --format=custom --file="${dir}/$PGDATABASE.dump.partial"
mv "${dir}/$PGDATABASE.dump.partial" "${dir}/$PGDATABASE.dump"
if [ -d "${ODOO_PATHS.dataDir}/filestore/$PGDATABASE" ]; then
  tar -C "${ODOO_PATHS.dataDir}/filestore" -czf "${dir}/filestore.tar.gz.partial" "$PGDATABASE"
  mv "${dir}/filestore.tar.gz.partial" "${dir}/filestore.tar.gz"
fi
echo "backup written to ${dir}"
`.trim();
  return odooJob(context, {
    name: instanceNames(context.name).job('backup', from, 'to', to.version),
    step: 'backup',
    release: to,
    command: bash(script),
    resources,
  });
}
