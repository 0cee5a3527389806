// Crossplane core as a process against the e2e API server, with the
// package runtime External, installing function-odoo the way users do: the
// README's install commands (docs/devops.md's for the claims edition) push
// the packages to a loopback OCI registry and install the Configuration;
// Crossplane's package manager resolves and installs function-odoo and
// provider-sql as its dependencies, under the names it derives from their
// package paths. This harness plays the part of
// the runtime that would start their Pods: it runs the function's and the
// provider's processes for the revisions Crossplane created and records the
// function's endpoint, which Crossplane reaches over mutual TLS with
// certificates from its own CA.
import * as k8s from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ROOT } from '../../../scripts/function-process.js';
import { FUNCTION_NAME, PROVIDER_SQL_PACKAGE, dependencyName, repositoryOf } from '../../../scripts/package-metadata.js';
import { goModuleDir, SCHEMA_MODULES } from '../../../scripts/schema-sources.js';
import { applyObjects } from './apply.js';
import { chartRbac, serviceAccountKubeconfig } from './crossplane-rbac.js';
import { ExternalPackageRuntime } from './external-runtime.js';
import { pushProviderSql, runReadmeBlock, startRegistry } from './package-install.js';
import { issue } from './pki.js';
import { eventually, type Managed, type Processes } from './processes.js';

export const NAMESPACE = 'crossplane-system';
/** The Function object the package manager creates for function-odoo. */
export const FUNCTION_OBJECT = FUNCTION_NAME;
export const PROVIDER_SQL_OBJECT = dependencyName(PROVIDER_SQL_PACKAGE);

export interface CrossplaneEnv {
  kc: k8s.KubeConfig;
  kubeconfig: string;
  crossplane: string;
  /** Helm, which renders Crossplane's chart for the RBAC a Helm install gives Crossplane (crossplane-rbac.ts). */
  helm: string;
  /** The Crossplane CLI (crank) and kubectl the README's commands run with. */
  crossplaneCli: string;
  kubectl: string;
  registry: string;
  dir: string;
  processes: Processes;
  /** Which install block of the docs to run: the namespaced edition (README.md) or the claims edition (docs/devops.md). */
  edition: 'install' | 'install-claims';
  /** How Crossplane runs: see ControlPlaneProfile. */
  profile: ControlPlaneProfile;
}

/**
 * `test`: what the e2e scenarios run with — --debug (a failing run is
 * diagnosed from the logs) and a 30 s informer resync and 5 s poll, so a
 * scenario that kills a process recovers within a test's patience.
 * The resync also stands in for something the function lacks (known, see
 * docs/performance.md, "Known gap"): a Tenant hears of an instance's upgrade
 * only at its next call, 10 min when steady with Crossplane's 1 h resync (tried
 * on 2026-12-07: no call of Tenant acme through a whole upgrade of prod, so no
 * maintenance page). Every resync makes every
 * composed object an update event for its XR (two circuit-breaker tokens; four
 * mappings each in Crossplane's log), which empties the breaker within minutes;
 * an Instance in downtime asks again every 10 s for that.
 * `production`: the flags a platform runs — Crossplane's defaults (1 h
 * resync, 1 min poll) — so a load measures what a SaaS would pay.
 * `debug` adds --debug to either (the SaaS load's reconciles by cause are read from it).
 */
export interface ControlPlaneProfile {
  intervals: 'test' | 'production';
  debug: boolean;
  /** More flags for Crossplane core (the SaaS load measures settings a platform would change, e.g. the circuit breaker's). */
  crossplaneFlags?: string[];
  /** More flags for provider-sql (e.g. its --max-reconcile-rate). */
  providerSqlFlags?: string[];
}

export function crossplaneFlags(profile: ControlPlaneProfile): string[] {
  return [
    ...(profile.debug ? ['--debug'] : []),
    ...(profile.intervals === 'test' ? ['--poll-interval=5s', '--sync-interval=30s'] : []),
    ...(profile.crossplaneFlags ?? []),
  ];
}

export interface RunningCrossplane {
  core: Managed;
  fn: Managed;
  fnAddress: string;
  fnMetricsUrl: string;
  /** Crossplane's own Prometheus metrics (controller-runtime's reconciles by controller). */
  metricsUrl: string;
  registry: string;
  /** The harness's package runtime: call markRunning and reconcile once provider-sql runs. */
  runtime: ExternalPackageRuntime;
  /** Kills function-odoo (SIGKILL) and leaves it down until startFunction(). */
  killFunction: () => Promise<void>;
  startFunction: () => void;
  /**
   * Runs another version's function bundle (an upgrade of the package) as
   * the runtime of the function revisions installed from `image`.
   */
  startOtherVersion: (image: string, bundle: string) => Promise<{ process: Managed; address: string; metricsUrl: string }>;
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
  // Its CRDs, webhooks and chart: of the core version that runs (a row of the version matrix may set another).
  const crossplaneDir = goModuleDir(SCHEMA_MODULES.crossplane.module, process.env.E2E_CROSSPLANE_CORE || SCHEMA_MODULES.crossplane.version);
  // Crossplane's ServiceAccounts and roles, as `helm install` of its chart makes them; core and its RBAC
  // manager then act with tokens of their ServiceAccounts, not as the cluster's administrator.
  await applyObjects(env.kc, chartRbac(env.helm, join(crossplaneDir, 'cluster', 'charts', 'crossplane'), NAMESPACE));
  const base = { KUBECONFIG: await serviceAccountKubeconfig(env.kc, NAMESPACE, 'crossplane', env.dir), POD_NAMESPACE: NAMESPACE, POD_SERVICE_ACCOUNT: 'crossplane' };
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

