// A kubelet stand-in that runs Pods for real. It registers one Node; the
// real kube-scheduler binds Pods to it, and the real Job, ReplicaSet and
// Deployment controllers read what it reports. For every Pod bound to the
// Node whose images are all test images of Odoo (scripts/odoo-images), it
// runs each init container in turn, then the containers, as processes in
// the image's root filesystem (run-container.sh), with the Pod's
// environment, volumes, user and read-only root, in a network namespace of
// the Pod's own; it probes them over HTTP, restarts them as the Pod's
// restartPolicy says, and reports the real exit codes and termination
// messages in the Pod's status. Pods with any other image (the image cache
// DaemonSet, the SaaS-shaped load's instances) are stand-ins: reported
// running and ready, or succeeded, without running anything; the status
// message says so.
import * as k8s from '@kubernetes/client-node';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerProcess, killLeftoverContainers, type Exit } from './container.js';
import type { Image } from './images.js';
import { commandLine, containerEnv, processEnv, runAs } from './pod-spec.js';
import { POD_GATEWAY, type PodNetwork } from './pod-network.js';
import { containerMounts, podVolumes, type HostVolume, type VolumeReader } from './volumes.js';

export const NODE_NAME = 'e2e-node';
const MERGE = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const STAND_IN_MESSAGE = 'stand-in: not run by the e2e kubelet (its image is not a test image of Odoo)';

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A container's state as the API server stores it (times as RFC 3339 strings). */
interface ContainerState {
  waiting?: { reason: string };
  running?: { startedAt: string };
  terminated?: { exitCode: number; reason: string; message?: string; startedAt: string; finishedAt: string };
}

interface ContainerRecord {
  name: string;
  image: string;
  state: ContainerState;
  ready: boolean;
  started: boolean;
  restartCount: number;
  process?: ContainerProcess | undefined;
}

function readerFor(kc: k8s.KubeConfig): VolumeReader {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const orUndefined = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  };
  return {
    configMap: (namespace, name) => orUndefined(() => core.readNamespacedConfigMap({ namespace, name })),
    secret: (namespace, name) => orUndefined(() => core.readNamespacedSecret({ namespace, name })),
    claim: (namespace, name) => orUndefined(() => core.readNamespacedPersistentVolumeClaim({ namespace, name })),
    volume: (name) => orUndefined(() => core.readPersistentVolume({ name })),
  };
}

async function httpProbe(ip: string, probe: k8s.V1Probe, container: k8s.V1Container): Promise<boolean> {
  const get = probe.httpGet;
  if (!get) return true;
  const port = typeof get.port === 'number' ? get.port : (container.ports ?? []).find((p) => p.name === get.port)?.containerPort ?? Number(get.port);
  try {
    const rsp = await fetch(`http://${ip}:${port}${get.path ?? '/'}`, { signal: AbortSignal.timeout((probe.timeoutSeconds ?? 1) * 1000), redirect: 'manual' });
    await rsp.arrayBuffer();
    return rsp.status >= 200 && rsp.status < 400;
  } catch {
    return false;
  }
}

/** Runs one Pod: its network, volumes, init containers, containers, probes and status. */
class PodWorker {
  readonly uid: string;
  private readonly dir: string;
  private ip = '';
  private phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' = 'Pending';
  private readonly init: ContainerRecord[];
  private readonly main: ContainerRecord[];
  private initialized = false;
  private stopping = false;
  private statusWrite: Promise<void> = Promise.resolve();
  private readonly startTime = now();
  private message: string | undefined;
  private readonly conditions = new Map<string, { status: string; at: string }>();

