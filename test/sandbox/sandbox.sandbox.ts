// `npm run sandbox` as a person runs it: up prints a URL, a login and a
// KUBECONFIG; a real headless browser (Debian's Chromium from the Odoo test
// images) opens the URL, types the printed login and lands in Odoo's web
// client, and admin/admin is refused; the same over plain HTTP (the form
// post with its CSRF token); kubectl works with the KUBECONFIG; a second up
// while it runs prints the same at once; down stops it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/function-process.js';
import { Browser } from './headless-chromium.js';

const SANDBOX = join(ROOT, 'dist', 'scripts', 'sandbox.js');
const sandbox = async (...args: string[]) => (await promisify(execFile)(process.execPath, [SANDBOX, ...args], { encoding: 'utf8', env: process.env, timeout: 1_500_000 })).stdout;
const field = (out: string, name: string) => {
  const m = out.match(new RegExp(`^${name}: (.+)$`, 'm'));
  if (!m) throw new Error(`npm run sandbox printed no "${name}:" line:\n${out}`);
  return m[1]!;
};

/** Logs in through Odoo's login form: GET it (session cookie and CSRF token), POST the login; where Odoo sends the browser next. */
async function formLogin(url: string, login: string, password: string): Promise<{ status: number; location: string | null; body: string }> {
  const page = await fetch(url, { redirect: 'manual' });
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const html = await page.text();
  const csrf = html.match(/name="csrf_token" value="([^"]+)"/)?.[1];
  if (!csrf) throw new Error(`no CSRF token on ${url}`);
  const rsp = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ csrf_token: csrf, login, password, redirect: '' }).toString(),
  });
  return { status: rsp.status, location: rsp.headers.get('location'), body: await rsp.text() };
}

let out = '';
let upSeconds = 0;

beforeAll(async () => {
  await sandbox('down');
  const started = Date.now();
  out = await sandbox('up');
  upSeconds = (Date.now() - started) / 1000;
  process.stderr.write(`sandbox: up in ${Math.round(upSeconds)} s\n${out.replace(/^password: .*$/m, 'password: (printed)')}`);
}, 1_600_000);

afterAll(async () => {
  await sandbox('down').catch(() => undefined);
});

describe('npm run sandbox', () => {
  it('prints a URL where Odoo’s login page answers, and the login it prints gets in through the login form posted over HTTP; admin/admin does not', async () => {
    const url = field(out, 'URL');
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('name="login"');
    expect(html).toContain('name="password"');
    expect(field(out, 'login')).toBe('admin');
    const ok = await formLogin(url, field(out, 'login'), field(out, 'password'));
    expect(ok.status).toBe(303);
    // Odoo 17 sends the browser to /web; a refused login answers the form again.
    expect(ok.location).toMatch(/^(http:\/\/127\.0\.0\.1:\d+)?\/(web|odoo)\b/);
    const refused = await formLogin(url, 'admin', 'admin');
    expect(refused.status).toBe(200);
    expect(refused.body).toContain('Wrong login/password');
  });

  it('in a real browser (headless Chromium), the printed login lands in Odoo’s web client; admin/admin stays on the login page, refused', async () => {
    const browser = await Browser.start();
    try {
      await browser.open(field(out, 'URL'));
      await browser.submit({ login: 'admin', password: 'admin' }, 'form.oe_login_form');
      expect(await browser.evaluate<string>('document.body.innerText')).toContain('Wrong login/password');
      await browser.submit({ login: field(out, 'login'), password: field(out, 'password') }, 'form.oe_login_form');
      expect(await browser.evaluate<string>('location.pathname')).toMatch(/^\/(web|odoo)\b/);
      expect(await browser.evaluate<boolean>('document.querySelector("input[name=password]") === null')).toBe(true);
      // The web client boots in the page: Odoo's session info names the user who logged in.
      expect(await browser.evaluate<string>('fetch("/web/session/get_session_info", {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify({jsonrpc: "2.0", method: "call", params: {}})}).then((r) => r.json()).then((j) => j.result.username)')).toBe(field(out, 'login'));
    } finally {
      await browser.close();
    }
  });

  it('prints a KUBECONFIG that kubectl uses: the instance is Running', async () => {
    const kubeconfig = field(out, 'KUBECONFIG');
    const kubectl = process.env.E2E_KUBECTL!;
    const { stdout } = await promisify(execFile)(kubectl, ['get', 'instance', 'prod', '-n', 'acme', '-o', 'jsonpath={.status.phase}'], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfig } });
    expect(stdout).toBe('Running');
  });

  it('a second npm run sandbox while it runs prints the same access at once', async () => {
    const started = Date.now();
    const again = (await promisify(execFile)('bash', [join(ROOT, 'scripts', 'sandbox')], { encoding: 'utf8', env: process.env })).stdout;
    expect((Date.now() - started) / 1000).toBeLessThan(10);
    for (const name of ['URL', 'login', 'password', 'KUBECONFIG']) expect(field(again, name)).toBe(field(out, name));
  });

  it('down stops it: the URL no longer answers and its state is gone', async () => {
    const url = field(out, 'URL');
    expect(await sandbox('down')).toContain('sandbox stopped');
    await expect(fetch(url, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
    expect(existsSync(join(ROOT, '.work', 'sandbox'))).toBe(false);
  });
});
