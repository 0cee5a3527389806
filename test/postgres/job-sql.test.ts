// The SQL of the lifecycle Jobs against real PostgreSQL servers — every
// major hosters run, 13 to 18 (test/support/postgres-versions.ts) — and
// Odoo's own neutralization SQL from its source: what a Job does to a
// database is decided by PostgreSQL and Odoo, not by reading our scripts.
// The copy runs with each client that can dump the server: Debian 12's 15
// and the newer 17 official Odoo images have. Skipped, and said so, where
// PostgreSQL is not installed; CI installs it (.ci/run).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/function-process.js';
import { odooSourceFile, TESTED_SERIES } from '../../scripts/odoo-sources.js';
import { createExtensionsSQL, NEW_DATABASE_CTYPE, prepareDatabaseCommand } from '../../functions/instance/database.js';
import { RUN_SQL_PY } from '../../functions/instance/jobs/init-sql-job.js';
import { notInstalledModulesCheck, unfinishedModulesCheck } from '../../functions/instance/jobs/module-states.js';
import { migrationPreflight } from '../../functions/instance/jobs/migration-preflight.js';
import { emptyDatabaseCheck, notInitializedCheck } from '../../functions/instance/jobs/fresh-database.js';
import { COPY_DATABASE_SCRIPT, COPY_IDENTITY_SCRIPT } from '../../functions/instance/jobs/copy-job.js';
import { ownReportUrlCommand, REPORT_URL_ENV } from '../../functions/instance/jobs/report-url.js';
import { catcherSQL, neutralizeChecks, type Catcher } from '../../functions/instance/jobs/neutralize-job.js';
import { Processes } from '../e2e/support/processes.js';
import { startPostgres, type Postgres } from '../e2e/support/postgres.js';
import { pathWith, postgresClients, postgresServers, type PostgresClient } from '../support/postgres-versions.js';

const INSTALLED = existsSync('/usr/lib/postgresql');
if (!INSTALLED) process.stderr.write('test/postgres: PostgreSQL is not installed (Debian package postgresql): skipping the Jobs’ SQL on a real server\n');
// The initSQL runner is Python with psycopg2, as in every Odoo image; Debian's python3-psycopg2 here.
const PSYCOPG2 = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import psycopg2'], { stdio: 'ignore' });
    return true;
  } catch {
    process.stderr.write('test/postgres: Debian’s python3-psycopg2 is not installed: skipping the initSQL runner\n');
    return false;
  }
})();

const DIR = join(ROOT, '.work', 'postgres-test');
let processes: Processes;
let pg: Postgres;

