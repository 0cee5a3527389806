// The Python the backup and restore Jobs run in the release image (Python
// and Odoo are there; the official images have no S3 client, which the
// rclone image brings). A backup is Odoo's own format, as its database
// manager writes and reads it: a zip of dump.sql (pg_dump --no-owner, plain
// SQL), filestore/ and manifest.json.
import { APPLY_DUMP_PY, REPLACE_PRELUDE_SQL } from './apply-dump.js';

/**
 * Writes the backup zip of $PGDATABASE and its filestore: the database as of
 * pg_dump's snapshot, the filestore read after it, with every file the dump
 * references (Odoo's filestore garbage collection is kept out meanwhile).
 * Refuses, with the reason, when pg_dump is older than the server (pg_dump
 * would refuse too).
 * argv: zip to write, JSON file to write its size and Odoo version to.
 */
export const DUMP_PY = String.raw`
import json, os, re, subprocess, sys, zipfile
from odoo import release

out, meta_out = sys.argv[1], sys.argv[2]
db = os.environ['PGDATABASE']
def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
server = int(run('psql', '--no-psqlrc', '-Atc', 'SHOW server_version_num').strip())
client = int(re.search(r'\(PostgreSQL\)\s+(\d+)', run('pg_dump', '--version')).group(1))
if client < server // 10000:
    sys.exit('pg_dump %d is older than the PostgreSQL server (%d) and cannot dump it: give the release image postgresql-client %d or later (the official Odoo images install it from apt.postgresql.org)' % (client, server // 10000, server // 10000))
rows = run('psql', '--no-psqlrc', '-At', '-F', '|', '-c', "SELECT name, latest_version FROM ir_module_module WHERE state = 'installed' ORDER BY name")
manifest = {
    'odoo_dump': '1',
    'db_name': db,
    'version': release.version,
    'version_info': list(release.version_info),
    'major_version': release.major_version,
    'pg_version': '%d.%d' % (server // 10000, server % 10000),
    'modules': dict(line.split('|', 1) for line in rows.splitlines() if line),
}
# Odoo removes a file from the filestore only in its garbage collection, under LOCK ir_attachment
# IN SHARE MODE (it gives up after 10 s and tries later). Holding ROW EXCLUSIVE, which every write
# takes anyway, from before the snapshot until the filestore is read keeps every file the dump
# references; files added meanwhile are read too, and harmless. The guard idles in its transaction
# for the whole backup: no timeout of the server's or the role's may end it (pg_dump turns the
# same ones off for itself; transaction_timeout exists from PostgreSQL 17).
import psycopg2
guard = psycopg2.connect('')
with guard.cursor() as cur:
    cur.execute("SELECT set_config(name, '0', false) FROM pg_settings WHERE name IN ('idle_in_transaction_session_timeout', 'transaction_timeout', 'statement_timeout')")
    cur.execute("SELECT to_regclass('ir_attachment') IS NOT NULL")
    if cur.fetchone()[0]:
        cur.execute('LOCK TABLE ir_attachment IN ROW EXCLUSIVE MODE')
dump = os.path.join(os.path.dirname(out), 'dump.sql')
# A module installed meanwhile (ALTER TABLE ir_attachment) queues behind the guard, and pg_dump's
# own lock would queue behind it: nobody would ever move, and every request reading attachments
# would wait behind them. pg_dump gives up instead; the backup fails, the guard goes, the install
# goes on, and the next scheduled backup is taken.
if subprocess.run(['pg_dump', '--no-owner', '--lock-wait-timeout=30s', '--file', dump]).returncode != 0:
    sys.exit('pg_dump failed (its error is above): no backup was written')
filestore = os.path.join(os.environ.get('ODOO_DATA_DIR', '/var/lib/odoo'), 'filestore', db)
with zipfile.ZipFile(out + '.partial', 'w', zipfile.ZIP_DEFLATED, allowZip64=True) as z:
    z.writestr('manifest.json', json.dumps(manifest, indent=4))
    z.write(dump, 'dump.sql')
    for root, dirs, files in os.walk(filestore):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            z.write(path, os.path.join('filestore', os.path.relpath(path, filestore)))
guard.rollback()
guard.close()
os.remove(dump)
os.rename(out + '.partial', out)
json.dump({'size': os.path.getsize(out), 'odooVersion': release.version}, open(meta_out, 'w'))
print('backup of %s written: %d bytes, Odoo %s' % (db, os.path.getsize(out), release.version))
`.trim();

