// A customer at work while a transition runs: logged in at the tenant's
// base host name like a browser (the login form, its CSRF token, the session
// cookie), it saves one record at a time through Odoo's web client API —
// a partner with a non-ASCII name, and every few partners an attachment in
// the filestore — and logs each save Odoo acknowledged, with the database
// that acknowledged it. Its requests go where a Gateway would send them: the
// route's rule for the path, its header filters, and a ready endpoint of the
// backend Service (EndpointSlices). A save Odoo refused or never answered
// (maintenance page, 503, connection refused, timeout) is logged as refused:
// the customer saw it fail. What matters afterwards is the acknowledged ones;
// customerWritesCheck reads every one of them back.
import * as k8s from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { routeEndpoints, throughRoute } from './gateway-stand-in.js';

export interface AcknowledgedWrite {
  seq: number;
  /** Partner name, unique to this write. */
  name: string;
  partnerId: number;
  /** The attachment saved with it, when this write had one: its name and content's SHA-1 (Odoo's checksum). */
  attachment?: { name: string; checksum: string; content: string };
  /** Database whose Odoo acknowledged it (the session's). */
  db: string;
  /** Milliseconds since the epoch: when the acknowledgement arrived. */
  at: number;
}

export interface RefusedWrite {
  seq: number;
  at: number;
  why: string;
}

export interface WriterLog {
  label: string;
  startedAt: number;
  stoppedAt: number;
  acknowledged: AcknowledgedWrite[];
  refused: RefusedWrite[];
}

interface Session {
  cookie: string;
  db: string;
}

const TIMEOUT_MS = 30_000;
// Names of partners a customer of this Odoo would write: accents, ligatures, CJK, emoji.
const NAMES = ['Zoë Ærøskøbing', 'Łukasz Żółć', 'Ñandú & Søn', '北京贸易有限公司', 'Ελληνική Ναυτιλία', 'Café «Le Progrès» 🍷'];

export class CustomerWriter {
  private running = false;
  private loop: Promise<void> | undefined;
  private session: Session | undefined;
  private next = 0;
  private seq = 0;
  private readonly log: WriterLog;

  /**
   * @param label what the log is of (a transition)
   * @param route the tenant's route for its base host name (namespace/name)
   * @param password the administrator's, from the production's admin login Secret
   * @param client the customer's address, as the Gateway appends it to X-Forwarded-For
   */
  constructor(
    private readonly kc: k8s.KubeConfig,
    label: string,
    private readonly route: { namespace: string; name: string },
    private readonly password: string,
    private readonly client = '198.51.100.23',
    private readonly attachmentEvery = 4,
  ) {
    this.log = { label, startedAt: 0, stoppedAt: 0, acknowledged: [], refused: [] };
  }

  start(pauseMs = 500): void {
    this.running = true;
    this.log.startedAt = Date.now();
    this.loop = (async () => {
      while (this.running) {
        await this.writeOne();
        await new Promise((r) => setTimeout(r, pauseMs));
      }
    })();
  }

  /** Waits for the write in flight, then hands over the log. */
  async stop(): Promise<WriterLog> {
    this.running = false;
    await this.loop;
    this.log.stoppedAt = Date.now();
    return this.log;
  }

