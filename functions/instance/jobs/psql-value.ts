// How a Job's script reads one value from its database: psql with libpq's
// environment (the Job's role), no psqlrc, unaligned, stopping at the first
// error. The scripts run with `set -e`, so a psql that fails fails the Job:
// a guard built on a value never passes because the value could not be read.
import { shellSingleQuoted } from '../database.js';

/** Bash line: sets the shell variable `variable` to what `sql` returns. */
export function psqlValue(variable: string, sql: string): string {
  return `${variable}="$(psql --no-psqlrc -At -v ON_ERROR_STOP=1 --command=${shellSingleQuoted(sql)})"`;
}
