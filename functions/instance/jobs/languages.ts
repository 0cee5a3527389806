// The languages a new database is created with (Odoo --load-language). A
// code Odoo does not know would fail only inside odoo -i, with the database
// half made, so the init Job first checks each against the image's own
// language list (base's res.lang.csv: it differs between series, e.g. sr_RS
// became sr@Cyrl in 19.0) and names the unknown ones.
import type { Tenant } from '../../tenant/schema.js';
import type { InstanceSpec } from '../schema.js';
import { shellSingleQuoted } from '../database.js';

/**
 * The Instance's languages, else its Tenant's. As in Odoo's database manager,
 * the first is the database's language: Odoo activates it instead of English
 * and makes it the default of partners and the company's (res.lang
 * install_lang); English stays only when listed.
 */
export function instanceLanguages(spec: Pick<InstanceSpec, 'languages'>, tenant: Tenant): string[] {
  return [...(spec.languages ?? tenant.spec.languages)];
}

/** Checks codes (argv[1], comma-separated) against the res.lang.csv of the image's Odoo; exits 1 naming the unknown ones. */
export const LANGUAGES_CHECK_PY = `import csv, os, sys
import odoo
# odoo.__path__, not __file__: Odoo 19's odoo is a namespace package, without one.
path = next((p for p in (os.path.join(d, 'addons', 'base', 'data', 'res.lang.csv') for d in odoo.__path__) if os.path.isfile(p)), None)
if path is None:
    sys.exit('spec.languages: this image has no odoo/addons/base/data/res.lang.csv to check the codes against')
with open(path, newline='', encoding='utf-8') as f:
    known = {row['code'] for row in csv.DictReader(f)}
unknown = [code for code in sys.argv[1].split(',') if code not in known]
if unknown:
    sys.stderr.write('spec.languages: Odoo %s does not know %s; use codes of its Settings > Languages, such as %s\\n' % (
        sys.argv[2], ', '.join(unknown), ', '.join(sorted(c for c in known if c.startswith(unknown[0][:2]))[:5]) or 'fr_FR'))
    sys.exit(1)
`;

/** Bash lines that fail the Job before the database is touched when a code is unknown to the image's Odoo. */
export function languagesCheck(codes: readonly string[], series: string): string {
  return codes.length === 0 ? '' : `python3 -c ${shellSingleQuoted(LANGUAGES_CHECK_PY)} ${shellSingleQuoted(codes.join(','))} ${shellSingleQuoted(series)}`;
}

/** Odoo's flag, or nothing. */
export function loadLanguageFlags(codes: readonly string[]): string[] {
  return codes.length === 0 ? [] : [`--load-language=${codes.join(',')}`];
}