  /** Keeps writing until `count` more writes were acknowledged (what serves the host takes writes again). */
  async acknowledgedMore(count: number, timeoutMs = 300_000): Promise<void> {
    const target = this.log.acknowledged.length + count;
    const until = Date.now() + timeoutMs;
    while (this.log.acknowledged.length < target) {
      if (Date.now() > until) throw new Error(`${this.log.label}: the base host took no ${count} writes in ${timeoutMs / 1000} s; last refusals: ${JSON.stringify(this.log.refused.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /**
   * What the database serving the base host now holds of this writer's
   * writes, read through the route with a fresh login, as the customer
   * would look them up.
   */
  async readBack(): Promise<{ database: string; stored: StoredWrites }> {
    const session = await this.logIn();
    const stored = await storedWrites(this.log.label, (model, method, args, kwargs) =>
      this.jsonRpc(`/web/dataset/call_kw/${model}/${method}`, { model, method, args, kwargs }, session.cookie),
    );
    return { database: session.db, stored };
  }

  private async writeOne(): Promise<void> {
    const seq = ++this.seq;
    try {
      this.session ??= await this.logIn();
      const name = `${NAMES[seq % NAMES.length]} · ${this.log.label} #${seq}`;
      const partnerId = await this.callKw<number>('res.partner', 'create', [{ name, email: `customer${seq}@example.com`, comment: `saved during ${this.log.label}` }]);
      // The database is the session's: what the base host served when the save was acknowledged.
      const write: AcknowledgedWrite = { seq, name, partnerId, db: this.session.db, at: Date.now() };
      this.log.acknowledged.push(write);
      if (seq % this.attachmentEvery === 0) {
        const content = `Purchase order ${seq} — signed by ${name}`;
        const attachmentName = `po-${this.log.label}-${seq}.txt`;
        await this.callKw<number>('ir.attachment', 'create', [{ name: attachmentName, datas: Buffer.from(content).toString('base64'), res_model: 'res.partner', res_id: partnerId }]);
        write.attachment = { name: attachmentName, checksum: createHash('sha1').update(content).digest('hex'), content };
        write.at = Date.now();
      }
    } catch (error) {
      this.session = undefined;
      this.log.refused.push({ seq, at: Date.now(), why: (error as Error).message.slice(0, 300) });
    }
  }

  /** A request for `path` at the base host, as the Gateway passes it on to a ready endpoint (round robin). */
  private async request(path: string, init: RequestInit): Promise<Response> {
    const { service, endpoints } = await routeEndpoints(this.kc, this.route.namespace, this.route.name, path);
    if (endpoints.length === 0) throw new Error(`no ready endpoint of Service ${service} (the Gateway answers 503)`);
    const endpoint = endpoints[this.next++ % endpoints.length]!;
    return throughRoute(this.kc, this.route.namespace, this.route.name, endpoint, path, this.client, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  }

  /** Odoo's login form, as a browser fills it: the page's CSRF token, the session cookie, admin's credentials. */
  private async logIn(): Promise<Session> {
    const page = await this.request('/web/login', { method: 'GET' });
    const html = await page.text();
    const token = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
    if (page.status !== 200 || token === undefined) throw new Error(`GET /web/login: HTTP ${page.status}, no login form`);
    const pageCookie = sessionCookie(page) ?? '';
    const form = new URLSearchParams({ csrf_token: token, login: 'admin', password: this.password, redirect: '' });
    const rsp = await this.request('/web/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pageCookie }, body: form.toString() });
    await rsp.arrayBuffer();
    const cookie = sessionCookie(rsp) ?? pageCookie;
    if (rsp.status !== 303) throw new Error(`POST /web/login: HTTP ${rsp.status}, not logged in`);
    const info = await this.jsonRpc<{ db?: string; uid?: number }>('/web/session/get_session_info', {}, cookie);
    if (typeof info.db !== 'string' || typeof info.uid !== 'number') throw new Error(`the session after login has no database or user: ${JSON.stringify(info)}`);
    return { cookie, db: info.db };
  }

  private callKw<T>(model: string, method: string, args: unknown[]): Promise<T> {
    return this.jsonRpc<T>(`/web/dataset/call_kw/${model}/${method}`, { model, method, args, kwargs: {} }, this.session!.cookie);
  }

  private async jsonRpc<T>(path: string, params: Record<string, unknown>, cookie: string): Promise<T> {
    const rsp = await this.request(path, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: this.seq, params }) });
    const text = await rsp.text();
    if (rsp.status !== 200) throw new Error(`POST ${path}: HTTP ${rsp.status}`);
    const body = JSON.parse(text) as { result?: T; error?: { message: string; data?: { name?: string; message?: string } } };
    if (body.error) throw new Error(`POST ${path}: ${body.error.data?.name ?? ''} ${body.error.data?.message ?? body.error.message}`);
    return body.result as T;
  }
}

function sessionCookie(rsp: Response): string | undefined {
  const set = rsp.headers.getSetCookie().find((c) => c.startsWith('session_id='));
  return set?.split(';')[0];
}

export interface WritesCheck {
  label: string;
  /** The database checked: what the base host served at the end. */
  database: string;
  acknowledged: number;
  refused: number;
  /** Acknowledged writes not found in it (partner or attachment), by sequence number. */
  missing: number[];
  /** Longest stretch without an acknowledged write, in seconds, from the writes on either side of it. */
  longestGapSeconds: number;
  /** First and last refused write, seconds after the writer started (none: both null). */
  refusedFrom: number | null;
  refusedUntil: number | null;
}

