// A real PostgreSQL server (Debian's package) on a loopback port, in a
// directory of the test's, with password authentication over TCP, TLS
// offered (a self-signed certificate, as Debian's package sets up: the
// example App asks for sslMode require), and psql to look at what
// provider-sql did to it.
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, mkdirSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../scripts/function-process.js';
import { eventually, type Managed, type Processes } from './processes.js';

// provider-sql opens a connection per reconcile of each Role, Database and
// Extension: a SaaS-shaped load (scenario 6) needs more than the default 100.
const MAX_CONNECTIONS = 500;

export interface Postgres {
  port: number;
  password: string;
  managed: Managed;
  /** Runs SQL as the superuser and returns the rows, tab separated. */
  query: (sql: string, database?: string) => string[];
  restart: () => Promise<void>;
  stop: () => void;
}

function pgBin(): string {
  const base = '/usr/lib/postgresql';
  const version = existsSync(base) ? readdirSync(base).sort().pop() : undefined;
  if (!version) throw new Error('PostgreSQL is not installed: scripts/test-e2e installs Debian\'s postgresql');
  return join(base, version, 'bin');
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}

export interface PostgresNetwork {
  /** Addresses besides 127.0.0.1 to listen on (the Pods' bridge). */
  listen: string[];
  /** Client networks allowed with password authentication, as pg_hba.conf host lines. */
  clients: string[];
}

/** Starts a server from `bin` (a directory of postgres, initdb and pg_ctl): Debian's newest installed by default. */
export async function startPostgres(dir: string, processes: Processes, network: PostgresNetwork = { listen: [], clients: [] }, bin = pgBin()): Promise<Postgres> {
  const data = join(dir, 'postgres');
  mkdirSync(data, { recursive: true });
  const pg = uid('postgres');
  chownSync(dir, pg, pg);
  chownSync(data, pg, pg);
  const password = 'e2e-admin-password';
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, password);
  chownSync(pwfile, pg, pg);
  execFileSync('runuser', ['-u', 'postgres', '--', join(bin, 'initdb'), '-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '--encoding=UTF8'], { stdio: 'pipe' });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(data, 'server.key'), '-subj', '/CN=postgres.e2e.test', '-days', '2', '-out', join(data, 'server.crt')], { stdio: 'pipe' });
  for (const file of ['server.key', 'server.crt']) chownSync(join(data, file), pg, pg);
  chmodSync(join(data, 'server.key'), 0o600);
  if (network.clients.length > 0) appendFileSync(join(data, 'pg_hba.conf'), network.clients.map((cidr) => `host all all ${cidr} scram-sha-256\n`).join(''));
  const port = await freePort();
  const run = () =>
    processes.start('postgres', 'runuser', ['-u', 'postgres', '--', join(bin, 'postgres'), '-D', data, '-p', String(port), '-k', data, '-c', `listen_addresses=${['127.0.0.1', ...network.listen].join(',')}`, '-c', `max_connections=${MAX_CONNECTIONS}`, '-c', 'ssl=on']);
  let managed = run();
  const query = (sql: string, database = 'postgres') =>
    execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PGPASSWORD: password },
    })
      .split('\n')
      .filter((l) => l !== '');
  await eventually('PostgreSQL to accept connections', async () => (query('select 1')[0] === '1' ? true : undefined), 60_000);
  // runuser does not pass signals on to the server: stop it the way its own tools do.
  const stop = () => {
    managed.expectExit();
    try {
      execFileSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', 'stop'], { stdio: 'pipe' });
    } catch {
      // already stopped
    }
  };
  const pgResult: Postgres = {
    port,
    password,
    get managed() {
      return managed;
    },
    query,
    stop,
    restart: async () => {
      stop();
      await managed.stop();
      managed = run();
      await eventually('PostgreSQL to accept connections again', async () => (query('select 1')[0] === '1' ? true : undefined), 60_000);
    },
  };
  return pgResult;
}
