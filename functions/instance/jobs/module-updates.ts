// Which modules an upgrade updates. odoo -u all rewrites every module's
// data and views, which on a customer's database of dozens of apps is most
// of an upgrade's downtime, for releases that often change one add-on.
// Odoo.sh updates the modules whose version changed; a version is only as
// good as the developer who bumps it, and Odoo's own bug-fix updates change
// code without bumping any. So the Job compares what it can prove: a
// checksum of each installed module's directory in the image (its manifest,
// code, data, views and translations) against the checksums recorded in the
// database when it was last initialized, updated or migrated (the
// ir.config_parameter function_odoo.module_checksums, which copies and
// backups carry with the data). It updates the modules that changed or
// whose code is gone (odoo -u also updates the modules that depend on
// them); none changed, it updates none. A database without checksums
// (created before) is updated whole, once. spec.code.updateModules: all (or
// a release's own) keeps odoo -u all.
import type { UpdateMode } from '../../app/schema.js';
import { shellSingleQuoted } from '../database.js';
import { ODOO_PATHS } from '../odoo-conf.js';

/** The ir.config_parameter holding each installed module's checksum, as JSON. */
export const CHECKSUMS_PARAMETER = 'function_odoo.module_checksums';

/**
 * argv: plan <mode> <out> — writes the modules to update (comma-separated, or
 * "all") to <out> and says why; record — stores the checksums of the
 * installed modules. Runs in the release image, with libpq's environment.
 */
export const MODULE_CHECKSUMS_PY = String.raw`
import hashlib, json, os, sys
import psycopg2
import odoo
from odoo.tools import config
config.parse_config(['--config', '${ODOO_PATHS.conf}'])
from odoo.modules import module as modules
modules.initialize_sys_path()

KEY = '${CHECKSUMS_PARAMETER}'

def checksum(path):
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d != '__pycache__')
        for name in sorted(files):
            if name.endswith(('.pyc', '.pyo')):
                continue
            full = os.path.join(root, name)
            digest.update(os.path.relpath(full, path).encode() + b'\0')
            with open(full, 'rb') as f:
                for chunk in iter(lambda: f.read(1 << 20), b''):
                    digest.update(chunk)
            digest.update(b'\0')
    return digest.hexdigest()

conn = psycopg2.connect('')
with conn:
    with conn.cursor() as cur:
        cur.execute("SELECT name FROM ir_module_module WHERE state = 'installed' ORDER BY name")
        installed = [row[0] for row in cur.fetchall()]
        sums = {}
        for name in installed:
            path = modules.get_module_path(name, display_warning=False)
            sums[name] = checksum(path) if path else None
        if sys.argv[1] == 'record':
            cur.execute(
                "INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date) "
                "VALUES (%s, %s, 1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC') "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_date = EXCLUDED.write_date",
                (KEY, json.dumps(sums, sort_keys=True)),
            )
            print('recorded the checksums of %d installed modules' % len(sums))
        else:
            mode, out = sys.argv[2], sys.argv[3]
            cur.execute('SELECT value FROM ir_config_parameter WHERE key = %s', (KEY,))
            row = cur.fetchone()
            if mode == 'all':
                plan, why = 'all', 'updating every module (updateModules: all)'
            elif row is None:
                plan, why = 'all', 'updating every module: the database has no module checksums yet (made before they were recorded)'
            else:
                stored = json.loads(row[0])
                changed = [n for n in installed if sums[n] is None or stored.get(n) != sums[n]]
                plan = ','.join(changed)
                why = ('updating %d of %d installed modules, whose code changed: %s' % (len(changed), len(installed), plan)) if changed else 'no installed module changed: nothing to update'
            with open(out, 'w') as f:
                f.write(plan)
            print(why)
conn.close()
`.trim();

const PLAN_FILE = '/tmp/update-modules';

/** Bash lines: decide the modules to update into $modules. */
export function planModuleUpdates(mode: UpdateMode): string {
  return [`python3 -c ${shellSingleQuoted(MODULE_CHECKSUMS_PY)} plan ${mode} ${PLAN_FILE}`, `modules="$(cat ${PLAN_FILE})"`].join('\n');
}

/** Bash line: record the installed modules' checksums (after -i, -u or a migration succeeded). */
export function recordModuleChecksums(): string {
  return `python3 -c ${shellSingleQuoted(MODULE_CHECKSUMS_PY)} record`;
}
