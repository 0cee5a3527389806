// Everything the end-to-end tests run on, brought up from nothing and torn
// down in reverse: the Pods' bridge, PostgreSQL, the control plane, the
// kubelet stand-in with its volume provisioner, the Gateway stand-in, the
// Gateway API and provider-sql CRDs, Crossplane with function-odoo, and
// provider-sql.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../../scripts/function-process.js';
import { goModuleDir, SCHEMA_MODULES } from '../../../scripts/schema-sources.js';
import { applyFiles } from './apply.js';
import { Cluster } from './cluster.js';
import { binaries, startControlPlane, type ControlPlane } from './control-plane.js';
import { startCrossplane, type RunningCrossplane } from './crossplane.js';
import { GatewayStandIn } from './gateway-stand-in.js';
import { loadImages } from './kubelet/images.js';
import { Kubelet } from './kubelet/kubelet.js';
import { POD_GATEWAY, PodNetwork } from './kubelet/pod-network.js';
import { VolumeProvisioner } from './kubelet/volume-provisioner.js';
import { startPostgres, type Postgres } from './postgres.js';
import { Processes } from './processes.js';
import { installProviderSqlCrds, startProviderSql, type RunningProviderSql } from './provider-sql.js';
import { startS3, type S3Server } from './s3-server.js';

export const E2E_DIR = join(ROOT, '.work', 'e2e');

export interface Harness {
  processes: Processes;
  plane: ControlPlane;
  pg: Postgres;
  cluster: Cluster;
  kubelet: Kubelet;
  provisioner: VolumeProvisioner;
  gateway: GatewayStandIn;
  s3: S3Server;
  crossplane?: RunningCrossplane;
  providerSql?: RunningProviderSql;
  stop: () => Promise<void>;
}

/**
 * Brings everything up. `withCrossplane: false` stops after the control
 * plane and the node, for tests of the kubelet stand-in itself.
 */
function need(name: string): string {
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

export async function startHarness(options: { withCrossplane: boolean } = { withCrossplane: true }): Promise<Harness> {
  stopLeftovers();
  rmSync(E2E_DIR, { recursive: true, force: true });
  mkdirSync(E2E_DIR, { recursive: true });
  const processes = new Processes(E2E_DIR);
  const network = new PodNetwork();
  network.setUp();
  // PostgreSQL also listens on the Pods' bridge: Odoo and the Jobs reach it there, as a Service address in a cluster.
  const pg = await startPostgres(join(E2E_DIR, 'pg'), processes, { listen: [POD_GATEWAY], clients: ['10.244.0.0/16'] });
  const plane = await startControlPlane(E2E_DIR, processes, binaries());
  process.stderr.write(`e2e: kubeconfig ${plane.kubeconfig}; logs in ${E2E_DIR}\n`);
  const kubelet = new Kubelet(plane.kc, join(E2E_DIR, 'pods'), loadImages(), network);
  await kubelet.start();
  const provisioner = new VolumeProvisioner(plane.kc, join(E2E_DIR, 'volumes'));
  await provisioner.start();
  const gateway = new GatewayStandIn(plane.kc);
  gateway.start();
  const s3 = await startS3(E2E_DIR, processes, { versitygw: need('E2E_VERSITYGW'), rclone: need('E2E_RCLONE') });
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
    stop: async () => {
      await gateway.stop();
      provisioner.stop();
      await kubelet.stop();
      pg.stop();
      await processes.stopAll();
    },
  };
  if (!options.withCrossplane) return harness;

  const gatewayCrds = join(goModuleDir(SCHEMA_MODULES.gatewayApi.module, SCHEMA_MODULES.gatewayApi.version), 'config', 'crd', 'standard');
  await applyFiles(plane.kc, readdirSync(gatewayCrds).filter((f) => f.endsWith('.yaml')).map((f) => join(gatewayCrds, f)));
  await installProviderSqlCrds(plane.kc);
  harness.crossplane = await startCrossplane({ kc: plane.kc, kubeconfig: plane.kubeconfig, crossplane: process.env.E2E_CROSSPLANE!, dir: E2E_DIR, processes });
  harness.providerSql = await startProviderSql(process.env.E2E_PROVIDER_SQL!, plane.kubeconfig, processes);
  return harness;
}
