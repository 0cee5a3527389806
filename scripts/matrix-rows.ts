// The version matrix (issue 25): rows of Kubernetes, Crossplane core and
// PostgreSQL server versions the e2e scenarios run on, `npm run test:matrix
// [row…]`. Not every cell: each version appears in at least one row. Each
// version is pinned where it is built: tools/kubernetes-<version> (1.34.2:
// tools/kubernetes), tools/crossplane-<version> (v2.2.1: tools/crossplane),
// test/support/postgres-versions.ts (Debian's 15, npm's 13, 14, 16, 17, 18);
// a server newer than the Odoo test images' pg_dump 15 comes with a newer
// client in the images (scripts/odoo-images, E2E_PG_CLIENT).
// Odoo 17.0, 18.0 and 19.0 are in every row that runs the lifecycle.

export interface MatrixRow {
  name: string;
  kubernetes: string;
  crossplane: string;
  postgres: number;
  /**
   * The PostgreSQL client the Odoo images carry (E2E_PG_CLIENT: Debian's 17
   * or 18), when not Debian 12's 15: pg_dump refuses a server newer than
   * itself, and official Odoo images carry the newest client.
   */
  pgClient?: number;
  /** The e2e files the row runs (test/e2e/<name>.e2e.ts). */
  scenarios: string[];
  /** Why this row. */
  why: string;
}

/** The scenarios that fit a row of a few minutes: install, claims (real Odoo, backups, alerts) and the package upgrade. */
const SHORT = ['install', 'claims', 'upgrade'];

export const MATRIX_ROWS: MatrixRow[] = [
  { name: 'default', kubernetes: '1.34.2', crossplane: 'v2.2.1', postgres: 15, scenarios: ['node', 'install', 'claims', 'lifecycle', 'upgrade'], why: 'what CI runs every day' },
  { name: 'newest', kubernetes: '1.35.4', crossplane: 'v2.4.0', postgres: 13, scenarios: SHORT, why: 'the newest Kubernetes and Crossplane served here, the oldest PostgreSQL hosters run' },
  { name: 'crossplane-2.3', kubernetes: '1.34.2', crossplane: 'v2.3.0', postgres: 15, scenarios: SHORT, why: 'Crossplane 2.3, built against the apis pseudo-version its go.mod requires (the apis module\'s v2.3.0 tag is refused here)' },
  { name: 'oldest', kubernetes: '1.33.5', crossplane: 'v2.2.1', postgres: 13, scenarios: SHORT, why: 'the oldest supported Kubernetes (1.33.5: the newest 1.33 whose modules the Go proxy serves whole here)' },
  { name: 'postgres-14', kubernetes: '1.34.2', crossplane: 'v2.2.1', postgres: 14, scenarios: SHORT, why: 'PostgreSQL 14, dumped by the images\' own client (Debian 12\'s 15)' },
  { name: 'postgres-16', kubernetes: '1.34.2', crossplane: 'v2.2.1', postgres: 16, pgClient: 17, scenarios: SHORT, why: 'PostgreSQL 16, dumped by a client of the next major (Debian 13\'s 17)' },
  { name: 'postgres-17', kubernetes: '1.34.2', crossplane: 'v2.2.1', postgres: 17, pgClient: 18, scenarios: SHORT, why: 'PostgreSQL 17, dumped by the newest client (Debian forky\'s 18)' },
  { name: 'postgres-18', kubernetes: '1.34.2', crossplane: 'v2.2.1', postgres: 18, pgClient: 18, scenarios: SHORT, why: 'the newest PostgreSQL, with a client of its own major' },
];

/**
 * The PostgreSQL server CI runs its e2e on, by day of the year: 13, 14 and
 * 15 in turn (npm's 13 and 14, Debian's 15), so more rows run in CI without
 * a second build. Servers above 15 are not in CI's rotation: the Odoo test
 * images carry Debian 12's pg_dump 15, which cannot dump a newer server (the
 * backup Job refuses, naming the client it needs); their rows carry a newer
 * client and run outside CI.
 */
export const CI_POSTGRES_ROTATION = [13, 14, 15] as const;
export function ciPostgres(dayOfYear: number): number {
  return CI_POSTGRES_ROTATION[dayOfYear % CI_POSTGRES_ROTATION.length]!;
}

if (process.argv[1]?.endsWith('matrix-rows.js')) {
  const [command, arg] = process.argv.slice(2);
  if (command === 'ci-postgres') process.stdout.write(`${ciPostgres(Number(arg))}\n`);
  else if (command === 'rows') {
    const wanted = process.argv.slice(3);
    const unknown = wanted.filter((w) => !MATRIX_ROWS.some((r) => r.name === w));
    if (unknown.length > 0) {
      process.stderr.write(`no row named ${unknown.join(', ')}: the rows are ${MATRIX_ROWS.map((r) => r.name).join(', ')} (scripts/matrix-rows.ts)\n`);
      process.exit(2);
    }
    for (const row of MATRIX_ROWS.filter((r) => wanted.length === 0 || wanted.includes(r.name))) {
      process.stdout.write(`${row.name} ${row.kubernetes} ${row.crossplane} ${row.postgres} ${row.pgClient ?? '-'} ${row.scenarios.join(',')}\n`);
    }
  } else {
    process.stderr.write('usage: matrix-rows.js rows [name…] | ci-postgres <day of year>\n');
    process.exit(2);
  }
}
