// Talking to a running Odoo the way its clients do: HTTP to a web Pod, and
// Odoo's external JSON-RPC API (/jsonrpc, services common and object).
export interface OdooSession {
  url: string;
  db: string;
  uid: number;
  password: string;
}

async function jsonRpc(url: string, service: string, method: string, args: unknown[]): Promise<unknown> {
  const rsp = await fetch(`${url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { service, method, args } }),
    signal: AbortSignal.timeout(120_000),
  });
  const body = (await rsp.json()) as { result?: unknown; error?: { message: string; data?: { message?: string } } };
  if (body.error) throw new Error(`Odoo ${service}.${method}: ${body.error.data?.message ?? body.error.message}`);
  return body.result;
}

/** Logs in with Odoo's own credentials (a fresh database's administrator is admin/admin). */
export async function login(url: string, db: string, user = 'admin', password = 'admin'): Promise<OdooSession> {
  const uid = await jsonRpc(url, 'common', 'login', [db, user, password]);
  if (typeof uid !== 'number') throw new Error(`Odoo at ${url} refused ${user} on ${db}`);
  return { url, db, uid, password };
}

export async function call<T = unknown>(s: OdooSession, model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> {
  return (await jsonRpc(s.url, 'object', 'execute_kw', [s.db, s.uid, s.password, model, method, args, kwargs])) as T;
}

/** GET a path of the web Pod: status and body. */
export async function get(url: string, path: string): Promise<{ status: number; body: string }> {
  const rsp = await fetch(`${url}${path}`, { redirect: 'manual', signal: AbortSignal.timeout(60_000) });
  return { status: rsp.status, body: await rsp.text() };
}
