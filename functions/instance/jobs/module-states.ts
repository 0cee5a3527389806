// What odoo -u leaves behind when it could not load a module. An installed
// module whose code is missing from the release's image (or one of whose
// dependencies is) is marked "to upgrade" by -u all and never loaded: Odoo
// logs "not installable, skipped" and "Some modules have inconsistent
// states", and exits 0 (seen with Odoo 17.0's own odoo -u all). Serving that database is a broken production, so the
// upgrade and migration Jobs fail instead, which rolls an upgrade back.

import { psqlValue } from './psql-value.js';

/** The modules Odoo left half-done, as "name (state)", comma-separated; empty when none. */
export const UNFINISHED_MODULES_SQL =
  "SELECT coalesce(string_agg(name || ' (' || state || ')', ', ' ORDER BY name), '') FROM ir_module_module WHERE state IN ('to install', 'to upgrade', 'to remove')";

/** Bash lines that fail the Job, naming the modules, when odoo -u left any half-done. */
export function unfinishedModulesCheck(release: string): string {
  return [
    psqlValue('unfinished', UNFINISHED_MODULES_SQL),
    'if [ -n "$unfinished" ]; then',
    `  echo "odoo -u finished, but left modules it could not load: $unfinished. Their code, or that of a module they depend on, is not in the image of release ${release} (Odoo logged it above: \\"not installable, skipped\\"). Add it to the release, or uninstall those modules on the running release first" >&2`,
    '  exit 1',
    'fi',
  ].join('\n');
}

/**
 * The modules of spec.initModules that odoo -i did not install, comma-separated.
 * A name Odoo does not find in its addons path is only logged ("invalid module
 * names, ignored") and odoo -i exits 0: without this, a production would start
 * without the apps its owner asked for.
 */
export function notInstalledModulesSQL(modules: readonly string[]): string {
  const names = modules.map((m) => `'${m.replace(/'/g, "''")}'`).join(', ');
  return `SELECT coalesce(string_agg(m, ', ' ORDER BY m), '') FROM unnest(ARRAY[${names}]::text[]) AS m WHERE m NOT IN (SELECT name FROM ir_module_module WHERE state = 'installed')`;
}

/** Bash lines that fail the init Job, naming the modules, when odoo -i left any of spec.initModules uninstalled. */
export function notInstalledModulesCheck(modules: readonly string[], release: string): string {
  if (modules.length === 0) return '';
  return [
    psqlValue('missing', notInstalledModulesSQL(modules)),
    'if [ -n "$missing" ]; then',
    `  echo "spec.initModules: odoo -i finished without installing $missing: release ${release}'s image has no module of that name, or one it depends on (Odoo logged it above). Fix the name, or add the module to the release" >&2`,
    '  exit 1',
    'fi',
  ].join('\n');
}
