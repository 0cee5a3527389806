// The backup Jobs' Python run for real: the dump script against a real
// PostgreSQL writes Odoo's zip format, the restore script puts it back as
// another instance's role (fresh, and over a database that holds data), and
// the retention plan keeps what 7 daily / 4 weekly / 3 monthly means, with a
// clock the test controls (the newest backup's name). Odoo itself is not
// needed: a module standing in for odoo.release gives the version the
// manifest records. Skipped, and said so, where PostgreSQL is not installed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/function-process.js';
import { DUMP_PY, RESTORE_PY, RETENTION_PY } from '../../functions/instance/jobs/backup-scripts.js';
import { createExtensionsSQL } from '../../functions/instance/database.js';
import { Processes } from '../e2e/support/processes.js';
import { startPostgres, type Postgres } from '../e2e/support/postgres.js';

const INSTALLED = existsSync('/usr/lib/postgresql');
const DIR = join(ROOT, '.work', 'backup-scripts-test');

function python(script: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('python3', ['-', ...args], { input: script, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
}

function failure(run: () => unknown): string {
  try {
    run();
    return 'succeeded';
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
}

describe('the retention plan', () => {
  const plan = (names: string[], newest: string, keep: [number, number, number]) => {
    mkdirSync(DIR, { recursive: true });
    const listing = join(DIR, 'listing');
    writeFileSync(listing, [...names, newest, 'not-a-backup.txt'].join('\n'));
    writeFileSync(join(DIR, 'meta.json'), JSON.stringify({ size: 1234 }));
    const out = python(RETENTION_PY, [listing, newest, join(DIR, 'meta.json'), ...keep.map(String), join(DIR, 'prune'), join(DIR, 'summary.json'), `odoo/acme/prod/scheduled/${newest}`]);
    return { pruned: readFileSync(join(DIR, 'prune'), 'utf8').split('\n').filter((l) => l !== '').sort(), summary: JSON.parse(readFileSync(join(DIR, 'summary.json'), 'utf8')), out };
  };
  // A backup every night from 2026-06-01 to 2026-11-25, then the new one.
  const nightly = Array.from({ length: 178 }, (_, i) => new Date(Date.UTC(2026, 5, 1 + i, 2, 17, 3)).toISOString().replace(/[-:]/g, '').replace(/\.000Z$/, 'Z') + '.zip');
  const newest = '20261126T021703Z.zip';

  it('keeps 7 daily, 4 weekly and 3 monthly backups of a nightly history, and the new one; prunes the rest', () => {
    const { pruned, summary } = plan(nightly, newest, [7, 4, 3]);
    const kept = [...nightly, newest].filter((n) => !pruned.includes(n)).sort();
    expect(kept).toEqual([
      '20260930T021703Z.zip', // the newest of September
      '20261031T021703Z.zip', // the newest of October
      '20261108T021703Z.zip', // ISO week 45
      '20261115T021703Z.zip', // week 46
      '20261120T021703Z.zip',
      '20261121T021703Z.zip',
      '20261122T021703Z.zip', // week 47; the newest of each of the last 7 days from here on
      '20261123T021703Z.zip',
      '20261124T021703Z.zip',
      '20261125T021703Z.zip',
      newest,
    ]);
    expect(summary).toEqual({ time: '2026-11-26T02:17:03Z', key: `odoo/acme/prod/scheduled/${newest}`, size: 1234, kept: 11 });
  });

  it('never prunes the backup just made, nor anything when there are fewer than the policy keeps', () => {
    expect(plan([], newest, [7, 4, 3]).pruned).toEqual([]);
    expect(plan(['20261125T021703Z.zip'], newest, [1, 0, 0]).pruned).toEqual(['20261125T021703Z.zip']);
  });
});

let processes: Processes;
let pg: Postgres;
const releaseModule = join(DIR, 'python');

describe.skipIf(!INSTALLED)('the backup and restore scripts on a real PostgreSQL', () => {
  beforeAll(async () => {
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(join(releaseModule, 'odoo'), { recursive: true });
    // What odoo.release of an Odoo 17.0 tree gives the manifest.
    writeFileSync(join(releaseModule, 'odoo', '__init__.py'), '');
    writeFileSync(join(releaseModule, 'odoo', 'release.py'), "version_info = (17, 0, 0, 'final', 0, '')\nversion = '17.0'\nmajor_version = '17.0'\n");
    processes = new Processes(DIR);
    pg = await startPostgres(join(DIR, 'pg'), processes);
    for (const name of ['acme_prod', 'acme_copy']) {
      pg.query(`CREATE ROLE "${name}" LOGIN PASSWORD '${name}'`);
      pg.query(`CREATE DATABASE "${name}" OWNER "${name}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
    }
  });

  afterAll(async () => {
    pg?.stop();
    await processes?.stopAll();
  });

  const asRole = (db: string, data: string) => ({ PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGUSER: db, PGDATABASE: db, PGPASSWORD: db, ODOO_DATA_DIR: data, PYTHONPATH: releaseModule });
  const psql = (db: string, sql: string) =>
    execFileSync('psql', ['-h', '127.0.0.1', '-p', String(pg.port), '-U', db, '-d', db, '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: db } }).trim();

  it('writes Odoo’s zip: manifest.json, dump.sql and the filestore', () => {
    const data = join(DIR, 'prod-data');
    mkdirSync(join(data, 'filestore', 'acme_prod', 'ab'), { recursive: true });
    writeFileSync(join(data, 'filestore', 'acme_prod', 'ab', 'abcdef'), 'signed contract');
    psql('acme_prod', createExtensionsSQL());
    psql('acme_prod', "CREATE TABLE ir_module_module (name varchar, latest_version varchar, state varchar); INSERT INTO ir_module_module VALUES ('base', '17.0.1.3', 'installed'), ('sale', '17.0.1.2', 'uninstalled');");
    psql('acme_prod', "CREATE TABLE res_partner (id serial PRIMARY KEY, name text); INSERT INTO res_partner (name) VALUES ('Azure Interior');");
    const out = python(DUMP_PY, [join(DIR, 'backup.zip'), join(DIR, 'meta.json')], asRole('acme_prod', data));
    expect(out).toMatch(/^backup of acme_prod written: \d+ bytes, Odoo 17\.0/);
    const listing = execFileSync('python3', ['-m', 'zipfile', '-l', join(DIR, 'backup.zip')], { encoding: 'utf8' });
    expect(listing).toMatch(/manifest\.json/);
    expect(listing).toMatch(/dump\.sql/);
    expect(listing).toMatch(/filestore\/ab\/abcdef/);
    const manifest = JSON.parse(python("import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('manifest.json').decode())", [join(DIR, 'backup.zip')]));
    expect(manifest).toMatchObject({ odoo_dump: '1', db_name: 'acme_prod', version: '17.0', major_version: '17.0', modules: { base: '17.0.1.3' } });
    expect(JSON.parse(readFileSync(join(DIR, 'meta.json'), 'utf8')).size).toBeGreaterThan(500);
  });

  it('restores it as another instance’s role into its empty database and filestore', () => {
    const data = join(DIR, 'copy-data');
    mkdirSync(data, { recursive: true });
    mkdirSync(join(DIR, 'restore'), { recursive: true });
    execFileSync('cp', [join(DIR, 'backup.zip'), join(DIR, 'restore', 'backup.zip')]);
    python(RESTORE_PY, [join(DIR, 'restore', 'backup.zip'), 'fresh', '17.0'], asRole('acme_copy', data));
    expect(psql('acme_copy', 'SELECT name FROM res_partner')).toBe('Azure Interior');
    expect(pg.query("SELECT extname, pg_get_userbyid(extowner) FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1", 'acme_copy')).toEqual(['pg_trgm\tacme_copy', 'unaccent\tacme_copy']);
    expect(readFileSync(join(data, 'filestore', 'acme_copy', 'ab', 'abcdef'), 'utf8')).toBe('signed contract');
  });

  it('restores it over a database that changed since, as a rollback does: data and filestore as they were', () => {
    const data = join(DIR, 'copy-data');
    psql('acme_copy', "UPDATE res_partner SET name = 'half upgraded'; CREATE TABLE added_by_the_upgrade (x int);");
    writeFileSync(join(data, 'filestore', 'acme_copy', 'ab', 'written-after'), 'x');
    python(RESTORE_PY, [join(DIR, 'restore', 'backup.zip'), 'replace', '17.0'], asRole('acme_copy', data));
    expect(psql('acme_copy', 'SELECT name FROM res_partner')).toBe('Azure Interior');
    expect(psql('acme_copy', "SELECT count(*) FROM pg_tables WHERE tablename = 'added_by_the_upgrade'")).toBe('0');
    expect(existsSync(join(data, 'filestore', 'acme_copy', 'ab', 'written-after'))).toBe(false);
  });

  it('refuses a backup of another Odoo series, with the way forward', () => {
    expect(failure(() => python(RESTORE_PY, [join(DIR, 'restore', 'backup.zip'), 'replace', '18.0'], asRole('acme_copy', join(DIR, 'copy-data'))))).toContain(
      'the backup is of Odoo 17.0 and this release runs 18.0: restore it into an instance of a 17.0 release, then migrate that instance',
    );
    expect(psql('acme_copy', 'SELECT name FROM res_partner')).toBe('Azure Interior');
  });
});