/** Runs a client program as `role` (password = role name) and returns its output; throws with stderr on failure. */
function as(role: string, program: string, args: string[], input?: string | Buffer): string {
  return execFileSync(program, ['-h', '127.0.0.1', '-p', String(pg.port), '-U', role, ...args], {
    env: { ...process.env, PGPASSWORD: role },
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

function psql(role: string, database: string, sql: string): string[] {
  return as(role, 'psql', ['-d', database, '--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql]).split('\n').filter((l) => l !== '');
}

/**
 * A LOGIN role owning a database of the same name, as provider-sql creates
 * them for an instance (the Database the function composes); `ctype` C for
 * one created before new databases got C.UTF-8.
 */
function instanceDatabase(name: string, ctype = NEW_DATABASE_CTYPE): void {
  pg.query(`CREATE ROLE "${name}" LOGIN PASSWORD '${name}'`);
  pg.query(`CREATE DATABASE "${name}" OWNER "${name}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE '${ctype}'`);
}

/** The copy Job's database half, as the Job runs it (bash, the target's role, $SOURCE_*), with `client`'s programs first on PATH. */
function copy(source: string, target: string, client: PostgresClient): string {
  return execFileSync('bash', ['-c', `set -euo pipefail\n${COPY_DATABASE_SCRIPT}`], {
    env: { ...process.env, PATH: pathWith(client), PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGUSER: target, PGDATABASE: target, PGPASSWORD: target, SOURCE_DATABASE: source, SOURCE_PGPASSWORD: source },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

function failure(run: () => unknown): string {
  try {
    run();
    return 'succeeded';
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
}

const SERVERS = INSTALLED ? postgresServers() : [];
const CLIENTS = INSTALLED ? postgresClients() : [];
// Debian 12's client is always there; the newer one when npm test fetched it.
const OLDEST_CLIENT = CLIENTS[0] as PostgresClient;
const NEWEST_CLIENT = CLIENTS[CLIENTS.length - 1] as PostgresClient;

describe.skipIf(!INSTALLED).each(SERVERS)('the Jobs’ SQL on PostgreSQL $major ($from)', (server) => {
  // Clients that can dump this server (pg_dump refuses a newer one).
  const dumpers = CLIENTS.filter((c) => c.major >= server.major);

  beforeAll(async () => {
    const dir = join(DIR, String(server.major));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    processes = new Processes(dir);
    pg = await startPostgres(join(dir, 'pg'), processes, undefined, server.bin);
  });

  afterAll(async () => {
    pg?.stop();
    await processes?.stopAll();
  });

  describe('tenant isolation', () => {
    it('a database the init Job prepared is reachable by its own role only: another tenant’s role cannot connect', () => {
      instanceDatabase('tenant_a_prod');
      instanceDatabase('tenant_b_prod');
      // What PostgreSQL does by default: any role may connect to any database.
      expect(psql('tenant_b_prod', 'tenant_a_prod', 'SELECT current_database()')).toEqual(['tenant_a_prod']);
      // The init Job's first statement, run as the owner, the way the Job runs it (bash, psql --command).
      execFileSync('bash', ['-c', prepareDatabaseCommand()], { env: { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGUSER: 'tenant_a_prod', PGDATABASE: 'tenant_a_prod', PGPASSWORD: 'tenant_a_prod' }, stdio: 'pipe' });
      expect(failure(() => psql('tenant_b_prod', 'tenant_a_prod', 'SELECT 1'))).toMatch(/permission denied for database "tenant_a_prod"/);
      expect(psql('tenant_a_prod', 'tenant_a_prod', 'SELECT current_database()')).toEqual(['tenant_a_prod']);
      // Odoo 18+ connects to the postgres database at start: that stays open.
      expect(psql('tenant_a_prod', 'postgres', 'SELECT 1')).toEqual(['1']);
    });

    it.skipIf(!PSYCOPG2)('initSQL runs as SQL, not psql: a backslash command is an error, not a connection to another database', () => {
      const env = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGUSER: 'tenant_b_prod', PGDATABASE: 'tenant_b_prod', PGPASSWORD: 'tenant_b_prod' };
      const run = (sql: string, from: 'plain' | 'secret') => {
        writeFileSync(join(DIR, 'init.sql'), sql);
        return execFileSync('/usr/bin/python3', ['-', join(DIR, 'init.sql'), from], { input: RUN_SQL_PY, env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
      };
      expect(failure(() => run('\\connect tenant_a_prod\nSELECT 1;', 'plain'))).toMatch(/initSQL failed \(SQLSTATE 42601 at character 1\): syntax error at or near "\\"; nothing of it was applied/);
      // One transaction: the first statement is not kept when the second fails; and a Secret's SQL is not echoed.
      expect(failure(() => run("CREATE TABLE kept (x int); INSERT INTO missing VALUES ('s3cr3t');", 'secret'))).toBe(
        'initSQL failed (SQLSTATE 42P01 at character 40); nothing of it was applied\n',
      );
      expect(psql('tenant_b_prod', 'tenant_b_prod', "SELECT count(*) FROM pg_tables WHERE tablename = 'kept'")).toEqual(['0']);
      expect(run("CREATE TABLE company (name text); INSERT INTO company VALUES ('ACME 100%');", 'plain')).toBe('initSQL applied\n');
      expect(psql('tenant_b_prod', 'tenant_b_prod', 'SELECT name FROM company')).toEqual(['ACME 100%']);
    });
  });

  /** A Job's bash lines, run as the instance's own role on its database (libpq's environment, as the Job has it). */
  const asInstanceRole = (db: string, lines: string) =>
    execFileSync('bash', ['-c', `set -euo pipefail\n${lines}`], {
      env: { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGUSER: db, PGDATABASE: db, PGPASSWORD: db },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  describe('after odoo -u', () => {
    const check = (db: string) => asInstanceRole(db, unfinishedModulesCheck('2.0.0'));

    it('a module Odoo could not load (its code missing from the image) fails the Job, named with its state; a finished -u passes', () => {
      instanceDatabase('acme_upgraded');
      psql('acme_upgraded', 'acme_upgraded', "CREATE TABLE ir_module_module (name varchar, state varchar); INSERT INTO ir_module_module VALUES ('base', 'installed'), ('sale', 'installed'), ('crm', 'uninstalled'), ('website', 'uninstallable');");
      expect(check('acme_upgraded')).toBe('');
      // What odoo -u all leaves, exiting 0, when acme_sale's code is not in the image and a new dependency could not be installed.
      psql('acme_upgraded', 'acme_upgraded', "INSERT INTO ir_module_module VALUES ('acme_sale', 'to upgrade'), ('acme_delivery', 'to install');");
      expect(failure(() => check('acme_upgraded'))).toContain(
        'odoo -u finished, but left modules it could not load: acme_delivery (to install), acme_sale (to upgrade). Their code, or that of a module they depend on, is not in the image of release 2.0.0 (Odoo logged it above: "not installable, skipped")',
      );
    });
  });

  describe('before filling a new instance’s database', () => {
    it('init goes ahead on a new database and on one whose init failed half-way, and refuses one an init finished (its module checksums recorded), changing nothing', () => {
      instanceDatabase('acme_again');
      const init = () => asInstanceRole('acme_again', notInitializedCheck('acme_again'));
      expect(init()).toBe('');
      // What odoo -i leaves when it stopped half-way: tables, no checksums yet (recorded last).
      psql('acme_again', 'acme_again', "CREATE TABLE ir_config_parameter (key varchar PRIMARY KEY, value text); CREATE TABLE ir_module_module (name varchar, state varchar); INSERT INTO ir_module_module VALUES ('base', 'to install');");
      expect(init()).toBe('');
      psql('acme_again', 'acme_again', "INSERT INTO ir_config_parameter VALUES ('function_odoo.module_checksums', '{}');");
      expect(failure(init)).toContain('acme_again already holds an Odoo database that was initialized (or copied, restored or upgraded) before: init changes nothing over it.');
      expect(psql('acme_again', 'acme_again', 'SELECT count(*) FROM ir_config_parameter')).toEqual(['1']);
    });

    it('a restore into a new instance goes ahead on an empty database and refuses one that holds Odoo’s tables', () => {
      instanceDatabase('acme_restored_again');
      const restore = () => asInstanceRole('acme_restored_again', emptyDatabaseCheck('acme_restored_again'));
      expect(restore()).toBe('');
      psql('acme_restored_again', 'acme_restored_again', "CREATE TABLE ir_module_module (name varchar, state varchar); INSERT INTO ir_module_module VALUES ('base', 'installed');");
      expect(failure(restore)).toContain('acme_restored_again already holds an Odoo database: a restore into a new instance fills an empty one');
    });

    it('a guard whose psql cannot connect fails the Job; it never lets the step through', () => {
      const unreachable = (lines: string) =>
        execFileSync('bash', ['-c', `set -euo pipefail\n${lines}\necho went-ahead`], {
          env: { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGUSER: 'nobody_here', PGDATABASE: 'acme_again', PGPASSWORD: 'x' },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      expect(failure(() => unreachable(notInitializedCheck('acme_again')))).toMatch(/nobody_here/);
      expect(failure(() => unreachable(emptyDatabaseCheck('acme_again')))).toMatch(/nobody_here/);
    });
  });

  describe.skipIf(!PSYCOPG2)('before a migration', () => {
    /**
     * An 18.0 image as Odoo looks for modules in it: the odoo package's own addons (real 18.0 manifests
     * of base, mail and bus), the addons_path of odoo.conf, and OpenUpgrade's scripts with its apriori.
     */
    const image = join(DIR, 'migration-image');
    const upgradePath = join(image, 'python', 'odoo', 'addons', 'openupgrade_scripts', 'scripts');
    const conf = join(image, 'odoo.conf');
    const file = (path: string, text: string) => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text);
    };
    const preflight = (db: string) =>
      execFileSync('bash', ['-c', `set -euo pipefail\n${migrationPreflight(upgradePath, '18.0', '2.0.0', conf)}`], {
        env: { ...process.env, PATH: `/usr/bin:${process.env.PATH}`, PYTHONPATH: join(image, 'python'), PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGUSER: db, PGDATABASE: db, PGPASSWORD: db },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });

    it('refuses to start, naming them, when installed modules are not in the image (after OpenUpgrade’s renames); names what OpenUpgrade analysed without reviewing', () => {
      rmSync(image, { recursive: true, force: true });
      file(join(image, 'python', 'odoo', '__init__.py'), '');
      for (const [module, path] of [['base', 'odoo/addons/base'], ['mail', 'addons/mail'], ['bus', 'addons/bus']] as const) {
        file(join(image, 'python', 'odoo', 'addons', module, '__manifest__.py'), odooSourceFile('18.0', `${path}/__manifest__.py`));
      }
      file(join(image, 'extra-addons', 'acme_reports', '__manifest__.py'), "{'name': 'ACME reports', 'depends': ['mail'], 'installable': True}");
      file(join(image, 'extra-addons', 'acme_legacy', '__manifest__.py'), "{'name': 'ACME legacy', 'installable': False}");
      file(conf, `[options]\naddons_path = ${join(image, 'extra-addons')}\ndata_dir = ${join(image, 'data')}\n`);
      file(join(upgradePath, '..', 'apriori.py'), "renamed_modules = {\n    'mail_legacy': 'mail',\n    'website_form_project': 'website_project',\n}\nmerged_modules = {'acme_fold': 'acme_reports'}\n");
      file(join(upgradePath, 'bus', '18.0.1.0', 'upgrade_analysis.txt'), "---Models in module 'bus'---\n");
      file(join(upgradePath, 'mail', '18.0.1.18', 'upgrade_analysis.txt'), "---Models in module 'mail'---\n");
      file(join(upgradePath, 'mail', '18.0.1.18', 'upgrade_analysis_work.txt'), 'done\n');
      instanceDatabase('acme_v18');
      psql('acme_v18', 'acme_v18', "CREATE TABLE ir_module_module (name varchar, state varchar); INSERT INTO ir_module_module VALUES ('base', 'installed'), ('mail', 'installed'), ('bus', 'installed'), ('acme_reports', 'installed'), ('acme_fold', 'installed'), ('crm', 'uninstalled'), ('acme_sale', 'installed'), ('acme_legacy', 'installed'), ('website_form_project', 'installed');");
      expect(failure(() => preflight('acme_v18'))).toBe(
        'the migration to release 2.0.0 was not started: installed modules are not in its image, or not installable there: acme_legacy, acme_sale, website_form_project (now website_project). Add them to the release (or the add-ons that replace them), or uninstall them on the running release first\n',
      );
      psql('acme_v18', 'acme_v18', "UPDATE ir_module_module SET state = 'uninstalled' WHERE name IN ('acme_legacy', 'acme_sale', 'website_form_project'); INSERT INTO ir_module_module VALUES ('mail_legacy', 'installed');");
      expect(preflight('acme_v18')).toBe(
        'OpenUpgrade analysed changes to bus for 18.0 and has no reviewed scripts for them: check them in the rehearsal\nevery one of the 6 installed modules is in the image of release 2.0.0\n',
      );
    });
  });

  describe('after odoo -i', () => {
    const check = (db: string, modules: string[]) => asInstanceRole(db, notInstalledModulesCheck(modules, '1.4.1'));

    it('a module of spec.initModules that Odoo did not install (it only logs an unknown name and exits 0) fails the Job, named; all installed passes', () => {
      instanceDatabase('acme_initialized');
      psql('acme_initialized', 'acme_initialized', "CREATE TABLE ir_module_module (name varchar, state varchar); INSERT INTO ir_module_module VALUES ('base', 'installed'), ('sale', 'installed'), ('crm', 'uninstalled');");
      expect(check('acme_initialized', ['sale'])).toBe('');
      expect(failure(() => check('acme_initialized', ['sale', 'crm', 'sale_managment']))).toContain(
        "spec.initModules: odoo -i finished without installing crm, sale_managment: release 1.4.1's image has no module of that name, or one it depends on (Odoo logged it above). Fix the name, or add the module to the release",
      );
    });
  });

  describe('case folding', () => {
    it('a database created as the function composes it finds names in every script whatever their case (ILIKE, as Odoo searches); one created with ctype C finds ASCII only', () => {
      instanceDatabase('acme_folding');
      instanceDatabase('acme_folding_c', 'C');
      const search = "SELECT 'Иван Петров' ILIKE '%иван%', 'École Polytechnique' ILIKE '%école%', 'Ελληνική' ILIKE '%ελλην%', 'Azure' ILIKE '%azure%'";
      expect(psql('acme_folding', 'acme_folding', search)).toEqual(['t|t|t|t']);
      expect(psql('acme_folding_c', 'acme_folding_c', search)).toEqual(['f|f|f|t']);
      // Sorting stays byte order (collation C), as in the databases Odoo creates itself.
      expect(psql('acme_folding', 'acme_folding', "SELECT string_agg(n, ',' ORDER BY n) FROM (VALUES ('b'), ('B'), ('a')) v(n)")).toEqual(['B,a,b']);
    });
  });

  describe('extensions', () => {
    it('are created by the instance’s own role, which owns them', () => {
      // Created before new databases got C.UTF-8: its copies below are new databases, and fold case.
      instanceDatabase('acme_prod', 'C');
      psql('acme_prod', 'acme_prod', createExtensionsSQL());
      expect(pg.query("SELECT extname, pg_get_userbyid(extowner) FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1", 'acme_prod')).toEqual([
        'pg_trgm\tacme_prod',
        'unaccent\tacme_prod',
      ]);
    });

    // What Odoo's has_unaccent (odoo/modules/db.py) reads: 'i' lets it build trigram indexes on unaccent(column).
    const ODOO_HAS_UNACCENT = "SELECT p.provolatile FROM pg_proc p JOIN pg_namespace ns ON p.pronamespace = ns.oid WHERE p.proname = 'unaccent' AND p.pronargs = 1 AND ns.nspname = 'public'";
    const unaccentSchema = (db: string) => psql(db, db, "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'");

    it('make public.unaccent IMMUTABLE, so that Odoo builds its trigram indexes on unaccent(column) and its accent-blind searches can use them', () => {
      expect(psql('acme_prod', 'acme_prod', ODOO_HAS_UNACCENT)).toEqual(['i']);
      expect(unaccentSchema('acme_prod')).toEqual(['unaccent']);
      expect(psql('acme_prod', 'acme_prod', "SELECT unaccent('Intérieur École Ærø')")).toEqual(['Interieur Ecole AEro']);
      psql('acme_prod', 'acme_prod', 'CREATE TABLE unaccent_probe (name varchar); CREATE INDEX unaccent_probe_name_index ON unaccent_probe USING gin (unaccent(name) gin_trgm_ops); DROP TABLE unaccent_probe');
    });

    it('move an unaccent the role made in public (earlier versions) out of it, again and again harmlessly; one the server’s admin made stays as it was', () => {
      instanceDatabase('acme_earlier');
      psql('acme_earlier', 'acme_earlier', 'CREATE EXTENSION unaccent; CREATE EXTENSION pg_trgm;');
      expect(psql('acme_earlier', 'acme_earlier', ODOO_HAS_UNACCENT)).toEqual(['s']);
      expect(failure(() => psql('acme_earlier', 'acme_earlier', 'CREATE TABLE t (name varchar); CREATE INDEX t_name ON t USING gin (unaccent(name) gin_trgm_ops)'))).toContain('functions in index expression must be marked IMMUTABLE');
      psql('acme_earlier', 'acme_earlier', createExtensionsSQL());
      psql('acme_earlier', 'acme_earlier', createExtensionsSQL());
      expect(unaccentSchema('acme_earlier')).toEqual(['unaccent']);
      expect(psql('acme_earlier', 'acme_earlier', ODOO_HAS_UNACCENT)).toEqual(['i']);

      instanceDatabase('acme_admin_made');
      pg.query('CREATE EXTENSION unaccent; CREATE EXTENSION pg_trgm;', 'acme_admin_made');
      psql('acme_admin_made', 'acme_admin_made', createExtensionsSQL());
      expect(unaccentSchema('acme_admin_made')).toEqual(['public']);
      expect(psql('acme_admin_made', 'acme_admin_made', ODOO_HAS_UNACCENT)).toEqual(['s']);
      expect(psql('acme_admin_made', 'acme_admin_made', "SELECT unaccent('École')")).toEqual(['Ecole']);
    });

    it.each(dumpers)('let a copy with pg_dump $major restore them as the copy’s role, and copy again over what the copy held', (client) => {
      if (psql('acme_prod', 'acme_prod', "SELECT count(*) FROM pg_tables WHERE tablename = 'res_partner'")[0] === '0') {
        psql('acme_prod', 'acme_prod', "CREATE TABLE res_partner (id serial PRIMARY KEY, name text); INSERT INTO res_partner (name) VALUES ('Azure Interior'), ('Иван Петров');");
        // As Odoo builds it when unaccent is IMMUTABLE: pg_restore evaluates the wrapper with an empty search_path.
        psql('acme_prod', 'acme_prod', 'CREATE INDEX res_partner_name_trgm ON res_partner USING gin (unaccent(name) gin_trgm_ops)');
        // A customer's module keeping a file in a large object (they belong to no schema).
        psql('acme_prod', 'acme_prod', "CREATE TABLE customer_document (id int, content oid); INSERT INTO customer_document VALUES (1, lo_from_bytea(0, convert_to('scanned delivery note', 'UTF8')));");
      }
      const target = `acme_staging_${client.major}`;
      instanceDatabase(target);
      copy('acme_prod', target, client);
      // A staging database that lived on: a module installed there only, a partner renamed.
      psql(target, target, "CREATE TABLE staging_only (x int); UPDATE res_partner SET name = 'renamed in staging';");
      const output = copy('acme_prod', target, client);
      expect(psql(target, target, "SELECT name, unaccent('Intérieur') FROM res_partner ORDER BY id")).toEqual(['Azure Interior|Interieur', 'Иван Петров|Interieur']);
      // Copied from a ctype C database into a new one: its searches fold Cyrillic now.
      expect(psql(target, target, "SELECT count(*) FROM res_partner WHERE name ILIKE '%иван%'")).toEqual(['1']);
      expect(psql('acme_prod', 'acme_prod', "SELECT count(*) FROM res_partner WHERE name ILIKE '%иван%'")).toEqual(['0']);
      expect(psql(target, target, "SELECT count(*) FROM pg_tables WHERE tablename = 'staging_only'")).toEqual(['0']);
      expect(psql(target, target, "SELECT convert_from(lo_get(content), 'UTF8') FROM customer_document")).toEqual(['scanned delivery note']);
      expect(pg.query("SELECT extname, pg_get_userbyid(extowner) FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1", target)).toEqual([`pg_trgm\t${target}`, `unaccent\t${target}`]);
      expect(psql(target, target, ODOO_HAS_UNACCENT)).toEqual(['i']);
      expect(psql(target, target, "SELECT indexdef LIKE '%unaccent(%' FROM pg_indexes WHERE indexname = 'res_partner_name_trgm'")).toEqual(['t']);
      // A newer pg_dump writes settings an older server does not know: left out, and said so.
      if (client.major >= 17 && server.major < 17) expect(output).toContain(`left out SET transaction_timeout: PostgreSQL ${server.major} does not know it`);
      else expect(output).not.toContain('left out');
    });

    it('gives the copy an identity of its own: uuid, secret, URL, creation date, reports printed from its own Service; no enterprise code', () => {
      const db = 'acme_identity';
      instanceDatabase(db);
      psql(db, db, 'CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key varchar UNIQUE, value text, create_uid int, create_date timestamp, write_uid int, write_date timestamp)');
      const original: Record<string, string> = {
        'database.uuid': '8d9c4a52-0000-4000-8000-000000000001',
        'database.secret': 'original-secret',
        'web.base.url': 'https://acme.odoo.example',
        'database.create_date': '2019-03-01 08:00:00',
        'database.enterprise_code': 'M1234567890',
        'report.url': 'https://acme.odoo.example',
        'mail.catchall.domain': 'acme.example',
      };
      for (const [key, value] of Object.entries(original)) psql(db, db, `INSERT INTO ir_config_parameter (key, value) VALUES ('${key}', '${value}')`);
      const identity = () =>
        execFileSync('bash', ['-c', `set -euo pipefail\n${COPY_IDENTITY_SCRIPT}`], {
          env: { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGUSER: db, PGDATABASE: db, PGPASSWORD: db, INSTANCE_URL: 'https://staging.acme.odoo.example', [REPORT_URL_ENV]: 'http://odoo-staging:8069' },
          stdio: 'pipe',
        });
      identity();
      const after = Object.fromEntries(psql(db, db, 'SELECT key, value FROM ir_config_parameter ORDER BY key').map((l) => l.split('|') as [string, string]));
      expect(Object.keys(after)).toEqual(['database.create_date', 'database.secret', 'database.uuid', 'mail.catchall.domain', 'report.url', 'web.base.url']);
      expect(after['database.uuid']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(after['database.uuid']).not.toBe(original['database.uuid']);
      expect(after['database.secret']).not.toBe(original['database.secret']);
      expect(after['web.base.url']).toBe('https://staging.acme.odoo.example');
      expect(after['mail.catchall.domain']).toBe('acme.example');
      // wkhtmltopdf prints the copy's reports from the copy, whatever the original named.
      expect(after['report.url']).toBe('http://odoo-staging:8069');
      // Odoo's format (fields.Datetime), in UTC, as of the copy.
      expect(after['database.create_date']).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(psql(db, db, "SELECT abs(extract(epoch FROM (value::timestamp - (now() AT TIME ZONE 'UTC')))) < 60 FROM ir_config_parameter WHERE key = 'database.create_date'")).toEqual(['t']);
    });

    it('points report.url at the instance’s own Service where it is unset or names another instance’s; a URL the customer chose stays', () => {
      const db = 'acme_report_url';
      instanceDatabase(db);
      psql(db, db, 'CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key varchar UNIQUE, value text, create_uid int, create_date timestamp, write_uid int, write_date timestamp)');
      const own = () =>
        execFileSync('bash', ['-c', `set -euo pipefail\n${ownReportUrlCommand()}`], {
          env: { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGUSER: db, PGDATABASE: db, PGPASSWORD: db, [REPORT_URL_ENV]: 'http://odoo-prod-v18:8069' },
          stdio: 'pipe',
        });
      const reportUrl = () => psql(db, db, "SELECT value FROM ir_config_parameter WHERE key = 'report.url'");
      own();
      expect(reportUrl()).toEqual(['http://odoo-prod-v18:8069']);
      // The database of a cut-over or a restored backup, printing from the instance it came from.
      psql(db, db, "UPDATE ir_config_parameter SET value = 'http://odoo-prod:8069' WHERE key = 'report.url'");
      own();
      expect(reportUrl()).toEqual(['http://odoo-prod-v18:8069']);
      psql(db, db, "UPDATE ir_config_parameter SET value = 'https://reports.acme.internal' WHERE key = 'report.url'");
      own();
      expect(reportUrl()).toEqual(['https://reports.acme.internal']);
    });

    it('a copy cut short leaves what the copy held as it was', () => {
      const client = dumpers[0] ?? OLDEST_CLIENT;
      const target = 'acme_cut_short';
      instanceDatabase(target);
      psql(target, target, "CREATE TABLE res_partner (id int, name text); INSERT INTO res_partner VALUES (1, 'kept');");
      // The source's role cannot log in with this password: pg_dump fails before it sends anything.
      const failed = failure(() =>
        execFileSync('bash', ['-c', `set -euo pipefail\n${COPY_DATABASE_SCRIPT}`], {
          env: { ...process.env, PATH: pathWith(client), PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGUSER: target, PGDATABASE: target, PGPASSWORD: target, SOURCE_DATABASE: 'acme_prod', SOURCE_PGPASSWORD: 'wrong' },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
      expect(failed).toMatch(/password authentication failed/);
      expect(failed).toContain('the dump ended before its last line');
      expect(psql(target, target, 'SELECT name FROM res_partner')).toEqual(['kept']);
    });

    it.skipIf(dumpers.length > 0)('a copy of a server newer than every pg_dump here is refused by pg_dump, and changes nothing', () => {
      const target = 'acme_newer';
      instanceDatabase(target);
      psql(target, target, "CREATE TABLE res_partner (id int, name text); INSERT INTO res_partner VALUES (1, 'kept');");
      const newest = NEWEST_CLIENT;
      expect(failure(() => copy('acme_prod', target, newest))).toMatch(/server version mismatch[\s\S]*the dump ended before its last line/);
      expect(psql(target, target, 'SELECT name FROM res_partner')).toEqual(['kept']);
    });

    // Instances made before the role created its own extensions (provider-sql's Extension, run as the admin).
    it.skipIf(dumpers.length === 0)('owned by the admin: from 15 a copy over them leaves the copy’s role owning them; up to 14 it is refused and changes nothing', () => {
      const providerSqlExtensions = 'CREATE EXTENSION unaccent; CREATE EXTENSION pg_trgm;';
      instanceDatabase('old_prod');
      pg.query(providerSqlExtensions, 'old_prod');
      instanceDatabase('old_staging');
      pg.query(providerSqlExtensions, 'old_staging');
      psql('old_staging', 'old_staging', "CREATE TABLE res_partner (id int, name text); INSERT INTO res_partner VALUES (1, 'kept');");
      const result = failure(() => copy('old_prod', 'old_staging', dumpers[0] ?? OLDEST_CLIENT));
      if (server.major >= 15) {
        // The role owns the schema public (it owns the database) and drops it with what it holds.
        expect(result).toBe('succeeded');
        expect(pg.query("SELECT extname, pg_get_userbyid(extowner) FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1", 'old_staging')).toEqual(['pg_trgm\told_staging', 'unaccent\told_staging']);
      } else {
        expect(result).toMatch(/must be owner of extension (unaccent|pg_trgm)[\s\S]*nothing of it was applied/);
        expect(psql('old_staging', 'old_staging', 'SELECT name FROM res_partner')).toEqual(['kept']);
      }
    });
  });

  describe.each(TESTED_SERIES)('neutralization on Odoo %s', (series) => {
    const db = `neutralize_${series.replace('.', '_')}`;
    const counts = (catcher?: Catcher) => Object.fromEntries(Object.entries(neutralizeChecks(catcher)).map(([what, sql]) => [what, Number(psql(db, db, sql)[0])]));
    const catcher = { host: 'acme-mailpit', port: 1025 };

    beforeAll(() => {
      instanceDatabase(db);
      // The columns Odoo's neutralize.sql and the check touch, with a live customer setup.
      psql(db, db, `
        CREATE TABLE ir_mail_server (id serial PRIMARY KEY, name varchar NOT NULL, smtp_host varchar, smtp_port int, smtp_encryption varchar, smtp_authentication varchar, smtp_user varchar, smtp_pass varchar, active boolean);
        CREATE TABLE ir_cron (id serial PRIMARY KEY, cron_name varchar, active boolean);
        CREATE TABLE ir_model_data (id serial PRIMARY KEY, module varchar, name varchar, model varchar, res_id int);
        CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key varchar UNIQUE NOT NULL, value text);
        CREATE TABLE ir_act_server (id serial PRIMARY KEY, state varchar, webhook_url varchar);
        CREATE TABLE fetchmail_server (id serial PRIMARY KEY, name varchar, active boolean);
        INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, smtp_authentication, active) VALUES ('customer relay', 'smtp.customer.example', 587, 'starttls', 'login', true);
        INSERT INTO ir_cron (cron_name, active) VALUES ('Base: Auto-vacuum internal data', true), ('Mail: Email Queue Manager', true);
        INSERT INTO ir_model_data (module, name, model, res_id) VALUES ('base', 'autovacuum_job', 'ir.cron', 1);
        INSERT INTO fetchmail_server (name, active) VALUES ('customer inbox', true);
      `);
    });

    it('finds what a live database would still reach out with', () => {
      expect(counts()).toEqual({ 'outgoing mail server': 1, cron: 1, 'incoming mail server': 1 });
    });

    it('finds nothing after Odoo’s own base neutralization (which inserts an active mail server of its own) and the mail module’s', () => {
      psql(db, db, odooSourceFile(series, 'odoo/addons/base/data/neutralize.sql'));
      // mail's neutralize.sql also empties tables this schema does not have; its fetchmail statement is the one the check reads.
      const mail = odooSourceFile(series, 'addons/mail/data/neutralize.sql');
      const fetchmail = mail.split(';').find((s) => /UPDATE\s+fetchmail_server/i.test(s));
      expect(fetchmail).toBeDefined();
      psql(db, db, `${fetchmail};`);
      expect(psql(db, db, 'SELECT smtp_host FROM ir_mail_server WHERE active')).toEqual(['invalid']);
      expect(counts()).toEqual({ 'outgoing mail server': 0, cron: 0, 'incoming mail server': 0 });
    });

    it('points Odoo’s own server at the tenant’s mail catcher, and still finds a customer server switched back on', () => {
      psql(db, db, catcherSQL(catcher));
      expect(psql(db, db, 'SELECT smtp_host, smtp_port, smtp_encryption FROM ir_mail_server WHERE active')).toEqual(['acme-mailpit|1025|none']);
      expect(counts(catcher)).toEqual({ 'outgoing mail server': 0, cron: 0, 'incoming mail server': 0 });
      // Without the catcher named, the check does not take it for harmless.
      expect(counts()['outgoing mail server']).toBe(1);
      psql(db, db, "UPDATE ir_mail_server SET active = true WHERE smtp_host = 'smtp.customer.example'");
      expect(counts(catcher)['outgoing mail server']).toBe(1);
    });
  });
});
