// How a restore and a copy write a plain SQL dump into the instance's
// database: all of it or nothing. One transaction holds what the caller
// drops first (a rollback's old schema) and the whole dump; it commits only
// once the dump has arrived to its last line, so a pg_dump, download or Pod
// that dies half-way leaves the database as it was.
//
// Version skew: the official Odoo images install the newest pg_dump, and a
// newer pg_dump's header sets parameters an older server does not know
// (pg_dump 17 writes `SET transaction_timeout = 0`, which PostgreSQL 16 and
// older reject). Such a SET in the dump's header is left out, and said so,
// as Odoo's own restore (psql without ON_ERROR_STOP) lets it fail; a SET the
// server knows, and anything past the header, is run as written.
//
// Large objects (a customer's module may keep files in them): a plain dump
// writes each one's data between a BEGIN; and a COMMIT; of its own, which
// would commit the restore half-way. Those two lines, in the dump's large
// object data only, are left out.

import { UNACCENT_SCHEMA } from '../database.js';

/**
 * What a restore over a database drops first, as the instance's role. From
 * PostgreSQL 15 the schema public belongs to the database's owner, which the
 * role is: it drops the schema, and the large objects the role owns (they
 * belong to no schema, and the dump creates them again under the same
 * numbers), and the schema of its unaccent extension (database.ts). Up to
 * 14 public belongs to the server's bootstrap superuser: the role drops
 * what it owns (Odoo's tables, the extensions it created, its
 * large objects) and leaves the schema. The dollar quote is tagged
 * (Kubernetes turns "$$" in a container's args into "$").
 */
export const REPLACE_PRELUDE_SQL = `DO $replace$ BEGIN
PERFORM pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE lomowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user);
IF pg_has_role(current_user, (SELECT nspowner FROM pg_namespace WHERE nspname = 'public'), 'USAGE') THEN
  DROP SCHEMA public CASCADE;
  IF pg_has_role(current_user, (SELECT nspowner FROM pg_namespace WHERE nspname = '${UNACCENT_SCHEMA}'), 'USAGE') THEN
    DROP SCHEMA ${UNACCENT_SCHEMA} CASCADE;
  END IF;
ELSE
  DROP OWNED BY CURRENT_USER CASCADE;
END IF;
END $replace$;`;

/**
 * Python defining `apply_dump(path, prelude)`: streams the plain SQL dump at
 * `path` (a file, or a pipe such as /dev/fd/3) into $PGDATABASE through psql,
 * in one transaction that begins with `prelude`. Exits with the reason when
 * the dump is cut short or PostgreSQL refuses a statement; either way
 * nothing of it is applied.
 */
export const APPLY_DUMP_PY = String.raw`
import re, subprocess, sys
def apply_dump(path, prelude):
    db_psql = ['psql', '--no-psqlrc', '--quiet', '-v', 'ON_ERROR_STOP=1']
    known = set(subprocess.run(db_psql + ['-At', '-c', 'SELECT name FROM pg_settings'], check=True, capture_output=True, text=True).stdout.split())
    server = subprocess.run(db_psql + ['-At', '-c', 'SHOW server_version_num'], check=True, capture_output=True, text=True).stdout.strip()
    header_line = re.compile(rb'^(--.*|\s*|\\(un)?restrict\s.*|SET\s.*|SELECT pg_catalog\.set_config\(.*)$')
    setting = re.compile(rb'^SET\s+([A-Za-z_][A-Za-z0-9_]*)\s*(=|TO\s)', re.IGNORECASE)
    copy_start = re.compile(rb'^COPY\s.*\sFROM stdin;$')
    entry = re.compile(rb'^-- (Data for )?Name: ')
    large_object_data = re.compile(rb'^-- Data for Name: .*; Type: BLOBS;')
    trailer = b'-- PostgreSQL database dump complete'
    # What the dump's SELECTs print (setval, lo_open) is no news: errors go to stderr.
    psql = subprocess.Popen(db_psql, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    in_header, in_copy, in_blobs, complete, read_all, skipped = True, False, False, False, False, []
    try:
        psql.stdin.write(b'BEGIN;\n' + prelude.encode() + b'\n')
        with open(path, 'rb') as dump:
            for line in dump:
                if in_copy:
                    in_copy = line.rstrip(b'\r\n') != b'\\.'
                    psql.stdin.write(line)
                    continue
                if in_header and not header_line.match(line.rstrip(b'\r\n')):
                    in_header = False
                if in_header:
                    name = setting.match(line)
                    if name and name.group(1).decode().lower() not in known:
                        skipped.append(name.group(1).decode())
                        continue
                text = line.rstrip(b'\r\n')
                if entry.match(text):
                    in_blobs = bool(large_object_data.match(text))
                if in_blobs and text in (b'BEGIN;', b'COMMIT;'):
                    continue
                if copy_start.match(text):
                    in_copy = True
                if text == trailer:
                    complete = True
                psql.stdin.write(line)
        read_all = True
        psql.stdin.write(b'COMMIT;\n' if complete and not in_copy else b'ROLLBACK;\n')
        psql.stdin.close()
    except BrokenPipeError:
        pass
    code = psql.wait()
    for name in skipped:
        print('left out SET %s: PostgreSQL %d does not know it (the dump was written by a newer pg_dump)' % (name, int(server) // 10000))
    # A dump cut inside a table's data makes psql fail too: the cut is the cause to tell.
    if read_all and not complete:
        sys.exit('the dump ended before its last line (pg_dump or the transfer failed, see above): nothing of it was applied, the database is as it was')
    if code != 0:
        sys.exit('PostgreSQL refused the dump (psql exited %d, its error is above): nothing of it was applied, the database is as it was' % code)
    if not complete:
        sys.exit('psql stopped reading the dump before its last line: nothing of it was applied, the database is as it was')
`.trim();
