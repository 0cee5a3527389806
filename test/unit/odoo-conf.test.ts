// odoo.conf as the instance's ConfigMap: the whole file for the example
// production instance, where mail goes for each route, and which of the
// App's options survive typed mail settings.
import { describe, expect, it } from 'vitest';
import { mailEntries, odooConf, odooConfConfigMap, odooConfEntries } from '../../functions/instance/odoo-conf.js';
import type { MailRoute } from '../../functions/instance/settings.js';
import { instanceFixture } from '../support/instance-input.js';

const OWNED_AND_LAYERED = `[options]
addons_path = /mnt/extra-addons
data_dir = /var/lib/odoo
db_host = postgres.databases.svc.cluster.local
db_port = 5432
db_user = acme_prod
db_name = acme_prod
db_sslmode = require
list_db = False
proxy_mode = True
http_port = 8069
gevent_port = 8072
unaccent = True
workers = 2
max_cron_threads = 1
limit_memory_soft = 2147483648
limit_memory_hard = 2684354560
limit_time_cpu = 600
limit_time_real = 1200
limit_request = 65536
db_maxconn = 8
log_level = info
server_wide_modules = base,web
`;

describe('odoo.conf', () => {
  it('pins Odoo to its one database behind the proxy, on the ports the Service targets, then the layered limits and the mail server, in a fixed order', () => {
    const f = instanceFixture('production');
    expect(odooConf(f.context, f.settings.config, f.settings.mail)).toBe(
      `${OWNED_AND_LAYERED}smtp_server = smtp.acme.example
smtp_port = 587
smtp_ssl = True
smtp_user = odoo@acme.example
email_from = odoo@acme.example
`,
    );
  });

  it('lists every addons path, comma-separated, and every server-wide module', () => {
    const f = instanceFixture('production', {
      required: (objects) => {
        const app = objects.find((o) => o.kind === 'App')!;
        app.spec.code.addonsPaths = ['/mnt/extra-addons', '/mnt/enterprise'];
      },
    });
    const entries = new Map(odooConfEntries(f.context, { ...f.settings.config, serverWideModules: ['base', 'web', 'queue_job'] }));
    expect(entries.get('addons_path')).toBe('/mnt/extra-addons,/mnt/enterprise');
    expect(entries.get('server_wide_modules')).toBe('base,web,queue_job');
  });

  it('writes a value with a line break on one line, so no value can add an option of its own', () => {
    const f = instanceFixture('production');
    const conf = odooConf(f.context, { ...f.settings.config, options: { proxy_access_token: 'abc\nadmin_passwd = x\ny' } }, { kind: 'none' });
    expect(conf.split('\n')).toContain('proxy_access_token = abc admin_passwd = x y');
    expect(conf.split('\n').filter((l) => l.startsWith('admin_passwd'))).toEqual([]);
  });

  it('is the ConfigMap "<instance>-odoo-conf" in the instance’s namespace, labelled as its config, with odoo.conf its only key', () => {
    const f = instanceFixture('production');
    const cm = odooConfConfigMap(f.context, f.settings.config, f.settings.mail);
    expect(cm).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'prod-odoo-conf', namespace: 'acme', labels: expect.objectContaining({ 'app.kubernetes.io/component': 'config', 'odoo.io/instance': 'prod' }) },
      data: { 'odoo.conf': odooConf(f.context, f.settings.config, f.settings.mail) },
    });
  });

  it('without a mail route, is the owned and layered options alone', () => {
    const f = instanceFixture('production');
    expect(odooConf(f.context, f.settings.config)).toBe(OWNED_AND_LAYERED);
    expect(odooConfConfigMap(f.context, f.settings.config).data).toEqual({ 'odoo.conf': OWNED_AND_LAYERED });
  });
});

describe('mail in odoo.conf', () => {
  const server = (extra: Record<string, unknown> = {}): MailRoute => ({
    kind: 'server',
    server: { host: 'smtp.example', port: 25, encryption: 'none', ...extra } as Extract<MailRoute, { kind: 'server' }>['server'],
  });

  it('a server without STARTTLS sets smtp_ssl = False, and leaves out the user, sender and from_filter nobody set', () => {
    expect(mailEntries(server())).toEqual([
      ['smtp_server', 'smtp.example'],
      ['smtp_port', '25'],
      ['smtp_ssl', 'False'],
    ]);
  });

  it('a server with STARTTLS, a user, a sender and a from_filter sets each, in that order', () => {
    expect(mailEntries(server({ encryption: 'starttls', port: 587, user: 'u', from: 'odoo@example.com', fromFilter: 'example.com' }))).toEqual([
      ['smtp_server', 'smtp.example'],
      ['smtp_port', '587'],
      ['smtp_ssl', 'True'],
      ['smtp_user', 'u'],
      ['email_from', 'odoo@example.com'],
      ['from_filter', 'example.com'],
    ]);
  });

  it('a copy sends to the tenant’s mail catcher in plain SMTP', () => {
    expect(mailEntries({ kind: 'catcher', host: 'acme-mailpit', port: 1025 })).toEqual([
      ['smtp_server', 'acme-mailpit'],
      ['smtp_port', '1025'],
      ['smtp_ssl', 'False'],
    ]);
  });

  it('a silent copy and an instance without a typed server get no mail settings of their own', () => {
    expect(mailEntries({ kind: 'silent' })).toEqual([]);
    expect(mailEntries({ kind: 'none' })).toEqual([]);
  });

  const options = { smtp_server: 'app-smtp', smtp_port: '2525', smtp_ssl: 'True', smtp_user: 'app', email_from: 'app@x', from_filter: 'x', log_handler: ':INFO' };

  it('typed mail settings replace every mail option of the App’s config.options; other options stay, sorted by key', () => {
    const f = instanceFixture('production');
    const entries = odooConfEntries(f.context, { ...f.settings.config, options }, { kind: 'catcher', host: 'acme-mailpit', port: 1025 });
    expect(entries.slice(-4)).toEqual([
      ['smtp_server', 'acme-mailpit'],
      ['smtp_port', '1025'],
      ['smtp_ssl', 'False'],
      ['log_handler', ':INFO'],
    ]);
  });

  it('a silent copy keeps none of the App’s mail options either: a copy must not mail customers', () => {
    const f = instanceFixture('production');
    const keys = odooConfEntries(f.context, { ...f.settings.config, options }, { kind: 'silent' }).map(([k]) => k);
    expect(keys.filter((k) => k.startsWith('smtp_') || k === 'email_from' || k === 'from_filter')).toEqual([]);
    expect(keys.at(-1)).toBe('log_handler');
  });

  it('without typed mail settings, the App’s mail options are what odoo.conf says, sorted by key after the owned ones', () => {
    const f = instanceFixture('production');
    const entries = odooConfEntries(f.context, { ...f.settings.config, options }, { kind: 'none' });
    expect(entries.slice(-7)).toEqual([
      ['email_from', 'app@x'],
      ['from_filter', 'x'],
      ['log_handler', ':INFO'],
      ['smtp_port', '2525'],
      ['smtp_server', 'app-smtp'],
      ['smtp_ssl', 'True'],
      ['smtp_user', 'app'],
    ]);
  });
});
