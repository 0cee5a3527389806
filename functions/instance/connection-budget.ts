// How many PostgreSQL connections an instance's Odoo processes may hold at
// once, against the connection limit of its role. Each Odoo process has a
// pool of its own that grows to db_maxconn (odoo/sql_db.py, 17.0-19.0), and
// a full pool or a role over its limit fails the request that asked: the
// instance must fit when every pool is full, not on an average day.
import type { InstanceContext } from './context.js';
import type { InstanceSettings } from './settings.js';

/**
 * Connections beside the Odoo processes, as this instance's role: a backup's
 * guard (psycopg2, holding its lock on ir_attachment) and its pg_dump, and
 * the pg_dump of another instance's copy of this one.
 */
const CLIENT_CONNECTIONS = 3;

/**
 * The smallest pool each kind of process works with (Odoo raises "The
 * Connection Pool Is Full" rather than wait, 17.0-19.0 sql_db.py). A
 * prefork HTTP worker serves one request: its cursor and the bus's
 * notification cursor. A cron process holds a LISTEN connection for its
 * life, and a job's cron and job cursors and a notification beside it
 * (ir_cron.py, server.py). Threaded Odoo shares one pool between the bus
 * listener, a browser's parallel requests and, in the cron Pod, three per
 * cron thread.
 */
export function smallestPool(settings: InstanceSettings): { pool: number; why: string } {
  const { workers, maxCronThreads } = settings.config;
  if (workers > 0) {
    return maxCronThreads > 0
      ? { pool: 4, why: 'a cron worker holds its LISTEN connection, a job\'s cron and job cursors and a notification at once' }
      : { pool: 2, why: 'an HTTP worker holds its request\'s cursor and a notification at once' };
  }
  const cron = 1 + 3 * maxCronThreads;
  return cron > 8
    ? { pool: cron, why: `threaded Odoo's cron Pod holds a LISTEN connection and 3 per cron thread (${maxCronThreads})` }
    : { pool: 8, why: 'threaded Odoo shares one pool between the bus listener and a browser\'s parallel requests' };
}

export interface ConnectionDemand {
  total: number;
  /** What each part holds, in words with the figures: "web 2 Pods × (2 workers × 4 + websocket 4) = 24". */
  parts: string[];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The web Pods a production instance may run at once: its replicas (or the autoscaler's most) and one more during a rollout (maxSurge 1). */
function webPods(settings: InstanceSettings): { pods: number; why: string } {
  const replicas = settings.autoscaling?.maxReplicas ?? settings.replicas;
  if (replicas === 0) return { pods: 0, why: 'no replicas' };
  const what = settings.autoscaling !== undefined ? `autoscaling up to ${replicas}` : plural(replicas, 'replica');
  return { pods: replicas + 1, why: `${what} + 1 during a rollout` };
}

/** The websocket (gevent) process's own pool, where the App sets db_maxconn_gevent (17.0+); else it is db_maxconn. */
function geventPool(settings: InstanceSettings): number | undefined {
  const set = Number(settings.config.options['db_maxconn_gevent']);
  return Number.isInteger(set) && set > 0 ? set : undefined;
}

/**
 * The most connections the instance's processes may hold, part by part:
 * web Pods (prefork: each HTTP worker and the websocket process; the master
 * empties its pool before it forks; threaded: one process), the cron Pod
 * (one process per cron thread; never two cron Pods: Recreate), and one
 * lifecycle Job (a one-shot Odoo) with the clients beside it.
 */
export function connectionDemand(settings: InstanceSettings, testPools: number, dbMaxconn = settings.config.dbMaxconn): ConnectionDemand {
  const { workers, maxCronThreads } = settings.config;
  const gevent = geventPool(settings) ?? dbMaxconn;
  const parts: string[] = [];
  let total = 0;
  const web = webPods(settings);
  if (web.pods > 0) {
    const perPod = workers > 0 ? workers * dbMaxconn + gevent : dbMaxconn;
    const inPod = workers > 0 ? `${plural(workers, 'worker')} × ${dbMaxconn} + websocket ${gevent}` : `threaded ${dbMaxconn}`;
    total += web.pods * perPod;
    parts.push(`web ${plural(web.pods, 'Pod')} (${web.why}) × (${inPod}) = ${web.pods * perPod}`);
  }
  if (maxCronThreads > 0) {
    const cron = workers > 0 ? maxCronThreads * dbMaxconn : dbMaxconn;
    total += cron;
    parts.push(workers > 0 ? `cron ${plural(maxCronThreads, 'thread')} × ${dbMaxconn} = ${cron}` : `cron threaded ${cron}`);
  }
  const job = testPools * dbMaxconn;
  total += job + CLIENT_CONNECTIONS;
  const inJob = testPools > 1 ? `${testPools} pools × ${dbMaxconn} (tests on 18.0+ add a read-only one)` : String(dbMaxconn);
  parts.push(`a lifecycle Job ${inJob} + ${CLIENT_CONNECTIONS} for a backup's and a copy's clients = ${job + CLIENT_CONNECTIONS}`);
  return { total, parts };
}

/** The largest db_maxconn, no smaller than its processes need, with which the instance fits the limit. */
function fittingPool(settings: InstanceSettings, testPools: number, limit: number): number | undefined {
  for (let pool = settings.config.dbMaxconn - 1; pool >= smallestPool(settings).pool; pool--) {
    if (connectionDemand(settings, testPools, pool).total <= limit) return pool;
  }
  return undefined;
}

/**
 * Why the instance is refused: a pool smaller than its processes need, or
 * processes that may hold more connections than its role may (App
 * spec.database.appCredentials.connectionLimit; -1 is no limit), with the
 * figures and what to change; undefined when it fits.
 */
export function connectionBudgetRefusal(settings: InstanceSettings, context: InstanceContext): string | undefined {
  const smallest = smallestPool(settings);
  if (settings.config.dbMaxconn < smallest.pool) {
    return `config.dbMaxconn: ${settings.config.dbMaxconn} is below the ${smallest.pool} connections ${smallest.why} (Odoo fails the request when its pool is full); set at least ${smallest.pool}`;
  }
  const limit = context.app.spec.database.appCredentials.connectionLimit;
  if (limit < 0) return undefined;
  // The test Job of a testing instance on 18.0+ opens a read-only pool beside its own (registry.py).
  const testPools = context.type === 'testing' && context.release.series !== '16.0' && context.release.series !== '17.0' ? 2 : 1;
  const demand = connectionDemand(settings, testPools);
  if (demand.total <= limit) return undefined;
  const pool = fittingPool(settings, testPools, limit);
  const lower = pool !== undefined ? `set config.dbMaxconn to ${pool}, or lower replicas, workers or maxCronThreads` : 'lower replicas, workers or maxCronThreads';
  return (
    `connections: this instance's Odoo processes may hold ${demand.total} connections to PostgreSQL (${demand.parts.join('; ')}), ` +
    `over the ${limit} its role may hold (App "${context.app.metadata.name}" spec.database.appCredentials.connectionLimit); ` +
    `${lower}, or ask the DevOps team to raise the limit`
  );
}
