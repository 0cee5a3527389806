// Before a migration's odoo -u all: is every installed module in the new
// series' image? A module whose code is not there (and that OpenUpgrade's
// apriori does not rename or merge into one that is) is marked "to upgrade"
// and never loaded; -u all runs for hours on a large database and only then
// does the module-state check fail it. This refuses at once, naming the
// modules. It also names the installed modules OpenUpgrade analysed for the
// target series without reviewing (an upgrade_analysis.txt and no
// upgrade_analysis_work.txt): their changes have no scripts, and the
// rehearsal's acceptance test is where to look at them. Modules OpenUpgrade
// has no folder for changed nothing it could analyse.
//
// Plain Python and psycopg2, no import of odoo (its package is only
// located): modules are where Odoo looks for them (initialize_sys_path,
// 17.0-19.0): the addons_path of odoo.conf, the data directory's addons of
// the series, and the odoo package's own addons.
import { shellSingleQuoted } from '../database.js';
import { ODOO_PATHS } from '../odoo-conf.js';

export const MIGRATION_PREFLIGHT_PY = String.raw`
import ast, configparser, importlib.util, os, sys
import psycopg2

conf_path, upgrade_path, series, release = sys.argv[1:5]
conf = configparser.ConfigParser(interpolation=None)
conf.read(conf_path)
options = conf['options'] if conf.has_section('options') else {}
roots = [p.strip() for p in options.get('addons_path', '').split(',') if p.strip()]
data_dir = options.get('data_dir', '').strip()
if data_dir:
    roots.append(os.path.join(data_dir, 'addons', series))
spec = importlib.util.find_spec('odoo')
for location in (spec.submodule_search_locations or []) if spec else []:
    roots.append(os.path.join(location, 'addons'))
# Odoo extends odoo.addons over every odoo/addons on sys.path: add-ons pip installed elsewhere.
for entry in sys.path:
    candidate = os.path.join(entry or '.', 'odoo', 'addons')
    if os.path.isdir(candidate) and candidate not in roots:
        roots.append(candidate)

def installable(name):
    for root in roots:
        manifest = os.path.join(root, name, '__manifest__.py')
        if os.path.isfile(manifest):
            with open(manifest, encoding='utf-8') as f:
                return ast.literal_eval(f.read()).get('installable', True) is not False
    return False

def apriori_maps():
    path = os.path.join(os.path.dirname(upgrade_path.rstrip('/')), 'apriori.py')
    maps = {'renamed_modules': {}, 'merged_modules': {}}
    if not os.path.isfile(path):
        return maps
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and getattr(node.targets[0], 'id', None) in maps:
            maps[node.targets[0].id] = ast.literal_eval(node.value)
    return maps

def unreviewed(name):
    folder = os.path.join(upgrade_path, name)
    if not os.path.isdir(folder):
        return False
    for version in sorted(os.listdir(folder)):
        if version.startswith(series + '.'):
            files = os.listdir(os.path.join(folder, version))
            return 'upgrade_analysis.txt' in files and 'upgrade_analysis_work.txt' not in files
    return False

maps = apriori_maps()
conn = psycopg2.connect('')
with conn, conn.cursor() as cur:
    cur.execute("SELECT name FROM ir_module_module WHERE state IN ('installed', 'to upgrade') ORDER BY name")
    installed = [row[0] for row in cur.fetchall()]
conn.close()
target = {m: maps['renamed_modules'].get(m) or maps['merged_modules'].get(m) or m for m in installed}
missing = [m if target[m] == m else '%s (now %s)' % (m, target[m]) for m in installed if not installable(target[m])]
if missing:
    print('the migration to release %s was not started: installed modules are not in its image, or not installable there: %s. Add them to the release (or the add-ons that replace them), or uninstall them on the running release first' % (release, ', '.join(missing)), file=sys.stderr)
    sys.exit(1)
notes = sorted({target[m] for m in installed if unreviewed(target[m])})
if notes:
    print('OpenUpgrade analysed changes to %s for %s and has no reviewed scripts for them: check them in the rehearsal' % (', '.join(notes), series))
print('every one of the %d installed modules is in the image of release %s' % (len(installed), release))
`.trim();

/** Bash line: refuse the migration, naming the modules, when an installed one is not in the release's image. */
export function migrationPreflight(upgradePath: string, series: string, release: string, conf: string = ODOO_PATHS.conf): string {
  return `python3 -c ${shellSingleQuoted(MIGRATION_PREFLIGHT_PY)} ${shellSingleQuoted(conf)} ${shellSingleQuoted(upgradePath)} ${series} ${shellSingleQuoted(release)}`;
}
