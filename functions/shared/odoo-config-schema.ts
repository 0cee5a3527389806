// The odoo.conf settings a person may set, at every layer: App, code,
// release, tenant type spec and instance. Keys are camelCase in the API and
// rendered to Odoo's snake_case names by odoo-conf.ts.
import { z } from 'zod';
import { quantity } from './schema-kit.js';

/** odoo.conf keys that the composers own; setting them by hand would break isolation or leak secrets. */
export const OWNED_ODOO_OPTIONS = [
  'addons_path',
  'admin_passwd',
  'data_dir',
  'db_host',
  'db_name',
  'db_password',
  'db_port',
  'db_sslmode',
  'db_user',
  'dbfilter',
  'gevent_port',
  'http_port',
  'list_db',
  'longpolling_port',
  'proxy_mode',
] as const;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'critical'] as const;

// A lookup per owned key, not a scan of every option: the API server bounds
// the estimated cost of a rule, and a scan of an unbounded map exceeds it.
const ownedOptionsRule = {
  rule: `[${OWNED_ODOO_OPTIONS.map((k) => `'${k}'`).join(', ')}].all(k, !(k in self))`,
  message: `options may not set ${OWNED_ODOO_OPTIONS.join(', ')}: function-odoo renders them`,
};

/** Free-form odoo.conf options, minus the keys we own. */
export const odooOptions = z
  .record(
    z.string().max(64).regex(/^[a-z][a-z0-9_]*$/, { error: 'must be an odoo.conf key in snake_case' }),
    z.string().max(4096),
  )
  .superRefine((options, ctx) => {
    if (Object.keys(options).length > 128) ctx.addIssue({ code: 'custom', message: 'may hold at most 128 options' });
    for (const key of Object.keys(options)) {
      if ((OWNED_ODOO_OPTIONS as readonly string[]).includes(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `is rendered by function-odoo and cannot be set here; remove it (use the typed field or the Instance's spec instead)`,
        });
      }
    }
  })
  .meta({ 'x-kubernetes-validations': [ownedOptionsRule], maxProperties: 128 })
  .describe('Any other odoo.conf option, by its odoo.conf name, e.g. {"smtp_server": "mail.example.com"}.');

const fields = {
  workers: z.number().int().min(0).max(64).describe('HTTP worker processes (odoo.conf workers). 0 runs Odoo threaded, for development only.'),
  maxCronThreads: z.number().int().min(0).max(16).describe('Cron worker processes (max_cron_threads), run by the separate cron Deployment.'),
  limitMemorySoft: quantity.describe('Memory after which a worker is recycled (limit_memory_soft), e.g. 2Gi.'),
  limitMemoryHard: quantity.describe('Memory at which a worker is killed (limit_memory_hard), e.g. 2560Mi.'),
  limitTimeCpu: z.number().int().min(1).describe('CPU seconds a request may use (limit_time_cpu).'),
  limitTimeReal: z.number().int().min(1).describe('Wall-clock seconds a request may take (limit_time_real).'),
  limitRequest: z.number().int().min(1).describe('Requests a worker serves before it is recycled (limit_request).'),
  dbMaxconn: z.number().int().min(1).max(1024).describe('Connections each Odoo process may open to PostgreSQL (db_maxconn).'),
  logLevel: z.enum(LOG_LEVELS).describe('Odoo log level (log_level).'),
  serverWideModules: z.array(z.string().regex(/^[a-z0-9_]+$/)).describe('Modules loaded by every process (server_wide_modules).'),
  options: odooOptions,
};

/** A layer of odoo.conf settings: every field optional, layered App → code → release → tenant → instance. */
export const odooConfigLayer = z
  .object({
    workers: fields.workers.optional(),
    maxCronThreads: fields.maxCronThreads.optional(),
    limitMemorySoft: fields.limitMemorySoft.optional(),
    limitMemoryHard: fields.limitMemoryHard.optional(),
    limitTimeCpu: fields.limitTimeCpu.optional(),
    limitTimeReal: fields.limitTimeReal.optional(),
    limitRequest: fields.limitRequest.optional(),
    dbMaxconn: fields.dbMaxconn.optional(),
    logLevel: fields.logLevel.optional(),
    serverWideModules: fields.serverWideModules.optional(),
    options: fields.options.optional(),
  })
  .describe('odoo.conf settings; unset fields come from the layer below.');

export type OdooConfigLayer = z.infer<typeof odooConfigLayer>;

/** Sane production defaults: the bottom layer every instance starts from. */
export const ODOO_CONFIG_DEFAULTS = {
  workers: 2,
  maxCronThreads: 1,
  limitMemorySoft: '2Gi',
  limitMemoryHard: '2560Mi',
  limitTimeCpu: 600,
  limitTimeReal: 1200,
  limitRequest: 65536,
  dbMaxconn: 32,
  logLevel: 'info',
  serverWideModules: ['base', 'web'],
  options: {},
} as const satisfies Required<OdooConfigLayer>;

/** The App's base layer: the same fields, with the defaults shown in the XRD. */
export const odooBaseConfig = z
  .object({
    workers: fields.workers.default(ODOO_CONFIG_DEFAULTS.workers),
    maxCronThreads: fields.maxCronThreads.default(ODOO_CONFIG_DEFAULTS.maxCronThreads),
    limitMemorySoft: fields.limitMemorySoft.default(ODOO_CONFIG_DEFAULTS.limitMemorySoft),
    limitMemoryHard: fields.limitMemoryHard.default(ODOO_CONFIG_DEFAULTS.limitMemoryHard),
    limitTimeCpu: fields.limitTimeCpu.default(ODOO_CONFIG_DEFAULTS.limitTimeCpu),
    limitTimeReal: fields.limitTimeReal.default(ODOO_CONFIG_DEFAULTS.limitTimeReal),
    limitRequest: fields.limitRequest.default(ODOO_CONFIG_DEFAULTS.limitRequest),
    dbMaxconn: fields.dbMaxconn.default(ODOO_CONFIG_DEFAULTS.dbMaxconn),
    logLevel: fields.logLevel.default(ODOO_CONFIG_DEFAULTS.logLevel),
    serverWideModules: fields.serverWideModules.default([...ODOO_CONFIG_DEFAULTS.serverWideModules]),
    options: fields.options.default({}),
  })
  .describe('Base odoo.conf settings for every instance of this App.');