  const fnPort = await freePort();
  const fnAddress = `127.0.0.1:${fnPort}`;
  const fnMetricsUrl = `http://127.0.0.1:${await freePort()}/metrics`;
  const startFnAt = (name: string, bundle: string, address: string, metricsUrl: string) =>
    env.processes.start(name, process.execPath, [bundle, `--tls-server-certs-dir=${fnDir}`, `--address=${address}`, `--metrics-address=${new URL(metricsUrl).host}`]);
  const startFn = () => startFnAt('function-odoo', join(ROOT, 'dist', 'function-odoo.cjs'), fnAddress, fnMetricsUrl);
  let fn = startFn();

  // The RBAC manager, as the chart runs it: it grants Crossplane the XRDs' and the providers' kinds, and a
  // provider's ServiceAccount (the one its runtime Deployment names) its own.
  env.processes.start('crossplane-rbac-manager', env.crossplane, [
    'rbac',
    'start',
    ...(env.profile.debug ? ['--debug'] : []),
    ...(env.profile.intervals === 'test' ? ['--poll-interval=5s', '--sync-interval=30s'] : []),
    '--provider-clusterrole=crossplane:allowed-provider-permissions',
  ], { KUBECONFIG: await serviceAccountKubeconfig(env.kc, NAMESPACE, 'rbac-manager', env.dir) });

  // Crossplane keeps the packages it pulled here (its Pod has an emptyDir).
  mkdirSync(join(env.dir, 'xpkg-cache'), { recursive: true });
  const crossplaneMetricsPort = await freePort();
  const coreProcess = env.processes.start('crossplane', env.crossplane, [
    'core',
    'start',
    ...crossplaneFlags(env.profile),
    '--package-runtime=External',
    `--webhook-port=${webhookPort}`,
    `--tls-server-certs-dir=${webhookDir}`,
    `--cache-dir=${join(env.dir, 'xpkg-cache')}`,
    `--tls-client-certs-dir=${clientDir}`,
    `--metrics-port=${crossplaneMetricsPort}`,
    `--health-probe-port=${await freePort()}`,
  ], base);

  // provider-sql from the loopback registry: the public one is out of reach
  // here. Only this mirror is the harness's own; the docs' install block mirrors
  // this project's packages the way it tells users to.
  const registry = await startRegistry(env.registry, env.dir, env.processes);
  await pushProviderSql(env.crossplaneCli, registry, join(env.dir, 'packages'));
  const objects = k8s.KubernetesObjectApi.makeApiClient(env.kc);
  await eventually('the ImageConfig kind', async () => {
    await objects.create({
      apiVersion: 'pkg.crossplane.io/v1beta1',
      kind: 'ImageConfig',
      metadata: { name: 'e2e-provider-sql-mirror' },
      spec: { matchImages: [{ prefix: 'xpkg.crossplane.io/crossplane-contrib/' }], rewriteImage: { prefix: `${registry}/crossplane-contrib/` } },
    } as k8s.KubernetesObject);
    return true;
  }, 60_000, 1000);

  // The docs' install commands, while this harness plays the package runtime for
  // the revisions the package manager creates (what --package-runtime=External
  // leaves to another controller): their TLS Secrets and, for the function,
  // the endpoint its process listens on.
  const runtime = new ExternalPackageRuntime(env.kc, { crt: readFileSync(join(fnDir, 'tls.crt')), key: readFileSync(join(fnDir, 'tls.key')), ca: secretData(ca, 'tls.crt') }, { [FUNCTION_OBJECT]: fnAddress });
  runtime.markRunning(FUNCTION_OBJECT);
  const install = runReadmeBlock(env.edition, { crossplane: env.crossplaneCli, kubectl: env.kubectl, kubeconfig: env.kubeconfig }, { REGISTRY: registry }, env.dir);
  let installed = false;
  let installError: unknown;
  install.then(
    () => (installed = true),
    (error: unknown) => (installError = error),
  );
  await eventually(
    `the docs' install block "${env.edition}" and the revisions of ${FUNCTION_OBJECT} and ${PROVIDER_SQL_OBJECT} (crossplane: ${env.processes.tail(coreProcess, 5)})`,
    async () => {
      if (installError !== undefined) throw installError;
      await runtime.reconcile();
      return installed || undefined;
    },
    600_000,
    1000,
  );
  return {
    core: coreProcess,
    get fn() {
      return fn;
    },
    fnAddress,
    fnMetricsUrl,
    metricsUrl: `http://127.0.0.1:${crossplaneMetricsPort}/metrics`,
    registry,
    runtime,
    killFunction: () => fn.kill(),
    startFunction: () => {
      fn = startFn();
    },
    startOtherVersion: async (image: string, bundle: string) => {
      const address = `127.0.0.1:${await freePort()}`;
      const metricsUrl = `http://127.0.0.1:${await freePort()}/metrics`;
      // Named after its repository and tag: the candidate's process and the stable one of one version log apart.
      const managed = startFnAt(`${repositoryOf(image).split('/').pop()}-${image.split(':').pop()}`, bundle, address, metricsUrl);
      runtime.serveImage(image, address);
      // A Function installed from another repository (the candidate channel's) is named as a dependency would be.
      runtime.markRunning(dependencyName(image));
      return { process: managed, address, metricsUrl };
    },
  };
}
