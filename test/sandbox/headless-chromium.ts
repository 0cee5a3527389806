// A real browser for the sandbox test: Debian's Chromium from the Odoo test
// images' base layer (scripts/odoo-images installs it for Odoo's tours), run
// headless as a container of that layer by the kubelet stand-in's runtime
// script (overlayfs, its own mount and PID namespaces, chroot) in this
// machine's network namespace, so it reaches the sandbox's loopback port;
// driven over the Chrome DevTools Protocol with Node's WebSocket.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../scripts/function-process.js';
import { loadImages } from '../e2e/support/kubelet/images.js';

const RUNTIME = join(ROOT, 'test', 'e2e', 'support', 'kubelet', 'run-container.sh');

/** The base layer's root filesystem, from the images the e2e built (the kubelet stand-in's image list). */
function baseLayer(): string {
  const [image] = loadImages().values();
  const base = image?.layers.find((l) => /\/layers\/base-[^/]+\/rootfs$/.test(l));
  if (!base) throw new Error('no base layer among the Odoo test images: run scripts/odoo-images (npm run test:sandbox does)');
  return base;
}

type Message = { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string }; sessionId?: string };

/** One page of a headless Chromium, driven over CDP. */
export class Browser {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly listeners: ((m: Message) => void)[] = [];

  private constructor(
    private readonly chromium: ChildProcess,
    private readonly socket: WebSocket,
    private readonly profile: string,
    private session = '',
  ) {
    socket.addEventListener('message', (event) => {
      const m = JSON.parse(String(event.data)) as Message;
      if (m.id !== undefined) {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error) p?.reject(new Error(m.error.message));
        else p?.resolve(m.result ?? {});
      } else for (const l of this.listeners) l(m);
    });
  }

  static async start(): Promise<Browser> {
    const dir = mkdtempSync(join(tmpdir(), 'chromium-'));
    for (const d of ['root', 'upper', 'work']) mkdirSync(join(dir, d));
    const chromium = spawn(
      'unshare',
      ['--mount', '--pid', '--uts', '--fork', '--kill-child', '--propagation', 'private', 'sh', RUNTIME,
        join(dir, 'root'), baseLayer(), join(dir, 'upper'), join(dir, 'work'), '0', '0:0', '', '/', 'chromium', '', '--',
        '/usr/lib/chromium/chromium', '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--user-data-dir=/tmp/profile', '--remote-debugging-port=0', 'about:blank'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const profile = dir;
    const endpoint = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${err}`)), 60_000);
      chromium.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = err.match(/DevTools listening on (ws:\/\/\S+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      chromium.once('exit', (code) => reject(new Error(`Chromium exited (${code}):\n${err}`)));
    });
    const socket = new WebSocket(endpoint);
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve, { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot reach ${endpoint}`)), { once: true });
    });
    const browser = new Browser(chromium, socket, profile);
    const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
    browser.session = String(sessionId);
    await browser.send('Page.enable', {});
    return browser;
  }

  send(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params, ...(this.session ? { sessionId: this.session } : {}) }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  /** Resolves at the page's next load event. */
  private loaded(timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the page did not load')), timeoutMs);
      const listener = (m: Message) => {
        if (m.method === 'Page.loadEventFired' && m.sessionId === this.session) {
          clearTimeout(timer);
          this.listeners.splice(this.listeners.indexOf(listener), 1);
          resolve();
        }
      };
      this.listeners.push(listener);
    });
  }

  async open(url: string): Promise<void> {
    const load = this.loaded();
    await this.send('Page.navigate', { url });
    await load;
  }

  /** Evaluates an expression in the page; its value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`in the page: ${JSON.stringify(r.exceptionDetails)}`);
    return (r.result as { value: T }).value;
  }

  /** Fills the form's fields and clicks its submit button, as a person would (Odoo's login page did not navigate on requestSubmit() alone); resolves once the next page loaded. */
  async submit(fields: Record<string, string>, form = 'form'): Promise<void> {
    const load = this.loaded();
    const set = Object.entries(fields)
      .map(([name, value]) => `f.querySelector('[name=${JSON.stringify(name)}]').value = ${JSON.stringify(value)};`)
      .join(' ');
    await this.evaluate(`(() => { const f = document.querySelector(${JSON.stringify(form)}); ${set} const button = f.querySelector('button[type=submit]'); if (button) button.click(); else f.requestSubmit(); return true; })()`);
    await load;
  }

  async close(): Promise<void> {
    this.socket.close();
    this.chromium.kill('SIGKILL');
    await new Promise((r) => (this.chromium.exitCode !== null ? r(undefined) : this.chromium.once('exit', r)));
    rmSync(this.profile, { recursive: true, force: true });
  }
}