  constructor(
    private pod: k8s.V1Pod,
    private readonly kubelet: Kubelet,
  ) {
    this.uid = pod.metadata!.uid!;
    this.dir = join(kubelet.dir, `${pod.metadata!.namespace}_${pod.metadata!.name}_${this.uid.slice(0, 8)}`);
    const record = (c: k8s.V1Container): ContainerRecord => ({ name: c.name, image: c.image!, state: { waiting: { reason: 'PodInitializing' } }, ready: false, started: false, restartCount: 0 });
    this.init = (pod.spec!.initContainers ?? []).map(record);
    this.main = pod.spec!.containers.map(record);
  }

  get name(): string {
    return `${this.pod.metadata!.namespace}/${this.pod.metadata!.name}`;
  }

  private images(): Image[] | undefined {
    const all = [...(this.pod.spec!.initContainers ?? []), ...this.pod.spec!.containers].map((c) => this.kubelet.images.get(c.image!));
    return all.every((i) => i !== undefined) ? (all as Image[]) : undefined;
  }

  async run(): Promise<void> {
    if (this.images() === undefined) return this.standIn();
    mkdirSync(this.dir, { recursive: true });
    const lease = this.kubelet.network.attach(this.uid);
    this.ip = lease.ip;
    this.writeHostFiles();
    await this.report();
    let volumes: Map<string, HostVolume> | undefined;
    while (!this.stopping && volumes === undefined) {
      try {
        volumes = await podVolumes(this.pod, this.dir, this.kubelet.reader);
      } catch (error) {
        this.message = `waiting for volumes: ${(error as Error).message}`;
        await this.report();
        await sleep(1000);
      }
    }
    this.message = undefined;
    const specs = this.pod.spec!;
    for (const [i, container] of (specs.initContainers ?? []).entries()) {
      const record = this.init[i]!;
      for (;;) {
        if (this.stopping) return;
        const exit = await this.runOnce(container, record, volumes!, lease.netns);
        if (exit.code === 0) break;
        if (specs.restartPolicy === 'Never') return this.finish('Failed');
        record.restartCount++;
        await sleep(Math.min(10, 2 ** record.restartCount) * 1000);
      }
    }
    this.initialized = true;
    for (const r of this.main) r.state = { waiting: { reason: 'ContainerCreating' } };
    await Promise.all(specs.containers.map((c, i) => this.keepRunning(c, this.main[i]!, volumes!, lease.netns)));
    if (!this.stopping) await this.finish(this.main.every((r) => r.state.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed');
  }

  /** Runs a container as its restart policy says; resolves when it is done for good. */
  private async keepRunning(container: k8s.V1Container, record: ContainerRecord, volumes: Map<string, HostVolume>, netns: string): Promise<void> {
    const policy = this.pod.spec!.restartPolicy ?? 'Always';
    for (;;) {
      if (this.stopping) return;
      const probes = this.probe(container, record);
      const exit = await this.runOnce(container, record, volumes, netns);
      probes.stop();
      if (this.stopping) return;
      if (policy === 'Never' || (policy === 'OnFailure' && exit.code === 0)) return;
      record.restartCount++;
      await this.report();
      await sleep(Math.min(10, 2 ** record.restartCount) * 1000);
    }
  }

  private async runOnce(container: k8s.V1Container, record: ContainerRecord, volumes: Map<string, HostVolume>, netns: string): Promise<Exit> {
    const image = this.kubelet.images.get(container.image!)!;
    let exit: Exit;
    const startedAt = now();
    try {
      await this.writeServiceHosts();
      const user = runAs(image, this.pod, container);
      const own = await containerEnv(this.pod, container, this.ip, this.kubelet.reader);
      const env = processEnv(image, this.pod, user.uid, own);
      const process = new ContainerProcess({
        dir: join(this.dir, 'containers', container.name),
        id: `${this.uid.slice(0, 8)}-${container.name}-${record.restartCount}`,
        netns,
        hostname: this.pod.metadata!.name!.slice(0, 63),
        image,
        command: commandLine(image, container, own),
        env,
        mounts: [
          ...containerMounts(container, volumes),
          ...['hosts', 'hostname', 'resolv.conf'].map((f) => ({ source: join(this.dir, f), target: `/etc/${f}`, readOnly: f !== 'hosts', file: true })),
        ],
        readOnlyRoot: container.securityContext?.readOnlyRootFilesystem === true,
        runAs: user,
        workingDir: container.workingDir ?? image.workingDir,
        terminationMessagePath: container.terminationMessagePath ?? '/dev/termination-log',
        log: this.logOf(container.name),
      });
      record.process = process;
      record.state = { running: { startedAt } };
      record.started = container.startupProbe === undefined;
      await this.report();
      exit = await process.exited;
    } catch (error) {
      // What a runtime reports when it cannot create the container.
      writeFileSync(this.logOf(container.name), `kubelet stand-in: cannot start container ${container.name}: ${(error as Error).message}\n`, { flag: 'a' });
      exit = { code: 128, message: (error as Error).message };
    }
    record.process = undefined;
    record.ready = false;
    record.state = {
      terminated: {
        exitCode: exit.code,
        reason: exit.code === 0 ? 'Completed' : 'Error',
        ...(exit.message !== '' ? { message: exit.message } : {}),
        startedAt,
        finishedAt: now(),
      },
    };
    await this.report();
    return exit;
  }

  logOf(container: string): string {
    return join(this.dir, `${container}.log`);
  }

  /** Every container's log file, init containers first. */
  logs(): { container: string; path: string }[] {
    return [...this.init, ...this.main].map((r) => ({ container: r.name, path: this.logOf(r.name) }));
  }

  /** Startup, readiness and liveness probes of a running container, over HTTP to the Pod's address. */
  private probe(container: k8s.V1Container, record: ContainerRecord): { stop: () => void } {
    let active = true;
    void (async () => {
      let failures = 0;
      while (active && !record.process) await sleep(200);
      await sleep((container.startupProbe?.initialDelaySeconds ?? container.readinessProbe?.initialDelaySeconds ?? 0) * 1000);
      while (active && record.process) {
        if (!record.started && container.startupProbe) {
          const ok = await httpProbe(this.ip, container.startupProbe, container);
          if (ok) {
            record.started = true;
            failures = 0;
            await this.report();
          } else if (++failures >= (container.startupProbe.failureThreshold ?? 3)) {
            record.process?.signal('SIGKILL');
            return;
          }
          await sleep((container.startupProbe.periodSeconds ?? 10) * 1000);
          continue;
        }
        record.started = true;
        const ready = container.readinessProbe ? await httpProbe(this.ip, container.readinessProbe, container) : true;
        if (ready !== record.ready) {
          record.ready = ready;
          await this.report();
        }
        if (container.livenessProbe) {
          if (await httpProbe(this.ip, container.livenessProbe, container)) failures = 0;
          else if (++failures >= (container.livenessProbe.failureThreshold ?? 3)) {
            record.process?.signal('SIGKILL');
            return;
          }
        }
        // Probe often until ready, so the lifecycle does not wait on the probe period.
        await sleep(ready ? (container.readinessProbe?.periodSeconds ?? 10) * 1000 : 1000);
      }
    })();
    return {
      stop: () => {
        active = false;
      },
    };
  }

  private writeHostFiles(): void {
    const name = this.pod.metadata!.name!;
    writeFileSync(join(this.dir, 'hosts'), this.ownHosts());
    writeFileSync(join(this.dir, 'hostname'), `${name}\n`);
    // No cluster DNS runs here: Service names resolve through /etc/hosts (writeServiceHosts).
    writeFileSync(join(this.dir, 'resolv.conf'), `nameserver ${POD_GATEWAY}\noptions ndots:5\n`);
  }

  private ownHosts(): string {
    return `127.0.0.1\tlocalhost\n::1\tlocalhost\n${this.ip}\t${this.pod.metadata!.name!}\n`;
  }

  /**
   * Stand-in for the cluster DNS and kube-proxy, written before each
   * container starts: every Service of the Pod's namespace resolves to a
   * ready Pod it selects that this kubelet runs (the Services composed here
   * map each port to the same container port). Same file, same inode: the
   * running containers' bind mounts see it.
   */
  private async writeServiceHosts(): Promise<void> {
    const namespace = this.pod.metadata!.namespace!;
    const [services, pods] = await Promise.all([this.kubelet.core.listNamespacedService({ namespace }), this.kubelet.core.listNamespacedPod({ namespace })]);
    const lines: string[] = [];
    for (const service of services.items) {
      const selector = service.spec?.selector;
      if (selector === undefined || Object.keys(selector).length === 0) continue;
      const backend = pods.items
        .filter((p) => p.status?.podIP !== undefined && p.status.podIP !== POD_GATEWAY)
        .filter((p) => Object.entries(selector).every(([k, v]) => p.metadata?.labels?.[k] === v))
        .filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        .map((p) => p.status!.podIP!)
        .sort()[0];
      if (backend === undefined) continue;
      const name = service.metadata!.name!;
      lines.push(`${backend}\t${name} ${name}.${namespace} ${name}.${namespace}.svc ${name}.${namespace}.svc.cluster.local`);
    }
    writeFileSync(join(this.dir, 'hosts'), this.ownHosts() + lines.map((l) => `${l}\n`).join(''));
  }

  private async finish(phase: 'Succeeded' | 'Failed'): Promise<void> {
    this.phase = phase;
    await this.report();
    this.kubelet.network.detach(this.uid);
  }

  /** Reported running and ready, or succeeded, without running anything. */
  private async standIn(): Promise<void> {
    const never = (this.pod.spec!.restartPolicy ?? 'Always') !== 'Always';
    this.initialized = true;
    this.message = STAND_IN_MESSAGE;
    const done: ContainerState = { terminated: { exitCode: 0, reason: 'Completed', startedAt: this.startTime, finishedAt: now() } };
    for (const r of this.init) Object.assign(r, { state: done, started: false, ready: false });
    for (const r of this.main) Object.assign(r, never ? { state: done, started: false, ready: false } : { state: { running: { startedAt: now() } }, started: true, ready: true });
    this.ip = POD_GATEWAY;
    this.phase = never ? 'Succeeded' : 'Running';
    await this.report();
  }

  /** Stops every container within the Pod's grace period, then removes the Pod from the API server. */
  async terminate(graceSeconds: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await Promise.all([...this.init, ...this.main].map((r) => r.process?.stop(graceSeconds)));
    this.kubelet.network.detach(this.uid);
    await this.statusWrite;
  }

  /** Kills every container at once, whatever it was doing: the node goes away. */
  async kill(): Promise<void> {
    this.stopping = true;
    const running = [...this.init, ...this.main].map((r) => r.process).filter((p) => p !== undefined);
    for (const p of running) p.signal('SIGKILL');
    await Promise.all(running.map((p) => p.exited));
    this.kubelet.network.detach(this.uid);
  }

  observe(pod: k8s.V1Pod): void {
    this.pod = pod;
  }

  /** The Pod's status as the API server stores it. */
  private status(): Record<string, unknown> {
    const ready = this.initialized && this.main.every((r) => r.ready);
    // A condition's transition time changes only when its status does.
    const condition = (type: string, status: boolean) => {
      const value = status ? 'True' : 'False';
      const seen = this.conditions.get(type);
      if (seen?.status !== value) this.conditions.set(type, { status: value, at: now() });
      return { type, status: value, lastTransitionTime: this.conditions.get(type)!.at };
    };
    // Running from the first start of a container on, until the Pod ends.
    if (this.phase === 'Pending' && this.initialized && this.main.some((r) => r.state.running)) this.phase = 'Running';
    const phase = this.phase;
    const statusOf = (r: ContainerRecord) => ({
      name: r.name,
      image: r.image,
      imageID: `${r.image}@stand-in`,
      containerID: `e2e://${this.uid.slice(0, 8)}-${r.name}-${r.restartCount}`,
      ready: r.ready,
      started: r.started,
      restartCount: r.restartCount,
      state: r.state,
    });
    return {
      phase,
      ...(this.message ? { message: this.message } : {}),
      hostIP: POD_GATEWAY,
      hostIPs: [{ ip: POD_GATEWAY }],
      ...(this.ip ? { podIP: this.ip, podIPs: [{ ip: this.ip }] } : {}),
      startTime: this.startTime,
      conditions: [
        condition('PodScheduled', true),
        condition('Initialized', this.initialized),
        condition('ContainersReady', ready && phase === 'Running'),
        condition('Ready', ready && phase === 'Running'),
      ],
      ...(this.init.length > 0 ? { initContainerStatuses: this.init.map(statusOf) } : {}),
      containerStatuses: this.main.map(statusOf),
    };
  }

  /** Writes the Pod's status; writes are queued so the last one always wins. */
  report(): Promise<void> {
    const body = { status: this.status() };
    this.statusWrite = this.statusWrite.then(async () => {
      try {
        await this.kubelet.core.patchNamespacedPodStatus({ name: this.pod.metadata!.name!, namespace: this.pod.metadata!.namespace!, body }, MERGE);
      } catch {
        // The Pod may be gone; the next report or its deletion settles it.
      }
    });
    return this.statusWrite;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface KubeletCounts {
  podsRun: number;
  podsStoodIn: number;
}

export class Kubelet {
  readonly core: k8s.CoreV1Api;
  readonly reader: VolumeReader;
  readonly counts: KubeletCounts = { podsRun: 0, podsStoodIn: 0 };
  private readonly workers = new Map<string, PodWorker>();
  /** Every Pod worker ever started, also after its Pod was deleted: their logs stay. */
  private readonly ran = new Map<string, PodWorker>();
  private readonly finalized = new Set<string>();
  private informer: k8s.Informer<k8s.V1Pod> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly kc: k8s.KubeConfig,
    readonly dir: string,
    readonly images: Map<string, Image>,
    readonly network: PodNetwork,
  ) {
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.reader = readerFor(kc);
  }

  /** The container logs of every Pod run so far whose name starts with `prefix`, for failure messages. */
  logsOf(namespace: string, prefix: string): { pod: string; container: string; path: string }[] {
    return [...this.ran.values()].filter((w) => w.name.startsWith(`${namespace}/${prefix}`)).flatMap((w) => w.logs().map((l) => ({ pod: w.name, ...l })));
  }

  async start(): Promise<void> {
    killLeftoverContainers();
    mkdirSync(this.dir, { recursive: true });
    this.network.setUp();
    await this.registerNode();
    await this.renewLease();
    this.heartbeat = setInterval(() => void Promise.all([this.nodeStatus(), this.renewLease()]).catch(() => undefined), 10_000);
    const informer = k8s.makeInformer(this.kc, '/api/v1/pods', () => this.core.listPodForAllNamespaces());
    informer.on('add', (pod) => this.sync(pod));
    informer.on('update', (pod) => this.sync(pod));
    informer.on('delete', (pod) => void this.workers.get(pod.metadata!.uid!)?.terminate(0));
    // The watch ends now and then; the informer lists again and carries on.
    informer.on('error', () => setTimeout(() => void informer.start().catch(() => undefined), 1000));
    await informer.start();
    this.informer = informer;
  }

  private sync(pod: k8s.V1Pod): void {
    if (pod.spec?.nodeName !== NODE_NAME) return;
    const uid = pod.metadata!.uid!;
    let worker = this.workers.get(uid);
    if (worker === undefined) {
      if (pod.metadata?.deletionTimestamp || this.finalized.has(uid) || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
        if (pod.metadata?.deletionTimestamp) void this.remove(pod);
        return;
      }
      worker = new PodWorker(pod, this);
      this.workers.set(uid, worker);
      this.ran.set(uid, worker);
      const real = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].every((c) => this.images.has(c.image!));
      if (real) this.counts.podsRun++;
      else this.counts.podsStoodIn++;
      void worker.run().catch((error) => process.stderr.write(`e2e kubelet: pod ${worker!.name}: ${(error as Error).stack}\n`));
      return;
    }
    worker.observe(pod);
    if (pod.metadata?.deletionTimestamp) {
      void worker.terminate(pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30).then(() => this.remove(pod));
    }
  }

  /** The kubelet's last word on a Pod being deleted: remove it once its containers are gone. */
  private async remove(pod: k8s.V1Pod): Promise<void> {
    const uid = pod.metadata!.uid!;
    this.finalized.add(uid);
    this.workers.delete(uid);
    try {
      // The grace period goes in the body: with a body, the API server reads DeleteOptions from it
      // and ignores the query, so a gracePeriodSeconds query left every graceful deletion
      // Terminating for ever (and the claims of its Pods with it).
      await this.core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: { gracePeriodSeconds: 0, preconditions: { uid } } });
    } catch {
      // already gone
    }
  }

