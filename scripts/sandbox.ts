// npm run sandbox: the e2e cluster (real control plane, Crossplane, provider-sql,
// PostgreSQL, the kubelet stand-in running real Odoo) with a tenant `acme`
// and its production instance `prod` on Odoo 17.0, left running for a person
// to try: a URL to open in a browser, the login, and the KUBECONFIG for
// kubectl and `crossplane beta trace`. `npm run sandbox -- down` stops it.
//
//   up     (default) start it in the background, or print where it runs
//   down   stop it and everything it started
//   serve  what `up` runs in the background: the cluster and the browser's door
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { ROOT } from './function-process.js';
import { applyObjects } from '../test/e2e/support/apply.js';
import { routeEndpoints, throughRoute } from '../test/e2e/support/gateway-stand-in.js';
import { startHarness, type Harness } from '../test/e2e/support/harness.js';
import { app, appPrerequisites, backupCredentials, instance, tenant, tenantNamespace } from '../test/e2e/support/objects.js';
import { eventually } from '../test/e2e/support/processes.js';

const DIR = join(ROOT, '.work', 'sandbox');
const READY = join(DIR, 'ready.json');
const PID = join(DIR, 'pid');
const LOG = join(DIR, 'sandbox.log');
const NAMESPACE = 'acme';
const INSTANCE = 'prod';
const ROUTE = 'acme-primary';

/** What `up` prints: everything a person needs to get in. */
export interface SandboxAccess {
  url: string;
  database: string;
  login: string;
  password: string;
  kubeconfig: string;
  kubectl: string;
  crossplane: string;
}

/** The pid of the sandbox's background process, when one runs (a stale pid file names another program, or none). */
function running(): number | undefined {
  if (!existsSync(PID)) return undefined;
  const pid = Number(readFileSync(PID, 'utf8'));
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((a) => a.endsWith('sandbox.js')) && cmdline.includes('serve') ? pid : undefined;
  } catch {
    return undefined;
  }
}

function print(access: SandboxAccess, seconds: number): void {
  process.stdout.write(
    [
      `sandbox ready after ${seconds} s`,
      `URL: ${access.url}`,
      `database: ${access.database}`,
      `login: ${access.login}`,
      `password: ${access.password}`,
      `KUBECONFIG: ${access.kubeconfig}`,
      '',
      `  export KUBECONFIG=${access.kubeconfig}`,
      `  ${access.kubectl} get apps,tenants,instances -A`,
      `  ${access.crossplane} beta trace instance ${INSTANCE} -n ${NAMESPACE}`,
      '',
      'Stop it with: npm run sandbox -- down',
      '',
    ].join('\n'),
  );
}