/**
 * Retention after a scheduled backup: of the backups listed (names are UTC
 * timestamps, YYYYMMDDTHHMMSSZ.zip) and the new one, keeps the newest of
 * each of the `daily` most recent days, `weekly` ISO weeks and `monthly`
 * months that have one, always the new one, and writes the others to the
 * prune list. "Now" is the newest backup, not a clock, so the same listing
 * always gives the same answer.
 * argv: listing, new name, meta JSON (size), daily, weekly, monthly, prune list out, summary out, key of the new backup.
 */
export const RETENTION_PY = String.raw`
import datetime, json, re, sys
listing, new, meta, daily, weekly, monthly, prune_out, summary_out, key = sys.argv[1:10]
pattern = re.compile(r'^\d{8}T\d{6}Z\.zip$')
names = sorted({n.strip() for n in open(listing) if pattern.match(n.strip())} | {new}, reverse=True)
def when(name):
    return datetime.datetime.strptime(name[:16], '%Y%m%dT%H%M%SZ')
keep = {new}
for count, period in ((int(daily), lambda t: t.date()), (int(weekly), lambda t: t.isocalendar()[:2]), (int(monthly), lambda t: (t.year, t.month))):
    seen = []
    for name in names:
        p = period(when(name))
        if p in seen:
            continue
        if len(seen) == count:
            break
        seen.append(p)
        keep.add(name)
prune = [n for n in names if n not in keep]
open(prune_out, 'w').write(''.join(n + '\n' for n in prune))
size = json.load(open(meta))['size']
json.dump({'time': when(new).strftime('%Y-%m-%dT%H:%M:%SZ'), 'key': key, 'size': size, 'kept': len(keep)}, open(summary_out, 'w'))
print('keeping %d backup(s), pruning %d: %s' % (len(keep), len(prune), ' '.join(prune) or '-'))
`.trim();

/**
 * Restores a backup zip into $PGDATABASE and its filestore, as the instance's
 * own role. "fresh" fills the empty database a new instance starts with;
 * "replace" drops what the database holds, in the same transaction as the
 * restore (see apply-dump.ts: a restore that fails leaves the database as it
 * was). A backup of another Odoo series is refused with the way forward.
 * The filestore is swapped in whole once the database is restored.
 * argv: zip, fresh|replace, the release's series.
 */
export const RESTORE_PY = String.raw`
import json, os, shutil, subprocess, sys, zipfile
${APPLY_DUMP_PY}
REPLACE_PRELUDE = ${JSON.stringify(REPLACE_PRELUDE_SQL)}
archive, mode, series = sys.argv[1:4]
db = os.environ['PGDATABASE']
work = os.path.dirname(archive)
data = os.environ.get('ODOO_DATA_DIR', '/var/lib/odoo')
with zipfile.ZipFile(archive) as z:
    names = set(z.namelist())
    if 'dump.sql' not in names:
        sys.exit('%s is not an Odoo backup: it has no dump.sql' % os.path.basename(archive))
    manifest = json.loads(z.read('manifest.json')) if 'manifest.json' in names else {}
    major = manifest.get('major_version') or str(manifest.get('version', ''))[:4]
    if major and major != series:
        sys.exit('the backup is of Odoo %s and this release runs %s: restore it into an instance of a %s release, then migrate that instance' % (major, series, major))
    z.extract('dump.sql', work)
    staged = os.path.join(data, 'filestore', db + '.restoring')
    shutil.rmtree(staged, ignore_errors=True)
    os.makedirs(staged)
    for name in names:
        if name.startswith('filestore/') and not name.endswith('/'):
            target = os.path.join(staged, name[len('filestore/'):])
            if not os.path.realpath(target).startswith(os.path.realpath(staged) + os.sep):
                sys.exit('refusing %s: it points outside the filestore' % name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(name) as src, open(target, 'wb') as dst:
                shutil.copyfileobj(src, dst)
dump = os.path.join(work, 'dump.sql')
with open(dump, errors='replace') as f:
    creates_public = any(line.startswith('CREATE SCHEMA public;') for line in f)
if mode == 'replace':
    prelude = REPLACE_PRELUDE + ('' if creates_public else ' CREATE SCHEMA IF NOT EXISTS public;')
else:
    prelude = 'DROP SCHEMA IF EXISTS public CASCADE;' if creates_public else ''
apply_dump(dump, prelude)
os.remove(dump)
target = os.path.join(data, 'filestore', db)
if os.path.exists(target):
    os.rename(target, target + '.replaced')
os.rename(staged, target)
shutil.rmtree(target + '.replaced', ignore_errors=True)
print('restored %s (Odoo %s) into %s' % (os.path.basename(archive), manifest.get('version', 'unknown'), db))
`.trim();