/** What of a database holds the writes: partner names present, and per attachment name, its checksum and whether its file reads back. */
export interface StoredWrites {
  partners: Set<string>;
  attachments: Map<string, { checksum: string; content: string | undefined }>;
}

type CallKw = (model: string, method: string, args: unknown[], kwargs: Record<string, unknown>) => Promise<unknown>;

/** Reads a writer's partners and attachments (with their content, from the filestore) through Odoo's ORM. */
export async function storedWrites(label: string, callKw: CallKw): Promise<StoredWrites> {
  const partners = (await callKw('res.partner', 'search_read', [[['name', 'like', `· ${label} #`]], ['name']], { context: { active_test: false } })) as { name: string }[];
  const attachments = (await callKw('ir.attachment', 'search_read', [[['name', '=like', `po-${label}-%`]], ['name', 'checksum', 'datas']], {})) as { name: string; checksum: string; datas: string | false }[];
  return {
    partners: new Set(partners.map((p) => p.name)),
    attachments: new Map(attachments.map((a) => [a.name, { checksum: a.checksum, content: a.datas === false ? undefined : Buffer.from(a.datas, 'base64').toString() }])),
  };
}

/**
 * Reads every acknowledged write back from `stored` (what the database that
 * serves the base host holds): a write is there when its partner is, and its
 * attachment with the same checksum and content read through Odoo (so the
 * filestore has the file). Downtime is the longest stretch between two
 * acknowledged writes; the check does not judge it, it reports it.
 */
export function customerWritesCheck(log: WriterLog, database: string, stored: StoredWrites): WritesCheck {
  const missing = log.acknowledged
    .filter((w) => {
      if (!stored.partners.has(w.name)) return true;
      if (w.attachment === undefined) return false;
      const a = stored.attachments.get(w.attachment.name);
      return a === undefined || a.checksum !== w.attachment.checksum || a.content !== w.attachment.content;
    })
    .map((w) => w.seq);
  const times = [log.startedAt, ...log.acknowledged.map((w) => w.at), log.stoppedAt];
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  const sinceStart = (t: number | undefined) => (t === undefined ? null : Math.round((t - log.startedAt) / 100) / 10);
  return {
    label: log.label,
    database,
    acknowledged: log.acknowledged.length,
    refused: log.refused.length,
    missing,
    longestGapSeconds: Math.round(Math.max(0, ...gaps) / 100) / 10,
    refusedFrom: sinceStart(log.refused[0]?.at),
    refusedUntil: sinceStart(log.refused.at(-1)?.at),
  };
}

export interface SnapshotCut {
  /** How many of the acknowledged writes, from the first, the copy holds. */
  held: number;
  /** The newest write it holds (none held: undefined). */
  newestHeld: AcknowledgedWrite | undefined;
  /**
   * Writes that break the cut, by sequence number: a partner held after one
   * that is not (the copy is not one moment), or a held write whose
   * attachment row is there without its file or with other content (the
   * dump references a file the copy's filestore lacks). The newest held
   * write may lack its attachment: the attachment was saved after it.
   */
  inconsistent: number[];
}

/**
 * Where a copy taken from a database under writes (a backup, restored) cut
 * the customer's writes. The writer saves one record at a time, so a copy of
 * one moment holds a first part of what was acknowledged and nothing after.
 */
export function snapshotCut(log: WriterLog, stored: StoredWrites): SnapshotCut {
  const writes = log.acknowledged;
  let held = 0;
  while (held < writes.length && stored.partners.has(writes[held]!.name)) held++;
  const inconsistent = writes.flatMap((w, i) => {
    if (i >= held) return stored.partners.has(w.name) ? [w.seq] : [];
    if (w.attachment === undefined) return [];
    const a = stored.attachments.get(w.attachment.name);
    if (a === undefined) return i === held - 1 ? [] : [w.seq];
    return a.checksum === w.attachment.checksum && a.content === w.attachment.content ? [] : [w.seq];
  });
  return { held, newestHeld: writes[held - 1], inconsistent };
}
