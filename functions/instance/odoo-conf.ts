// odoo.conf of an instance, as a ConfigMap. It holds no secret: the database
// password reaches Odoo as PGPASSWORD from the role's connection Secret, and
// admin_passwd is hashed into the file by the Pod's configure step.
import type { KubeObject } from '../shared/composition.js';
import { instanceNames } from '../shared/instance-names.js';
import { quantityToBytes } from '../shared/quantity.js';
import type { InstanceContext } from './context.js';
import { instanceLabels } from './labels.js';
import type { OdooConfig } from './settings.js';

export const ODOO_PATHS = {
  dataDir: '/var/lib/odoo',
  template: '/etc/odoo-template',
  runtime: '/run/odoo',
  conf: '/run/odoo/odoo.conf',
} as const;

export const ODOO_PORTS = { http: 8069, websocket: 8072 } as const;

/** The [options] of odoo.conf, in a fixed order: what the composer owns, then the layered settings, then free options by key. */
export function odooConfEntries(context: InstanceContext, config: OdooConfig): [string, string][] {
  const { app, databaseName } = context;
  const owned: [string, string][] = [
    ['addons_path', app.spec.code.addonsPaths.join(',')],
    ['data_dir', ODOO_PATHS.dataDir],
    ['db_host', app.spec.database.host],
    ['db_port', String(app.spec.database.port)],
    ['db_user', databaseName],
    ['db_name', databaseName],
    ['db_sslmode', app.spec.database.sslMode],
    ['dbfilter', `^${databaseName}$`],
    ['list_db', 'False'],
    ['proxy_mode', 'True'],
    ['http_port', String(ODOO_PORTS.http)],
    ['gevent_port', String(ODOO_PORTS.websocket)],
    ['unaccent', 'True'],
  ];
  const layered: [string, string][] = [
    ['workers', String(config.workers)],
    ['max_cron_threads', String(config.maxCronThreads)],
    ['limit_memory_soft', String(quantityToBytes(config.limitMemorySoft))],
    ['limit_memory_hard', String(quantityToBytes(config.limitMemoryHard))],
    ['limit_time_cpu', String(config.limitTimeCpu)],
    ['limit_time_real', String(config.limitTimeReal)],
    ['limit_request', String(config.limitRequest)],
    ['db_maxconn', String(config.dbMaxconn)],
    ['log_level', config.logLevel],
    ['server_wide_modules', config.serverWideModules.join(',')],
  ];
  const free = Object.keys(config.options)
    .sort()
    .map((k): [string, string] => [k, config.options[k]!]);
  return [...owned, ...layered, ...free];
}

export function odooConf(context: InstanceContext, config: OdooConfig): string {
  const lines = odooConfEntries(context, config).map(([k, v]) => `${k} = ${v.replace(/\n/g, ' ')}`);
  return `[options]\n${lines.join('\n')}\n`;
}

export function odooConfConfigMap(context: InstanceContext, config: OdooConfig): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: instanceNames(context.name).config,
      namespace: context.namespace,
      labels: instanceLabels(context, 'config'),
    },
    data: { 'odoo.conf': odooConf(context, config) },
  };
}
