// The backup Jobs' Python run for real: the dump script against every
// PostgreSQL server hosters run (13 to 18) writes Odoo's zip format with
// each client that can dump it, the restore script puts it back as another
// instance's role (fresh, over a database that holds data, and all or
// nothing when the dump is cut short or refused), and
// the retention plan keeps what 7 daily / 4 weekly / 3 monthly means, with a
// clock the test controls (the newest backup's name). Odoo itself is not
// needed: a module standing in for odoo.release gives the version the
// manifest records. Skipped, and said so, where PostgreSQL is not installed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROOT } from '../../scripts/function-process.js';
import { DUMP_PY, RESTORE_PY, RETENTION_PY } from '../../functions/instance/jobs/backup-scripts.js';
import { createExtensionsSQL, NEW_DATABASE_CTYPE } from '../../functions/instance/database.js';
import { Processes } from '../e2e/support/processes.js';
import { startPostgres, type Postgres } from '../e2e/support/postgres.js';
import { pathWith, postgresClients, postgresServers, type PostgresClient } from '../support/postgres-versions.js';

const INSTALLED = existsSync('/usr/lib/postgresql');
const DIR = join(ROOT, '.work', 'backup-scripts-test');

function python(script: string, args: string[], env: Record<string, string> = {}): string {
  // Debian's Python, with python3-psycopg2 as in every Odoo image (the dump script uses it).
  return execFileSync('/usr/bin/python3', ['-', ...args], { input: script, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
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
const SERVERS = INSTALLED ? postgresServers() : [];
const CLIENTS = INSTALLED ? postgresClients() : [];
// Debian 12's client is always there; the newer one when npm test fetched it.
const NEWEST_CLIENT = CLIENTS[CLIENTS.length - 1] as PostgresClient;

describe.skipIf(!INSTALLED).each(SERVERS)('the backup and restore scripts on PostgreSQL $major ($from)', (server) => {
  // Clients that can dump this server: a release image with one of them.
  const dumpers = CLIENTS.filter((c) => c.major >= server.major);
  const dir = join(DIR, String(server.major));

  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(releaseModule, 'odoo'), { recursive: true });
    // What odoo.release of an Odoo 17.0 tree gives the manifest.
    writeFileSync(join(releaseModule, 'odoo', '__init__.py'), '');
    writeFileSync(join(releaseModule, 'odoo', 'release.py'), "version_info = (17, 0, 0, 'final', 0, '')\nversion = '17.0'\nmajor_version = '17.0'\n");
    processes = new Processes(dir);
    pg = await startPostgres(join(dir, 'pg'), processes, undefined, server.bin);
    instance('acme_prod');
    psql('acme_prod', createExtensionsSQL());
    psql('acme_prod', "CREATE TABLE ir_module_module (name varchar, latest_version varchar, state varchar); INSERT INTO ir_module_module VALUES ('base', '17.0.1.3', 'installed'), ('sale', '17.0.1.2', 'uninstalled');");
    psql('acme_prod', "CREATE TABLE res_partner (id serial PRIMARY KEY, name text); INSERT INTO res_partner (name) VALUES ('Azure Interior'), ('Иван Петров'), ('École du Nord');");
    psql('acme_prod', 'CREATE INDEX res_partner_name_trgm ON res_partner USING gin (name gin_trgm_ops)');
    psql('acme_prod', "CREATE TABLE ir_attachment (id serial PRIMARY KEY, store_fname varchar); INSERT INTO ir_attachment (store_fname) VALUES ('ab/abcdef');");
    // A customer's module keeping a file in a large object: pg_dump writes its data in a transaction of its own.
    psql('acme_prod', "CREATE TABLE customer_document (id serial PRIMARY KEY, content oid); INSERT INTO customer_document (content) VALUES (lo_from_bytea(0, convert_to('scanned delivery note', 'UTF8')));");
  });

  afterAll(async () => {
    pg?.stop();
    await processes?.stopAll();
  });

  function instance(name: string): void {
    pg.query(`CREATE ROLE "${name}" LOGIN PASSWORD '${name}'`);
    pg.query(`CREATE DATABASE "${name}" OWNER "${name}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE '${NEW_DATABASE_CTYPE}'`);
  }
  const asRole = (db: string, data: string, client: PostgresClient) => ({ PATH: pathWith(client), PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGUSER: db, PGDATABASE: db, PGPASSWORD: db, ODOO_DATA_DIR: data, PYTHONPATH: releaseModule });
  const psql = (db: string, sql: string) =>
    execFileSync('psql', ['-h', '127.0.0.1', '-p', String(pg.port), '-U', db, '-d', db, '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: db } }).trim();
  const partners = (db: string) => psql(db, 'SELECT name FROM res_partner ORDER BY id').split('\n');
  const PARTNERS = ['Azure Interior', 'Иван Петров', 'École du Nord'];
  const documents = (db: string) => psql(db, "SELECT convert_from(lo_get(content), 'UTF8') FROM customer_document ORDER BY id").split('\n');

  /** A backup of acme_prod written by the dump script with `client`, as the backup Job does; returns the zip's path. */
  function backup(client: PostgresClient): { zip: string; out: string } {
    const data = join(dir, 'prod-data');
    mkdirSync(join(data, 'filestore', 'acme_prod', 'ab'), { recursive: true });
    writeFileSync(join(data, 'filestore', 'acme_prod', 'ab', 'abcdef'), 'signed contract');
    const zip = join(dir, `backup-${client.major}.zip`);
    const out = python(DUMP_PY, [zip, join(dir, 'meta.json')], asRole('acme_prod', data, client));
    return { zip, out };
  }

  /** A copy of the zip with dump.sql changed by `edit` (what a cut-short download or a refused statement looks like). */
  function edited(zip: string, name: string, edit: string): string {
    const target = join(dir, name);
    python(
      String.raw`
import sys, zipfile
source, target, edit = sys.argv[1:4]
with zipfile.ZipFile(source) as z, zipfile.ZipFile(target, 'w') as out:
    for item in z.infolist():
        data = z.read(item)
        if item.filename == 'dump.sql':
            text = data.decode()
            if edit == 'cut':
                text = text[: text.index('-- PostgreSQL database dump complete')]
            elif edit == 'cut-in-copy':
                start = text.index('COPY public.res_partner ')
                text = text[: text.index('\n', text.index('\n', start) + 1) + 1]
            elif edit == 'refused':
                text = text.replace('-- PostgreSQL database dump complete', 'SELECT 1/0;\n-- PostgreSQL database dump complete')
            data = text.encode()
        out.writestr(item, data)
`,
      [zip, target, edit],
    );
    return target;
  }

  describe.each(dumpers)('with pg_dump $major', (client) => {
    const copy = `acme_copy_${client.major}`;
    const data = join(dir, `copy-data-${client.major}`);
    let zip = '';

    beforeAll(() => {
      instance(copy);
      mkdirSync(data, { recursive: true });
    });

    it('writes Odoo’s zip: manifest.json, dump.sql and the filestore', () => {
      const written = backup(client);
      zip = written.zip;
      expect(written.out).toMatch(/^backup of acme_prod written: \d+ bytes, Odoo 17\.0/);
      const listing = execFileSync('python3', ['-m', 'zipfile', '-l', zip], { encoding: 'utf8' });
      expect(listing).toMatch(/manifest\.json/);
      expect(listing).toMatch(/dump\.sql/);
      expect(listing).toMatch(/filestore\/ab\/abcdef/);
      const manifest = JSON.parse(python("import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('manifest.json').decode())", [zip]));
      expect(manifest).toMatchObject({ odoo_dump: '1', db_name: 'acme_prod', version: '17.0', major_version: '17.0', pg_version: expect.stringMatching(new RegExp(`^${server.major}\\.`)), modules: { base: '17.0.1.3' } });
      expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).size).toBeGreaterThan(500);
    });

    it('keeps Odoo’s filestore garbage collection out while it dumps and reads the filestore: no file the dump references can go', () => {
      // A pg_dump that first tries what Odoo's _gc_file_store does (LOCK ir_attachment IN SHARE MODE), then dumps.
      const probeDir = join(dir, `gc-probe-${client.major}`);
      const probe = join(probeDir, 'result');
      mkdirSync(probeDir, { recursive: true });
      writeFileSync(
        join(probeDir, 'pg_dump'),
        `#!/bin/sh\npsql --no-psqlrc -At -c "BEGIN; SET LOCAL lock_timeout = '500ms'; LOCK ir_attachment IN SHARE MODE; COMMIT;" > "${probe}" 2>&1 && echo "the garbage collection got its lock" >> "${probe}"\nexec "${client.bin}/pg_dump" "$@"\n`,
        { mode: 0o755 },
      );
      const data = join(dir, 'prod-data');
      const env = { ...asRole('acme_prod', data, client), PATH: `${probeDir}:${pathWith(client)}` };
      python(DUMP_PY, [join(dir, 'probed.zip'), join(dir, 'meta.json')], env);
      expect(readFileSync(probe, 'utf8')).toContain('canceling statement due to lock timeout');
      // Once the backup is written, the garbage collection may run again.
      execFileSync(join(probeDir, 'pg_dump'), ['--version'], { env });
      expect(readFileSync(probe, 'utf8')).toContain('the garbage collection got its lock');
    });

    it('keeps its guard to the end whatever timeouts the role has: the backup is written', () => {
      // A pg_dump that takes 2 s before dumping; the role's idle and (from 17) transaction timeouts at 1 s.
      const slowDir = join(dir, `slow-dump-${client.major}`);
      mkdirSync(slowDir, { recursive: true });
      writeFileSync(join(slowDir, 'pg_dump'), `#!/bin/bash\n[ "$1" = --version ] || sleep 2\nexec "${client.bin}/pg_dump" "$@"\n`, { mode: 0o755 });
      pg.query(`ALTER ROLE acme_prod SET idle_in_transaction_session_timeout = '1s'`);
      if (server.major >= 17) pg.query(`ALTER ROLE acme_prod SET transaction_timeout = '1s'`);
      try {
        const env = { ...asRole('acme_prod', join(dir, 'prod-data'), client), PATH: `${slowDir}:${pathWith(client)}` };
        expect(python(DUMP_PY, [join(dir, 'slow.zip'), join(dir, 'meta.json')], env)).toMatch(/^backup of acme_prod written/);
      } finally {
        pg.query('ALTER ROLE acme_prod RESET ALL');
      }
    });

    it('gives way to a module installed while it waits for its locks: pg_dump gives up, the backup fails, the install goes on', async () => {
      // A pg_dump that starts an ALTER TABLE ir_attachment (queued behind the guard), then dumps with a 1 s lock wait.
      const probeDir = join(dir, `install-probe-${client.major}`);
      mkdirSync(probeDir, { recursive: true });
      writeFileSync(
        join(probeDir, 'pg_dump'),
        [
          '#!/bin/bash',
          `[ "$1" = --version ] && exec "${client.bin}/pg_dump" "$@"`,
          'psql --no-psqlrc -q -c "ALTER TABLE ir_attachment ADD COLUMN installed_meanwhile int" >/dev/null 2>&1 &',
          `until [ "$(psql --no-psqlrc -At -c "SELECT count(*) FROM pg_locks WHERE relation = 'ir_attachment'::regclass AND NOT granted")" != 0 ]; do sleep 0.1; done`,
          'args=(); found=',
          'for a in "$@"; do if [ "$a" = --lock-wait-timeout=30s ]; then a=--lock-wait-timeout=1s; found=1; fi; args+=("$a"); done',
          '[ -n "$found" ] || { echo "pg_dump runs without --lock-wait-timeout=30s: it would wait forever" >&2; exit 9; }',
          `exec "${client.bin}/pg_dump" "\${args[@]}"`,
        ].join('\n'),
        { mode: 0o755 },
      );
      const env = { ...asRole('acme_prod', join(dir, 'prod-data'), client), PATH: `${probeDir}:${pathWith(client)}` };
      expect(failure(() => python(DUMP_PY, [join(dir, 'gave-way.zip'), join(dir, 'meta.json')], env))).toMatch(/due to statement timeout\n.*LOCK TABLE .*ir_attachment[\s\S]*pg_dump failed \(its error is above\): no backup was written/);
      expect(existsSync(join(dir, 'gave-way.zip'))).toBe(false);
      // The guard went with the backup: the ALTER TABLE waiting behind it went through.
      await vi.waitFor(() => expect(psql('acme_prod', "SELECT count(*) FROM information_schema.columns WHERE table_name = 'ir_attachment' AND column_name = 'installed_meanwhile'")).toBe('1'), { timeout: 10_000 });
      psql('acme_prod', 'ALTER TABLE ir_attachment DROP COLUMN installed_meanwhile');
    });

    it('restores it as another instance’s role into its empty database and filestore', () => {
      const out = python(RESTORE_PY, [zip, 'fresh', '17.0'], asRole(copy, data, client));
      expect(partners(copy)).toEqual(PARTNERS);
      expect(documents(copy)).toEqual(['scanned delivery note']);
      expect(pg.query("SELECT pg_get_userbyid(lomowner) FROM pg_largeobject_metadata", copy)).toEqual([copy]);
      expect(pg.query("SELECT extname, pg_get_userbyid(extowner) FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1", copy)).toEqual([`pg_trgm\t${copy}`, `unaccent\t${copy}`]);
      expect(readFileSync(join(data, 'filestore', copy, 'ab', 'abcdef'), 'utf8')).toBe('signed contract');
      // pg_dump 17 sets transaction_timeout, which 16 and older reject: left out, and said so.
      if (client.major >= 17 && server.major < 17) expect(out).toContain(`left out SET transaction_timeout: PostgreSQL ${server.major} does not know it`);
      else expect(out).not.toContain('left out');
    });

    it('restores it over a database that changed since, as a rollback does: data and filestore as they were', () => {
      psql(copy, "UPDATE res_partner SET name = 'half upgraded'; CREATE TABLE added_by_the_upgrade (x int); SELECT lo_put(content, 0, convert_to('SCANNED', 'UTF8')) FROM customer_document;");
      writeFileSync(join(data, 'filestore', copy, 'ab', 'written-after'), 'x');
      python(RESTORE_PY, [zip, 'replace', '17.0'], asRole(copy, data, client));
      expect(partners(copy)).toEqual(PARTNERS);
      // Large objects belong to no schema: the ones the role owned went, and came back from the dump under their numbers.
      expect(documents(copy)).toEqual(['scanned delivery note']);
      expect(psql(copy, "SELECT count(*) FROM pg_tables WHERE tablename = 'added_by_the_upgrade'")).toBe('0');
      expect(existsSync(join(data, 'filestore', copy, 'ab', 'written-after'))).toBe(false);
    });

    it('a rollback whose dump is cut short, or holds a statement PostgreSQL refuses, leaves the database and filestore as they were', () => {
      psql(copy, "UPDATE res_partner SET name = 'written after the restore' WHERE id = 1;");
      writeFileSync(join(data, 'filestore', copy, 'ab', 'written-after'), 'x');
      const expected = ['written after the restore', ...PARTNERS.slice(1)];
      expect(failure(() => python(RESTORE_PY, [edited(zip, 'cut.zip', 'cut'), 'replace', '17.0'], asRole(copy, data, client)))).toContain(
        'the dump ended before its last line (pg_dump or the transfer failed, see above): nothing of it was applied, the database is as it was',
      );
      expect(partners(copy)).toEqual(expected);
      // Cut inside a table's data: psql fails on the half line too, and the cut is what is told.
      expect(failure(() => python(RESTORE_PY, [edited(zip, 'cut-in-copy.zip', 'cut-in-copy'), 'replace', '17.0'], asRole(copy, data, client)))).toContain(
        'the dump ended before its last line (pg_dump or the transfer failed, see above): nothing of it was applied, the database is as it was',
      );
      expect(partners(copy)).toEqual(expected);
      expect(failure(() => python(RESTORE_PY, [edited(zip, 'refused.zip', 'refused'), 'replace', '17.0'], asRole(copy, data, client)))).toMatch(
        /division by zero[\s\S]*PostgreSQL refused the dump \(psql exited 3, its error is above\): nothing of it was applied, the database is as it was/,
      );
      expect(partners(copy)).toEqual(expected);
      expect(existsSync(join(data, 'filestore', copy, 'ab', 'written-after'))).toBe(true);
    });

    it('refuses a backup of another Odoo series, with the way forward', () => {
      expect(failure(() => python(RESTORE_PY, [zip, 'replace', '18.0'], asRole(copy, data, client)))).toContain(
        'the backup is of Odoo 17.0 and this release runs 18.0: restore it into an instance of a 17.0 release, then migrate that instance',
      );
      expect(psql(copy, 'SELECT count(*) FROM res_partner')).toBe('3');
    });
  });

  it.skipIf(dumpers.length > 0)('refuses to back up a server newer than the image’s pg_dump, with the way forward, and writes nothing', () => {
    const newest = NEWEST_CLIENT;
    expect(failure(() => backup(newest))).toContain(
      `pg_dump ${newest.major} is older than the PostgreSQL server (${server.major}) and cannot dump it: give the release image postgresql-client ${server.major} or later`,
    );
    expect(existsSync(join(dir, `backup-${newest.major}.zip`))).toBe(false);
  });
});
