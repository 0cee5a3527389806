// Crossplane core as a process against the e2e API server, with the
// package runtime External: Crossplane installs function-odoo from its
// package cache (packagePullPolicy Never, no registry is reachable) and
// reaches it where its FunctionRevision's status.endpoint says, over mutual
// TLS with certificates from Crossplane's own CA. This harness plays the
// part of the runtime that would have started the function's Pod: it starts
// the function process and records its endpoint.
import * as k8s from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { freePort, ROOT } from '../../../scripts/function-process.js';
import { goModuleDir, SCHEMA_MODULES } from '../../../scripts/schema-sources.js';
import { issue } from './pki.js';
import { eventually, type Managed, type Processes } from './processes.js';

export const NAMESPACE = 'crossplane-system';
export const FUNCTION_SOURCE = 'xpkg.crossplane.io/odoo/function-odoo';

/** Crossplane's FriendlyID: the cache file name of a package source and digest. */
export function cacheId(source: string, digest: string): string {
  const s = `${source.slice(0, 50)}-${digest.slice(0, 12)}`;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (/[a-z0-9]/.test(c)) out += c;
    if ('./:-'.includes(c) && i !== 0 && i !== 62 && i !== s.length - 1) out += '-';
    if (i === 62) break;
  }
  return out.replace(/^-+|-+$/g, '');
}

