// A Kubernetes control plane from Go-built binaries, on loopback: kine
// (SQLite behind the etcd API) for storage, kube-apiserver, kube-scheduler,
// and kube-controller-manager with the controllers the lifecycle meets (Jobs,
// CronJobs, Deployments and ReplicaSets, DaemonSets, service accounts,
// volume binding, disruption budgets, garbage collection, namespaces). The
// node is the kubelet stand-in (kubelet/kubelet.ts).
import * as k8s from '@kubernetes/client-node';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../scripts/function-process.js';
import { clusterPki, kubeconfig } from './pki.js';
import { eventually, type Processes } from './processes.js';

export interface Binaries {
  kine: string;
  apiserver: string;
  controllerManager: string;
  scheduler: string;
}

/** Controllers of kube-controller-manager the tests rely on: what turns composed objects into Pods and back. */
export const CONTROLLERS = [
  'garbage-collector-controller',
  // Folds ClusterRoles into those that aggregate them: Crossplane's own role gathers the chart's, the RBAC
  // manager's (XRDs, providers) and package/rbac/clusterrole.yaml this way (crossplane-rbac.ts).
  'clusterrole-aggregation-controller',
  // Takes the not-ready taint off the node once its kubelet reports Ready and renews its Lease.
  'node-lifecycle-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'job-controller',
  'cronjob-controller',
  'deployment-controller',
  'replicaset-controller',
  'daemonset-controller',
  'disruption-controller',
  // The ready addresses behind each Service: what the Gateway stand-in's data plane sends a route's traffic to.
  'endpointslice-controller',
  'persistentvolume-binder-controller',
  // The API server puts their finalizers on every claim and volume; these take them off once
  // no Pod uses the claim and no claim the volume, so a deleted claim goes and its volume is Released.
  'persistentvolumeclaim-protection-controller',
  'persistentvolume-protection-controller',
] as const;

export interface ControlPlane {
  kubeconfig: string;
  server: string;
  kc: k8s.KubeConfig;
  pki: string;
}

export function binaries(): Binaries {
  const need = (name: string) => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set: run the end-to-end tests with npm run test:e2e (scripts/test-e2e builds the binaries)`);
    return v;
  };
  return { kine: need('E2E_KINE'), apiserver: need('E2E_KUBE_APISERVER'), controllerManager: need('E2E_KUBE_CONTROLLER_MANAGER'), scheduler: need('E2E_KUBE_SCHEDULER') };
}

export async function startControlPlane(dir: string, processes: Processes, bin: Binaries): Promise<ControlPlane> {
  const pki = join(dir, 'pki');
  clusterPki(pki);
  const data = join(dir, 'kine');
  mkdirSync(data, { recursive: true });
  const [kinePort, kineMetrics, apiPort] = [await freePort(), await freePort(), await freePort()];
  const kine = processes.start('kine', bin.kine, [
    `--listen-address=tcp://127.0.0.1:${kinePort}`,
    `--metrics-bind-address=127.0.0.1:${kineMetrics}`,
    `--endpoint=sqlite://${join(data, 'state.db')}?_journal=WAL&cache=shared&_busy_timeout=30000`,
    // Below 3.5.13 the API server does not ask for watch progress. Its etcd
    // client (v3.6.4) panics, taking the API server down, when a broadcast
    // progress response meets a cancelled watch (etcd-io/etcd#21969); the
    // SaaS-shaped scenario hit it within two minutes.
    '--emulated-etcd-version=3.5.12',
  ]);
  const server = `https://127.0.0.1:${apiPort}`;
  const apiserver = processes.start('kube-apiserver', bin.apiserver, [
    `--etcd-servers=http://127.0.0.1:${kinePort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    `--tls-cert-file=${join(pki, 'apiserver.crt')}`,
    `--tls-private-key-file=${join(pki, 'apiserver.key')}`,
    `--client-ca-file=${join(pki, 'ca.crt')}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${join(pki, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
    // Addresses the API server only records; nothing is ever sent to them. A /16: the SaaS load at 50
    // tenants has 301 Services (an instance's, and each tenant's maintenance page and Mailpit), more than a /24 holds.
    '--service-cluster-ip-range=10.96.0.0/16',
    '--authorization-mode=RBAC',
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    '--endpoint-reconciler-type=none',
  ]);
  const config = kubeconfig(pki, server);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(config);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await eventually(`the API server to serve (${processes.tail(apiserver, 5)} / kine: ${processes.tail(kine, 3)})`, async () => {
    const ns = await core.readNamespace({ name: 'default' });
    return ns.metadata?.name;
  }, 120_000, 500);
  processes.start('kube-controller-manager', bin.controllerManager, [
    `--kubeconfig=${config}`,
    `--controllers=${CONTROLLERS.join(',')}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    `--secure-port=${await freePort()}`,
    `--cert-dir=${join(dir, 'controller-manager-certs')}`,
    '--use-service-account-credentials=false',
  ]);
  processes.start('kube-scheduler', bin.scheduler, [
    `--kubeconfig=${config}`,
    `--authentication-kubeconfig=${config}`,
    `--authorization-kubeconfig=${config}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    `--secure-port=${await freePort()}`,
    `--cert-dir=${join(dir, 'scheduler-certs')}`,
  ]);
  return { kubeconfig: config, server, kc, pki };
}
