// Everything the end-to-end tests run on, brought up from nothing and torn
// down in reverse: the Pods' bridge, PostgreSQL, the control plane, the
// kubelet stand-in with its volume provisioner, the Gateway stand-in, the
// Gateway API CRDs, Crossplane, and the Configuration installed with the
// README's commands from a loopback registry, which brings function-odoo
// and provider-sql (whose processes the harness runs) as dependencies.
import { postgresServers } from '../../support/postgres-versions.js';
import * as k8s from '@kubernetes/client-node';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ObservedObject } from '../../../functions/shared/composition.js';
import { hasTrueCondition } from '../../../functions/shared/readiness.js';
import { ROOT } from '../../../scripts/function-process.js';
import { goModuleDir, SCHEMA_MODULES } from '../../../scripts/schema-sources.js';
import { applyFiles, crdsEstablished } from './apply.js';
import { Cluster } from './cluster.js';
import { binaries, startControlPlane, type ControlPlane } from './control-plane.js';
import { serviceAccountKubeconfig, serviceAccountMay } from './crossplane-rbac.js';
import { FUNCTION_OBJECT, NAMESPACE, PROVIDER_SQL_OBJECT, startCrossplane, type ControlPlaneProfile, type RunningCrossplane } from './crossplane.js';
import { GatewayStandIn } from './gateway-stand-in.js';
import { loadImages } from './kubelet/images.js';
import { Kubelet } from './kubelet/kubelet.js';
import { POD_GATEWAY, PodNetwork } from './kubelet/pod-network.js';
import { VolumeProvisioner } from './kubelet/volume-provisioner.js';
import { startPostgres, type Postgres } from './postgres.js';
import { eventually, Processes } from './processes.js';
import { providerSqlCrdsEstablished, startProviderSql, type RunningProviderSql } from './provider-sql.js';
import { startS3, TENANT_KEY_NAMESPACES, type S3Server } from './s3-server.js';
import { backupPrefix } from './objects.js';
import { startMailRelay, type MailRelay } from './mail-relay.js';

export const E2E_DIR = join(ROOT, '.work', 'e2e');
/** What the files report (real-odoo.json, saas-load.json, traces): kept when the next file's harness clears E2E_DIR. */
export const E2E_REPORTS = join(ROOT, '.work', 'e2e-reports');

export interface Harness {
  processes: Processes;
  plane: ControlPlane;
  pg: Postgres;
  cluster: Cluster;
  kubelet: Kubelet;
  provisioner: VolumeProvisioner;
  gateway: GatewayStandIn;
  s3: S3Server;
  relay: MailRelay;
  crossplane?: RunningCrossplane;
  providerSql?: RunningProviderSql;
  stop: () => Promise<void>;
}

/**
 * Brings everything up. `withCrossplane: false` stops after the control
 * plane and the node, for tests of the kubelet stand-in itself.
 */
