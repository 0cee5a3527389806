// What ran for real: every Job of the lifecycle (its step, image, outcome
// and how long its Pod took) and every web Pod (how long until Odoo answered
// its readiness probe), read from the API server as the Job controller and
// the kubelet stand-in reported them. The lifecycle test writes it to
// .work/e2e-reports/real-odoo.json; the table in docs/development.md (Real Odoo)
// comes from there.
import * as k8s from '@kubernetes/client-node';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PeakMemory } from './kubelet/peak-memory.js';

export interface RanJob {
  namespace: string;
  name: string;
  step: string;
  image: string;
  outcome: 'complete' | 'failed';
  seconds: number;
  /** The largest peak of its containers (every Pod of the Job, retries included), sampled by the kubelet stand-in. */
  memory?: PeakMemory | undefined;
}

export interface RanWebPod {
  namespace: string;
  name: string;
  image: string;
  secondsToReady: number;
}

const seconds = (from: string | Date | undefined, to: string | Date | undefined) =>
  from && to ? Math.round((new Date(to).getTime() - new Date(from).getTime()) / 100) / 10 : NaN;

export class RunRecord {
  readonly jobs = new Map<string, RanJob>();
  readonly webPods = new Map<string, RanWebPod>();
  private readonly informers: k8s.Informer<k8s.KubernetesObject>[] = [];

  /** podsDir: the kubelet stand-in's directory of Pods (`<namespace>_<pod>_<uid prefix>/<container>.memory.json`). */
  constructor(private readonly kc: k8s.KubeConfig, private readonly podsDir?: string) {}

  /** The peak memory of a Job's Pods: the largest sum of RSS, and the largest process, of any of their containers. */
  private jobMemory(namespace: string, job: string): PeakMemory | undefined {
    if (!this.podsDir || !existsSync(this.podsDir)) return undefined;
    const peaks = readdirSync(this.podsDir)
      .filter((pod) => pod.startsWith(`${namespace}_${job}-`) && /^[a-z0-9]{5}_[0-9a-f]{8}$/.test(pod.slice(namespace.length + job.length + 2)))
      .flatMap((pod) => readdirSync(join(this.podsDir!, pod)).filter((f) => f.endsWith('.memory.json')).map((f) => join(this.podsDir!, pod, f)))
      .map((file) => JSON.parse(readFileSync(file, 'utf8')) as PeakMemory);
    if (peaks.length === 0) return undefined;
    return {
      peakSumRssMiB: Math.max(...peaks.map((p) => p.peakSumRssMiB)),
      largestProcessPeakMiB: Math.max(...peaks.map((p) => p.largestProcessPeakMiB)),
      samples: peaks.reduce((n, p) => n + p.samples, 0),
    };
  }

  async start(): Promise<void> {
    const batch = this.kc.makeApiClient(k8s.BatchV1Api);
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    const jobs = k8s.makeInformer(this.kc, '/apis/batch/v1/jobs', () => batch.listJobForAllNamespaces());
    const onJob = (job: k8s.V1Job) => {
      const step = job.metadata?.labels?.['odoo.io/lifecycle-step'];
      const done = job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
      if (!step || !done) return;
      const key = `${job.metadata!.namespace}/${job.metadata!.name}`;
      if (this.jobs.has(key)) return;
      this.jobs.set(key, {
        namespace: job.metadata!.namespace!,
        name: job.metadata!.name!,
        step,
        image: job.spec!.template.spec!.containers[0]!.image!,
        outcome: done.type === 'Complete' ? 'complete' : 'failed',
        seconds: seconds(job.status?.startTime, job.status?.completionTime ?? done.lastTransitionTime),
      });
    };
    jobs.on('add', onJob);
    jobs.on('update', onJob);
    const pods = k8s.makeInformer(this.kc, '/api/v1/pods', () => core.listPodForAllNamespaces());
    const onPod = (pod: k8s.V1Pod) => {
      if (pod.metadata?.labels?.['app.kubernetes.io/component'] !== 'web') return;
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
      const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
      if (!ready || this.webPods.has(key) || pod.status?.message) return;
      this.webPods.set(key, {
        namespace: pod.metadata!.namespace!,
        name: pod.metadata!.name!,
        image: pod.spec!.containers[0]!.image!,
        secondsToReady: seconds(pod.metadata!.creationTimestamp, ready.lastTransitionTime),
      });
    };
    pods.on('add', onPod);
    pods.on('update', onPod);
    for (const informer of [jobs, pods] as k8s.Informer<k8s.KubernetesObject>[]) {
      informer.on('error', () => setTimeout(() => void informer.start().catch(() => undefined), 1000));
      await informer.start();
      this.informers.push(informer);
    }
  }

  stop(): void {
    for (const i of this.informers) void i.stop();
  }

  report(): { jobs: RanJob[]; webPods: RanWebPod[] } {
    const byName = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`);
    const jobs = [...this.jobs.values()].map((j) => ({ ...j, memory: this.jobMemory(j.namespace, j.name) }));
    return { jobs: jobs.sort(byName), webPods: [...this.webPods.values()].sort(byName) };
  }
}
