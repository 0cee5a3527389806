// Which odoo.conf options may be set through config.options, by whom, and
// for which Odoo series: an allow-list built from Odoo's own option list
// (odoo/tools/config.py of 17.0, 18.0 and 19.0, plus the keys Odoo reads
// from the file only). Everything the function renders is never allowed
// (the file would hold the key twice, and Python's config parser refuses
// that: Odoo would not start); so is whatever names files, binaries,
// other database servers or code to run, or holds a secret.

/** The odoo.conf keys function-odoo writes itself, from typed fields or from what it knows. */
export const RENDERED_OPTIONS = [
  'addons_path',
  'admin_passwd',
  'data_dir',
  'db_host',
  'db_maxconn',
  'db_name',
  'db_password',
  'db_port',
  'db_sslmode',
  'db_user',
  'dbfilter',
  'gevent_port',
  'http_port',
  'limit_memory_hard',
  'limit_memory_soft',
  'limit_request',
  'limit_time_cpu',
  'limit_time_real',
  'list_db',
  'log_level',
  'longpolling_port',
  'max_cron_threads',
  'proxy_mode',
  'server_wide_modules',
  'unaccent',
  'workers',
] as const;

/** Who may set an option: the DevOps team (App, code, release) or also the KAM and end user (Tenant, Instance). */
export type OptionAudience = 'devops' | 'everyone';

interface OptionRule {
  audience: OptionAudience;
  /** First series that has the option. */
  since: '16.0' | '17.0' | '18.0' | '19.0';
  what: string;
}

export const ALLOWED_OPTIONS: Readonly<Record<string, OptionRule>> = {
  email_from: { audience: 'devops', since: '16.0', what: 'default sender address of outgoing mail' },
  from_filter: { audience: 'devops', since: '16.0', what: 'which senders the outgoing mail server may send for' },
  smtp_server: { audience: 'devops', since: '16.0', what: 'outgoing mail server' },
  smtp_port: { audience: 'devops', since: '16.0', what: 'outgoing mail server port' },
  smtp_ssl: { audience: 'devops', since: '16.0', what: 'STARTTLS for outgoing mail' },
  smtp_user: { audience: 'devops', since: '16.0', what: 'outgoing mail server user (its password comes from a Secret, never from here)' },
  db_maxconn_gevent: { audience: 'devops', since: '17.0', what: 'connections of the websocket (gevent) process' },
  limit_memory_soft_gevent: { audience: 'devops', since: '18.0', what: 'memory after which the gevent process is recycled' },
  limit_memory_hard_gevent: { audience: 'devops', since: '18.0', what: 'memory at which the gevent process is killed' },
  limit_time_worker_cron: { audience: 'devops', since: '18.0', what: 'seconds before a cron worker is recycled' },
  proxy_access_token: { audience: 'devops', since: '17.0', what: 'hashed token of a trusted proxy (odoo genproxytoken)' },
  publisher_warranty_url: { audience: 'devops', since: '16.0', what: 'where Odoo reports usage (empty to turn it off)' },
  log_handler: { audience: 'devops', since: '16.0', what: 'log level per logger, such as odoo.addons.sale:DEBUG' },
  limit_time_real_cron: { audience: 'everyone', since: '16.0', what: 'wall-clock seconds a cron job may take' },
  transient_age_limit: { audience: 'everyone', since: '16.0', what: 'hours wizard records are kept' },
  osv_memory_count_limit: { audience: 'everyone', since: '16.0', what: 'wizard records kept per model' },
  csv_internal_sep: { audience: 'everyone', since: '16.0', what: 'separator of CSV exports' },
  reportgz: { audience: 'everyone', since: '16.0', what: 'compress generated reports' },
  websocket_keep_alive_timeout: { audience: 'everyone', since: '16.0', what: 'seconds a websocket stays open without traffic' },
  websocket_rate_limit_burst: { audience: 'everyone', since: '16.0', what: 'websocket messages allowed in a burst' },
  websocket_rate_limit_delay: { audience: 'everyone', since: '16.0', what: 'seconds between websocket messages past the burst' },
  import_file_maxbytes: { audience: 'everyone', since: '19.0', what: 'largest file an import reads' },
  import_file_timeout: { audience: 'everyone', since: '19.0', what: 'seconds an import may take to fetch a file' },
  default_productivity_apps: { audience: 'everyone', since: '19.0', what: 'install the productivity apps by default' },
};

const SERIES_ORDER = ['16.0', '17.0', '18.0', '19.0'];

/** Why an option may not be set here, or undefined when it may. */
export function optionRefusal(key: string, audience: OptionAudience): string | undefined {
  if ((RENDERED_OPTIONS as readonly string[]).includes(key)) return 'is rendered by function-odoo: use the typed field (workers, limitTimeReal, …) or leave it to the function';
  if (key === 'smtp_password') return 'is a secret and would sit in a ConfigMap: give the outgoing mail server’s password through a Secret instead';
  const rule = ALLOWED_OPTIONS[key];
  if (rule === undefined) return `is not an option that may be set through config.options; allowed: ${Object.keys(ALLOWED_OPTIONS).filter((k) => audience === 'devops' || ALLOWED_OPTIONS[k]!.audience === 'everyone').join(', ')}`;
  if (rule.audience === 'devops' && audience !== 'devops') return 'may only be set by the DevOps team, in the App (config, code.config or a release’s config)';
  return undefined;
}

/** Whether an allowed option exists in the Odoo series a release runs. */
export function optionInSeries(key: string, series: string): boolean {
  const rule = ALLOWED_OPTIONS[key];
  return rule !== undefined && SERIES_ORDER.indexOf(series) >= SERIES_ORDER.indexOf(rule.since);
}

/** Keys an audience may set, for the XRD's CEL rule. */
export function allowedKeys(audience: OptionAudience): string[] {
  return Object.keys(ALLOWED_OPTIONS)
    .filter((k) => audience === 'devops' || ALLOWED_OPTIONS[k]!.audience === 'everyone')
    .sort();
}