async function up(): Promise<void> {
  const started = Date.now();
  // One that runs, or is still starting, is waited for: a second start would tear the first one's cluster down.
  if (running() === undefined) {
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(DIR, { recursive: true });
    const log = openSync(LOG, 'a');
    const child = spawn(process.execPath, [process.argv[1]!, 'serve'], { detached: true, stdio: ['ignore', log, log], env: process.env });
    closeSync(log);
    child.unref();
    writeFileSync(PID, String(child.pid));
    process.stdout.write(`sandbox starting (log: ${LOG}); the first start initializes Odoo, a few minutes\n`);
  }
  while (!existsSync(READY)) {
    if (running() === undefined) {
      const tail = existsSync(LOG) ? readFileSync(LOG, 'utf8').split('\n').slice(-30).join('\n') : '';
      throw new Error(`the sandbox stopped while starting; the end of ${LOG}:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  print(JSON.parse(readFileSync(READY, 'utf8')) as SandboxAccess, Math.round((Date.now() - started) / 1000));
}

async function down(): Promise<void> {
  const pid = running();
  if (pid === undefined) {
    rmSync(DIR, { recursive: true, force: true });
    process.stdout.write('no sandbox runs\n');
    return;
  }
  // It stops what it started (the harness: processes, the kubelet's containers, PostgreSQL).
  process.kill(pid, 'SIGTERM');
  const until = Date.now() + 120_000;
  while (running() !== undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
  if (running() !== undefined) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
    process.stdout.write(`the sandbox did not stop within 2 minutes and was killed; what it left running is stopped by the next npm run sandbox or test:e2e (see ${LOG})\n`);
  }
  rmSync(DIR, { recursive: true, force: true });
  process.stdout.write('sandbox stopped\n');
}

/**
 * The browser's door: what a Gateway does for the tenant's primary route
 * (its rule and header filters, the stand-in's data plane), served on a
 * loopback port, with the forwarded host and scheme of that port so that
 * Odoo's redirects and web.base.url stay on it.
 */
function door(kc: k8s.KubeConfig, port: number) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const path = req.url ?? '/';
      const { endpoints } = await routeEndpoints(kc, NAMESPACE, ROUTE, path);
      if (endpoints.length === 0) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('No web Pod of the instance answers now (it transitions, or starts): try again in a minute.\n');
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers.set(k, v);
      const forwarded = await throughRoute(kc, NAMESPACE, ROUTE, endpoints[0]!, path, '127.0.0.1', {
        method: req.method ?? 'GET',
        headers,
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      }, { 'x-forwarded-host': `127.0.0.1:${port}`, 'x-forwarded-proto': 'http' });
      const out: Record<string, string | string[]> = {};
      forwarded.headers.forEach((v, k) => {
        if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection', 'set-cookie'].includes(k)) out[k] = v;
      });
      const cookies = forwarded.headers.getSetCookie();
      if (cookies.length > 0) out['set-cookie'] = cookies;
      res.writeHead(forwarded.status, out).end(Buffer.from(await forwarded.arrayBuffer()));
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
    }
  };
}

async function serve(): Promise<void> {
  let h: Harness | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    stopping = true;
    try {
      await h?.stop();
    } catch (error) {
      process.stderr.write(`sandbox: stopping failed: ${(error as Error).message}\n`);
      code = 1;
    }
    process.exit(code);
  };
  // A signal while the harness starts is acted on once it has started (there is nothing to stop before).
  process.once('SIGTERM', () => void (h ? stop(0) : (stopping = true)));
  process.once('SIGINT', () => void (h ? stop(0) : (stopping = true)));
  try {
    h = await startHarness({ withCrossplane: true, profile: { intervals: 'test', debug: false } });
    if (stopping) return await stop(0);
    await bringUp(h);
  } catch (error) {
    process.stderr.write(`sandbox: ${(error as Error).message}\n`);
    await stop(1);
  }
}

/** The tenant and its production, served on the loopback port once the tenant routes it. */
async function bringUp(h: Harness): Promise<void> {
  const kc = h.plane.kc;
  await applyObjects(kc, [...appPrerequisites(h.pg), app('acme', h.pg, h.s3), tenantNamespace(NAMESPACE)]);
  await applyObjects(kc, [
    backupCredentials(NAMESPACE, h.s3),
    tenant('acme', NAMESPACE, { primaryInstance: INSTANCE }),
    instance(INSTANCE, NAMESPACE, { release: '1.4.1', type: 'production', initModules: ['contacts'] }),
  ]);
  const prod = await eventually(`${NAMESPACE}/${INSTANCE} to serve`, async () => {
    const i = await h.cluster.instance(INSTANCE, NAMESPACE);
    if (typeof i?.status?.phase === 'string' && i.status.phase.endsWith('Failed')) throw new Error(`${NAMESPACE}/${INSTANCE} is ${i.status.phase}: ${JSON.stringify(i.status.conditions)}`);
    return i?.status?.phase === 'Running' && i.status.serving === true ? i : undefined;
  }, 1_200_000, 2000);
  // The Tenant routes its base host to prod on its next look at its instances (within a minute).
  await eventually(`tenant ${NAMESPACE} to route its base host to ${INSTANCE}`, async () => {
    const t = await h.cluster.get<{ status?: { primaryInstance?: string; conditions?: { type: string; status: string }[] } }>('tenant.odoo.io/v1alpha1', 'Tenant', 'acme', NAMESPACE);
    return t?.status?.primaryInstance === INSTANCE && t.status.conditions?.some((c) => c.type === 'RoutingReady' && c.status === 'True') ? true : undefined;
  }, 300_000, 2000);
  const secret = await h.cluster.core.readNamespacedSecret({ name: prod.status.adminLoginSecret, namespace: NAMESPACE });
  const decoded = (key: string) => Buffer.from(secret.data![key]!, 'base64').toString();
  const port = Number(process.env.SANDBOX_PORT ?? 8069);
  const server = createServer(door(kc, port));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  const access: SandboxAccess = {
    url: `http://127.0.0.1:${port}/web/login`,
    database: prod.status.databaseName,
    login: decoded('login'),
    password: decoded('password'),
    kubeconfig: h.plane.kubeconfig,
    kubectl: process.env.E2E_KUBECTL ?? 'kubectl',
    crossplane: process.env.E2E_CROSSPLANE_CLI ?? 'crossplane',
  };
  writeFileSync(READY, JSON.stringify(access, null, 2), { mode: 0o600 });
  process.stdout.write(`sandbox: serving ${access.url}\n`);
}

const command = process.argv[2] ?? 'up';
const commands: Record<string, () => Promise<void>> = { up, down, serve };
if (!commands[command]) {
  process.stderr.write(`npm run sandbox -- ${command}: unknown; use up (default) or down\n`);
  process.exit(2);
}
commands[command]!().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