export function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the end-to-end tests with npm run test:e2e (scripts/test-e2e builds it)`);
  return v;
}

/**
 * What an interrupted run left running (a test process killed before its
 * teardown): the control plane's binaries, the function, PostgreSQL on the
 * run's directory. Containers are cleaned by the kubelet stand-in itself.
 */
function stopLeftovers(): void {
  const ours = [join(ROOT, '.tools', 'bin') + '/', `${join(ROOT, 'dist', 'function-odoo.cjs')} --tls-server-certs-dir=${E2E_DIR}`, `-D ${E2E_DIR}/`];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (ours.some((s) => cmdline.includes(s))) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone, or not ours to read
    }
  }
}

/**
 * The PostgreSQL server of a row of the version matrix (E2E_POSTGRES, a
 * major): its bin directory, from test/support/postgres-versions.ts. None
 * given: Debian's, the default.
 */
function postgresServerOf(major: string | undefined): [] | [string] {
  if (major === undefined || major === '') return [];
  const server = postgresServers().find((s) => String(s.major) === major);
  if (server === undefined) throw new Error(`E2E_POSTGRES=${major}: no such server; the matrix has ${postgresServers().map((s) => s.major).join(', ')}`);
  return [server.bin];
}

export interface HarnessOptions {
  withCrossplane: boolean;
  /** The docs block that installs the packages (default: the namespaced edition, README.md; install-claims is in docs/devops.md). */
  edition?: 'install' | 'install-claims';
  /** How Crossplane and provider-sql run (default: the scenarios' test intervals, with --debug). */
  profile?: ControlPlaneProfile;
}

export async function startHarness(options: HarnessOptions = { withCrossplane: true }): Promise<Harness> {
  stopLeftovers();
  rmSync(E2E_DIR, { recursive: true, force: true });
  mkdirSync(E2E_DIR, { recursive: true });
  mkdirSync(E2E_REPORTS, { recursive: true });
  const processes = new Processes(E2E_DIR);
  const network = new PodNetwork();
  network.setUp();
  // PostgreSQL also listens on the Pods' bridge: Odoo and the Jobs reach it there, as a Service address in a cluster.
  const pg = await startPostgres(join(E2E_DIR, 'pg'), processes, { listen: [POD_GATEWAY], clients: ['10.244.0.0/16'] }, ...postgresServerOf(process.env.E2E_POSTGRES));
  const plane = await startControlPlane(E2E_DIR, processes, binaries());
  process.stderr.write(`e2e: kubeconfig ${plane.kubeconfig}; logs in ${E2E_DIR}\n`);
  const kubelet = new Kubelet(plane.kc, join(E2E_DIR, 'pods'), loadImages(), network);
  await kubelet.start();
  const provisioner = new VolumeProvisioner(plane.kc, join(E2E_DIR, 'volumes'));
  await provisioner.start();
  const gateway = new GatewayStandIn(plane.kc);
  gateway.start();
  const s3 = await startS3(E2E_DIR, processes, { versitygw: need('E2E_VERSITYGW'), rclone: need('E2E_RCLONE') });
  await s3.restrictTenantKeys(TENANT_KEY_NAMESPACES.map((namespace) => ({ namespace, prefix: backupPrefix(namespace) })));
  const relay = await startMailRelay(E2E_DIR, processes, need('E2E_MAILPIT'));
  const cluster = new Cluster(plane.kc, kubelet);
  const harness: Harness = {
    processes,
    plane,
    pg,
    cluster,
    kubelet,
    provisioner,
    gateway,
    s3,
    relay,
    stop: async () => {
      await gateway.stop();
      provisioner.stop();
      await kubelet.stop();
      pg.stop();
      await processes.stopAll();
    },
  };
  if (!options.withCrossplane) return harness;
  const profile = options.profile ?? { intervals: 'test', debug: true };

  const gatewayCrds = join(goModuleDir(SCHEMA_MODULES.gatewayApi.module, SCHEMA_MODULES.gatewayApi.version), 'config', 'crd', 'standard');
  await applyFiles(plane.kc, readdirSync(gatewayCrds).filter((f) => f.endsWith('.yaml')).map((f) => join(gatewayCrds, f)));
  harness.crossplane = await startCrossplane({
    kc: plane.kc,
    kubeconfig: plane.kubeconfig,
    crossplane: need('E2E_CROSSPLANE'),
    helm: need('E2E_HELM'),
    crossplaneCli: need('E2E_CROSSPLANE_CLI'),
    kubectl: need('E2E_KUBECTL'),
    registry: need('E2E_OCI_REGISTRY'),
    dir: E2E_DIR,
    processes,
    edition: options.edition ?? 'install',
    profile,
  });
  // The provider's process for the revision the package manager installed, once its CRDs serve.
  await providerSqlCrdsEstablished(plane.kc);
  // The Configuration's XRDs, as the CRDs Crossplane made of them.
  const xrds = options.edition === 'install-claims'
    ? ['apps.app.odoo.io', 'xtenants.tenant.odoo.io', 'xinstances.instance.odoo.io', 'tenants.tenant.odoo.io', 'instances.instance.odoo.io']
    : ['apps.app.odoo.io', 'tenants.tenant.odoo.io', 'instances.instance.odoo.io'];
  await eventually('the Configuration’s XRDs to serve', () => crdsEstablished(plane.kc, xrds), 180_000, 1000);
  // provider-sql as its ServiceAccount, once Crossplane's RBAC manager has bound it to the provider's own role.
  await eventually(`Crossplane's RBAC manager to let ${PROVIDER_SQL_OBJECT} watch its Roles`, async () => {
    await harness.crossplane!.runtime.reconcile();
    return (await serviceAccountMay(plane.kc, NAMESPACE, PROVIDER_SQL_OBJECT, 'watch', 'postgresql.sql.m.crossplane.io', 'roles')) || undefined;
  }, 120_000, 1000);
  harness.providerSql = await startProviderSql(need('E2E_PROVIDER_SQL'), await serviceAccountKubeconfig(plane.kc, NAMESPACE, PROVIDER_SQL_OBJECT, E2E_DIR), processes, profile);
  const runtime = harness.crossplane.runtime;
  runtime.markRunning(PROVIDER_SQL_OBJECT);
  await eventually('the installed Function and Provider to be healthy', async () => {
    await runtime.reconcile();
    return (await packagesHealthy(plane.kc, [['functions', FUNCTION_OBJECT], ['providers', PROVIDER_SQL_OBJECT]])) || undefined;
  }, 120_000, 1000);
  return harness;
}

/** Whether each package (plural, name) of pkg.crossplane.io reports Healthy. */
async function packagesHealthy(kc: k8s.KubeConfig, packages: [string, string][]): Promise<boolean> {
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  for (const [plural, name] of packages) {
    const p = (await custom.getClusterCustomObject({ group: 'pkg.crossplane.io', version: 'v1', plural, name })) as ObservedObject;
    if (!hasTrueCondition(p, 'Healthy')) return false;
  }
  return true;
}
