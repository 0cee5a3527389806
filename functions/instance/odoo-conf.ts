// odoo.conf of an instance, as a ConfigMap. It holds no secret: the database
// password reaches Odoo as PGPASSWORD from the role's connection Secret, and
// admin_passwd is hashed into the file by the Pod's configure step.
import type { KubeObject } from '../shared/composition.js';
import { instanceNames } from '../shared/instance-names.js';
import { quantityToBytes } from '../shared/quantity.js';
import type { InstanceContext } from './context.js';
import { instanceLabels } from './labels.js';
import type { MailRoute, OdooConfig } from './settings.js';

export const ODOO_PATHS = {
  dataDir: '/var/lib/odoo',
  template: '/etc/odoo-template',
  runtime: '/run/odoo',
  conf: '/run/odoo/odoo.conf',
} as const;

export const ODOO_PORTS = { http: 8069, websocket: 8072 } as const;

/** odoo.conf keys the mail settings render; config.options cannot set them then (the file would hold a key twice). */
export const MAIL_OPTIONS = ['smtp_server', 'smtp_port', 'smtp_ssl', 'smtp_user', 'email_from', 'from_filter'] as const;

/**
 * Where Odoo sends mail when no ir.mail_server record applies. The password
 * is not here: the Pod's configure step appends smtp_password from the Secret.
 */
export function mailEntries(mail: MailRoute): [string, string][] {
  switch (mail.kind) {
    case 'server': {
      const s = mail.server;
      return [
        ['smtp_server', s.host],
        ['smtp_port', String(s.port)],
        ['smtp_ssl', s.encryption === 'starttls' ? 'True' : 'False'],
        ...(s.user !== undefined ? [['smtp_user', s.user] as [string, string]] : []),
        ...(s.from !== undefined ? [['email_from', s.from] as [string, string]] : []),
        ...(s.fromFilter !== undefined ? [['from_filter', s.fromFilter] as [string, string]] : []),
      ];
    }
    case 'catcher':
      return [
        ['smtp_server', mail.host],
        ['smtp_port', String(mail.port)],
        ['smtp_ssl', 'False'],
      ];
    case 'silent':
    case 'none':
      return [];
  }
}

/** The [options] of odoo.conf, in a fixed order: what the composer owns, then the layered settings, then mail, then free options by key. */
export function odooConfEntries(context: InstanceContext, config: OdooConfig, mail: MailRoute = { kind: 'none' }): [string, string][] {
  const { app, databaseName } = context;
  const owned: [string, string][] = [
    ['addons_path', app.spec.code.addonsPaths.join(',')],
    ['data_dir', ODOO_PATHS.dataDir],
    ['db_host', app.spec.database.host],
    ['db_port', String(app.spec.database.port)],
    ['db_user', databaseName],
    // db_name without dbfilter: Odoo serves that one database and never lists the server's
    // (with a dbfilter it connects to "postgres" and lists them on every request without a session).
    ['db_name', databaseName],
    ['db_sslmode', app.spec.database.sslMode],
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
  const mailed = mailEntries(mail);
  // Typed mail settings replace what the App's options say about mail, and a copy reaches the catcher or nothing.
  // Stryker disable next-line ArrayDeclaration: equivalent; a placeholder key in the empty set could only drop an option of that name, and config.options keys come from the allow-list
  const replaced = new Set<string>(mail.kind === 'none' ? [] : MAIL_OPTIONS);
  const free = Object.keys(config.options)
    .filter((k) => !replaced.has(k))
    .sort()
    .map((k): [string, string] => [k, config.options[k]!]);
  return [...owned, ...layered, ...mailed, ...free];
}

export function odooConf(context: InstanceContext, config: OdooConfig, mail: MailRoute = { kind: 'none' }): string {
  const lines = odooConfEntries(context, config, mail).map(([k, v]) => `${k} = ${v.replace(/\n/g, ' ')}`);
  return `[options]\n${lines.join('\n')}\n`;
}

export function odooConfConfigMap(context: InstanceContext, config: OdooConfig, mail: MailRoute = { kind: 'none' }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: instanceNames(context.name).config,
      namespace: context.namespace,
      labels: instanceLabels(context, 'config'),
    },
    data: { 'odoo.conf': odooConf(context, config, mail) },
  };
}
