// The odoo command line every lifecycle Job runs: the Pod's odoo.conf, one
// process (Odoo wants --workers 0 for tests, and a one-shot run needs no
// prefork server), no cron thread competing with the step, and exit when done.
// Without limit_memory_hard: the threaded server applies it to itself as
// RLIMIT_AS (address space, well above what it uses), so a large -u all,
// migration or test run died of MemoryError at the web workers' limit
// whatever the Job's container allowed; the container's limit
// (resources.jobs) is what bounds a Job.
import { ODOO_PATHS } from '../odoo-conf.js';

export const ONE_SHOT_FLAGS = ['--stop-after-init', '--workers=0', '--max-cron-threads=0', '--limit-memory-hard=0'] as const;

/** `odoo --config <conf> <args> --stop-after-init --workers=0 --max-cron-threads=0`, without HTTP unless `http`. */
export function odooOneShot(args: readonly string[], options: { http?: boolean } = {}): string[] {
  return ['odoo', '--config', ODOO_PATHS.conf, ...args, ...ONE_SHOT_FLAGS, ...(options.http ? [] : ['--no-http'])];
}

/** The same command as one shell line, for Job scripts (arguments are quoted for bash). */
export function odooOneShotLine(args: readonly string[], options: { http?: boolean } = {}): string {
  return odooOneShot(args, options).map(shellQuote).join(' ');
}

function shellQuote(word: string): string {
  return /^[-A-Za-z0-9_=/.,:+@%]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
