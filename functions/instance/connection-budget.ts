// How many PostgreSQL connections an instance's Odoo processes may hold at
// once, against the connection limit of its role. Each Odoo process has a
// pool of its own that grows to db_maxconn (odoo/sql_db.py, 17.0-19.0), and
// a full pool or a role over its limit fails the request that asked: the
// instance must fit when every pool is full, not on an average day.
import type { InstanceContext } from './context.js';
import type { InstanceSettings } from './settings.js';

/** Connections of the psql and pg_dump a Job runs beside its Odoo process, or a scheduled backup's pg_dump beside a Job. */
const CLIENT_CONNECTIONS = 2;

/** The fewest connections an HTTP worker works with: its request's cursor and the bus's notification cursor (bus.py). */
const SMALLEST_POOL = 2;

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
export function connectionDemand(settings: InstanceSettings, dbMaxconn = settings.config.dbMaxconn): ConnectionDemand {
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
  total += dbMaxconn + CLIENT_CONNECTIONS;
  parts.push(`a lifecycle Job ${dbMaxconn} + ${CLIENT_CONNECTIONS} for psql and pg_dump = ${dbMaxconn + CLIENT_CONNECTIONS}`);
  return { total, parts };
}

/** The largest db_maxconn with which the instance fits the limit, if one of at least SMALLEST_POOL does. */
function fittingPool(settings: InstanceSettings, limit: number): number | undefined {
  for (let pool = settings.config.dbMaxconn - 1; pool >= SMALLEST_POOL; pool--) {
    if (connectionDemand(settings, pool).total <= limit) return pool;
  }
  return undefined;
}

/**
 * Why the instance is refused when its processes may hold more connections
 * than its role may (App spec.database.appCredentials.connectionLimit; -1 is
 * no limit), with the figures and what to lower; undefined when it fits.
 */
export function connectionBudgetRefusal(settings: InstanceSettings, context: InstanceContext): string | undefined {
  const limit = context.app.spec.database.appCredentials.connectionLimit;
  if (limit < 0) return undefined;
  const demand = connectionDemand(settings);
  if (demand.total <= limit) return undefined;
  const pool = fittingPool(settings, limit);
  const lower = pool !== undefined ? `set config.dbMaxconn to ${pool} or less, or lower replicas, workers or maxCronThreads` : 'lower replicas, workers or maxCronThreads';
  return (
    `connections: this instance's Odoo processes may hold ${demand.total} connections to PostgreSQL (${demand.parts.join('; ')}), ` +
    `over the ${limit} its role may hold (App "${context.app.metadata.name}" spec.database.appCredentials.connectionLimit); ` +
    `${lower}, or ask the DevOps team to raise the limit`
  );
}