  private async registerNode(): Promise<void> {
    try {
      await this.core.createNode({ body: { metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } } } });
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
    await this.nodeStatus();
  }

  /** The node's heartbeat, as the kubelet renews it: the node lifecycle controller reads it. */
  private async renewLease(): Promise<void> {
    const coordination = this.kc.makeApiClient(k8s.CoordinationV1Api);
    // MicroTime: RFC 3339 with exactly six fractional digits.
    const renewTime = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') as unknown as Date;
    const spec = { holderIdentity: NODE_NAME, leaseDurationSeconds: 40, renewTime };
    try {
      await coordination.patchNamespacedLease({ name: NODE_NAME, namespace: 'kube-node-lease', body: { spec } }, MERGE);
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
      await coordination.createNamespacedLease({ namespace: 'kube-node-lease', body: { metadata: { name: NODE_NAME }, spec } });
    }
  }

  private async nodeStatus(): Promise<void> {
    // One node standing in for a cluster's worth: the SaaS-shaped load's Pods request far more than
    // this machine has, and only Odoo's own Pods run for real.
    const capacity = { cpu: '2000', memory: '16Ti', pods: '5000', 'ephemeral-storage': '100Ti' };
    const at = now();
    const status = {
      capacity,
      allocatable: capacity,
      addresses: [{ type: 'InternalIP', address: POD_GATEWAY }, { type: 'Hostname', address: NODE_NAME }],
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'e2e kubelet stand-in is posting ready status', lastHeartbeatTime: at, lastTransitionTime: at },
        ...['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({ type, status: 'False', reason: `KubeletHas${type.replace('Pressure', '')}`, lastHeartbeatTime: at, lastTransitionTime: at })),
      ],
      nodeInfo: {
        // The control plane's release (a row of the version matrix sets another).
        kubeletVersion: `v${process.env.E2E_KUBERNETES || '1.34.2'}`,
        kubeProxyVersion: `v${process.env.E2E_KUBERNETES || '1.34.2'}`,
        containerRuntimeVersion: 'e2e://overlayfs-chroot',
        operatingSystem: 'linux',
        architecture: 'amd64',
        osImage: 'e2e',
        kernelVersion: '',
        machineID: 'e2e',
        systemUUID: 'e2e',
        bootID: 'e2e',
      },
    };
    await this.core.patchNodeStatus({ name: NODE_NAME, body: { status } }, MERGE);
  }

  async stop(): Promise<void> {
    this.informer?.stop();
    if (this.heartbeat) clearInterval(this.heartbeat);
    // Also the Pods still in their grace period: nothing may outlive the test.
    await Promise.all([...this.ran.values()].map((w) => w.kill()));
    this.network.tearDown();
  }
}