/** The package.yaml of an xpkg and the digest of its image config. */
export function readXpkg(file: string): { packageYaml: string; digest: string } {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-xpkg-'));
  execFileSync('tar', ['-xf', file, '-C', dir]);
  const [manifest] = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { Config: string; Layers: string[] }[];
  for (const layer of manifest!.Layers) {
    try {
      const yaml = execFileSync('tar', ['-xzOf', join(dir, layer), 'package.yaml'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
      const digest = manifest!.Config.startsWith('sha256:') ? manifest!.Config : `sha256:${createHash('sha256').update(readFileSync(join(dir, manifest!.Config))).digest('hex')}`;
      return { packageYaml: yaml, digest };
    } catch {
      // not the package layer
    }
  }
  throw new Error(`${file} has no package.yaml layer`);
}

export interface CrossplaneEnv {
  kc: k8s.KubeConfig;
  kubeconfig: string;
  crossplane: string;
  dir: string;
  processes: Processes;
}

export interface RunningCrossplane {
  core: Managed;
  fn: Managed;
  fnAddress: string;
  /** Kills function-odoo (SIGKILL) and leaves it down until startFunction(). */
  killFunction: () => Promise<void>;
  startFunction: () => void;
}

function secretData(secret: k8s.V1Secret, key: string): Buffer {
  const value = secret.data?.[key];
  if (!value) throw new Error(`secret ${secret.metadata?.name} has no ${key}`);
  return Buffer.from(value, 'base64');
}

/** Rewrites every webhook of Crossplane's ValidatingWebhookConfigurations from its Service to `base` + path. */
async function pointWebhooksAtLoopback(kc: k8s.KubeConfig, base: string, ca: Buffer): Promise<void> {
  const admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
  const list = await admission.listValidatingWebhookConfiguration();
  const crossplane = list.items.filter((c) => c.webhooks?.some((w) => w.clientConfig.service?.namespace === NAMESPACE));
  if (crossplane.length === 0) throw new Error('crossplane core init made no ValidatingWebhookConfiguration: Usages would not be enforced');
  for (const config of crossplane) {
    for (const webhook of config.webhooks ?? []) {
      const path = webhook.clientConfig.service?.path ?? '/';
      webhook.clientConfig = { url: `${base}${path}`, caBundle: ca.toString('base64') };
    }
    await admission.replaceValidatingWebhookConfiguration({ name: config.metadata!.name!, body: config });
  }
}

export async function startCrossplane(env: CrossplaneEnv): Promise<RunningCrossplane> {
  const core = env.kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } }).catch(() => undefined);
  const crossplaneDir = goModuleDir(SCHEMA_MODULES.crossplane.module, SCHEMA_MODULES.crossplane.version);
  const base = { KUBECONFIG: env.kubeconfig, POD_NAMESPACE: NAMESPACE, POD_SERVICE_ACCOUNT: 'crossplane' };
  // init applies the core CRDs and then objects of those kinds: until discovery
  // has caught up with the new CRDs it fails, and is safe to run again.
  await eventually('crossplane core init', async () => {
    execFileSync(env.crossplane, ['core', 'init'], {
      env: {
        ...process.env,
        ...base,
        CRDS_PATH: join(crossplaneDir, 'cluster', 'crds'),
        WEBHOOK_CONFIGS_PATH: join(crossplaneDir, 'cluster', 'webhookconfigurations'),
        WEBHOOK_SERVICE_NAME: 'crossplane-webhooks',
        WEBHOOK_SERVICE_NAMESPACE: NAMESPACE,
        WEBHOOK_SERVICE_PORT: '9443',
        TLS_CA_SECRET_NAME: 'crossplane-root-ca',
        TLS_CLIENT_SECRET_NAME: 'crossplane-tls-client',
        TLS_SERVER_SECRET_NAME: 'crossplane-tls-server',
      },
      stdio: 'pipe',
    });
    return true;
  }, 60_000, 2000);

  // Crossplane's client certificate, where a Pod would have it mounted.
  const clientDir = join(env.dir, 'crossplane-tls-client');
  mkdirSync(clientDir, { recursive: true });
  const clientSecret = await core.readNamespacedSecret({ name: 'crossplane-tls-client', namespace: NAMESPACE });
  for (const key of ['tls.crt', 'tls.key', 'ca.crt']) writeFileSync(join(clientDir, key), secretData(clientSecret, key));

  // The function's server certificate, signed by Crossplane's CA as the package runtime would.
  const fnDir = join(env.dir, 'function-tls');
  mkdirSync(fnDir, { recursive: true });
  const ca = await core.readNamespacedSecret({ name: 'crossplane-root-ca', namespace: NAMESPACE });
  writeFileSync(join(fnDir, 'crossplane-ca.crt'), secretData(ca, 'tls.crt'));
  writeFileSync(join(fnDir, 'crossplane-ca.key'), secretData(ca, 'tls.key'));
  issue(fnDir, 'tls', '/CN=function-odoo', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n', 'crossplane-ca');
  writeFileSync(join(fnDir, 'ca.crt'), secretData(ca, 'tls.crt'));

  // Crossplane's webhook server (Usages: deletion protection) on loopback.
  // init points the webhook configuration at a Service, which the API server
  // would reach through a cluster IP nothing serves here; the harness points
  // it at 127.0.0.1 instead, with a serving certificate for that address.
  const webhookDir = join(env.dir, 'crossplane-tls-server');
  mkdirSync(webhookDir, { recursive: true });
  writeFileSync(join(webhookDir, 'crossplane-ca.crt'), secretData(ca, 'tls.crt'));
  writeFileSync(join(webhookDir, 'crossplane-ca.key'), secretData(ca, 'tls.key'));
  issue(webhookDir, 'tls', '/CN=crossplane-webhooks', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n', 'crossplane-ca');
  const webhookPort = await freePort();
  await pointWebhooksAtLoopback(env.kc, `https://127.0.0.1:${webhookPort}`, secretData(ca, 'tls.crt'));

  // The Function package in Crossplane's cache, under the name Crossplane looks for.
  const cacheDir = join(env.dir, 'xpkg-cache');
  mkdirSync(cacheDir, { recursive: true });
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const { packageYaml, digest } = readXpkg(join(ROOT, 'dist', 'packages', `function-odoo-v${version}.xpkg`));
  writeFileSync(join(cacheDir, `${cacheId(FUNCTION_SOURCE, digest)}.gz`), gzipSync(packageYaml));

  const fnPort = await freePort();
  const fnAddress = `127.0.0.1:${fnPort}`;
  const startFn = () =>
    env.processes.start('function-odoo', process.execPath, [join(ROOT, 'dist', 'function-odoo.cjs'), `--tls-server-certs-dir=${fnDir}`, `--address=${fnAddress}`]);
  let fn = startFn();

  const coreProcess = env.processes.start('crossplane', env.crossplane, [
    'core',
    'start',
    '--debug',
    '--package-runtime=External',
    `--webhook-port=${webhookPort}`,
    `--tls-server-certs-dir=${webhookDir}`,
    `--cache-dir=${cacheDir}`,
    `--tls-client-certs-dir=${clientDir}`,
    `--metrics-port=${await freePort()}`,
    `--health-probe-port=${await freePort()}`,
    '--poll-interval=5s',
    '--sync-interval=30s',
  ], base);

  const objects = k8s.KubernetesObjectApi.makeApiClient(env.kc);
  await objects.create({
    apiVersion: 'pkg.crossplane.io/v1',
    kind: 'Function',
    metadata: { name: 'function-odoo' },
    spec: { package: `${FUNCTION_SOURCE}@${digest}`, packagePullPolicy: 'Never' },
  } as k8s.KubernetesObject);
  const custom = env.kc.makeApiClient(k8s.CustomObjectsApi);
  const revision = await eventually(
    `the FunctionRevision of function-odoo (crossplane: ${env.processes.tail(coreProcess, 5)})`,
    async () => {
      const list = (await custom.listClusterCustomObject({ group: 'pkg.crossplane.io', version: 'v1', plural: 'functionrevisions', labelSelector: 'pkg.crossplane.io/package=function-odoo' })) as { items: { metadata: { name: string } }[] };
      return list.items[0]?.metadata.name;
    },
    120_000,
  );
  // What the Deployment runtime would record once the function's Pod serves.
  await custom.patchClusterCustomObjectStatus(
    { group: 'pkg.crossplane.io', version: 'v1', plural: 'functionrevisions', name: revision, body: { status: { endpoint: fnAddress } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  return {
    core: coreProcess,
    get fn() {
      return fn;
    },
    fnAddress,
    killFunction: () => fn.kill(),
    startFunction: () => {
      fn = startFn();
    },
  };
}
