// The odoo.conf settings a person may set, at every layer: App, code,
// release, tenant type spec and instance. Keys are camelCase in the API and
// rendered to Odoo's snake_case names by odoo-conf.ts.
import { z } from 'zod';
import { quantity } from './schema-kit.js';
import { allowedKeys, optionRefusal, type OptionAudience } from './odoo-options.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'critical'] as const;

/**
 * odoo.conf options by allow-list (odoo-options.ts): keys the audience may
 * set, values of one line without control characters. The map is bounded
 * so the API server can afford the CEL rule that checks every key.
 */
function odooOptions(audience: OptionAudience) {
  const keys = allowedKeys(audience);
  return z
    .record(
      z.string().max(64).regex(/^[a-z][a-z0-9_]*$/, { error: 'must be an odoo.conf key in snake_case' }),
      z.string().max(1024).regex(/^[^\x00-\x1F\x7F]*$/, { error: 'must be one line without control characters' }),
    )
    .superRefine((options, ctx) => {
      if (Object.keys(options).length > 32) ctx.addIssue({ code: 'custom', message: 'may hold at most 32 options' });
      for (const key of Object.keys(options)) {
        const refusal = optionRefusal(key, audience);
        if (refusal !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: refusal });
      }
    })
    .meta({
      'x-kubernetes-validations': [
        {
          rule: `self.all(k, k in [${keys.map((k) => `'${k}'`).join(', ')}])`,
          message: `options may only set ${keys.join(', ')}${audience === 'everyone' ? ' (the App may set more)' : ''}`,
        },
      ],
      maxProperties: 32,
    })
    .describe(
      audience === 'devops'
        ? 'Other odoo.conf options, from an allow-list of Odoo options that are safe to set: e.g. {"smtp_server": "mail.example.com", "email_from": "odoo@example.com"}. Keys the function renders, secrets, and options that name files, binaries or other database servers are refused.'
        : 'Other odoo.conf options a tenant may set, such as {"limit_time_real_cron": "600"}; the App may set more.',
    );
}

const fieldsOf = (audience: OptionAudience) => ({
  workers: z.number().int().min(0).max(64).describe('HTTP worker processes (odoo.conf workers). 0 runs Odoo threaded, for development only.'),
  maxCronThreads: z.number().int().min(0).max(16).describe('Cron worker processes (max_cron_threads), run by the separate cron Deployment.'),
  limitMemorySoft: quantity.describe('Memory after which a worker is recycled (limit_memory_soft), e.g. 2Gi.'),
  limitMemoryHard: quantity.describe('Memory at which a worker is killed (limit_memory_hard), e.g. 2560Mi.'),
  limitTimeCpu: z.number().int().min(1).describe('CPU seconds a request may use (limit_time_cpu).'),
  limitTimeReal: z.number().int().min(1).describe('Wall-clock seconds a request may take (limit_time_real).'),
  limitRequest: z.number().int().min(1).describe('Requests a worker serves before it is recycled (limit_request).'),
  dbMaxconn: z.number().int().min(1).max(1024).describe('Connections each Odoo process may open to PostgreSQL (db_maxconn). Every process of an instance together, with a full pool each, must fit its role\'s connectionLimit (the App\'s spec.database.appCredentials), or the instance is refused with the figures.'),
  logLevel: z.enum(LOG_LEVELS).describe('Odoo log level (log_level).'),
  serverWideModules: z.array(z.string().regex(/^[a-z0-9_]+$/)).describe('Modules loaded by every process (server_wide_modules).'),
  options: odooOptions(audience),
});

function configLayer(audience: OptionAudience) {
  const fields = fieldsOf(audience);
  return z
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
}

const fields = fieldsOf('devops');

/** A layer of odoo.conf settings the DevOps team sets (code, release): every field optional. */
export const odooConfigLayer = configLayer('devops');

/** A layer a KAM (Tenant type) or an end user (Instance) sets: the same fields, fewer options. */
export const tenantConfigLayer = configLayer('everyone');

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
  // Each process's pool (Odoo's own default is 64): enough for a cron worker and threaded Odoo
  // (connection-budget.ts), and every process of 3 replicas fits the role's default 128.
  dbMaxconn: 8,
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
