// Small helpers over the e2e API server: read objects, wait for them, and
// read what the real Job controller and the kubelet stand-in made of a Job.
import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { jobState } from '../../../functions/instance/jobs/odoo-job.js';
import { hasTrueCondition } from '../../../functions/shared/readiness.js';
import type { Kubelet } from './kubelet/kubelet.js';
import { eventually } from './processes.js';

export class Cluster {
  readonly objects: k8s.KubernetesObjectApi;
  readonly batch: k8s.BatchV1Api;
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;

  constructor(
    readonly kc: k8s.KubeConfig,
    readonly kubelet: Kubelet,
  ) {
    this.objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    this.batch = kc.makeApiClient(k8s.BatchV1Api);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
  }

  async get<T = Record<string, any>>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined> {
    try {
      return (await this.objects.read({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } })) as T;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }

  /** Waits until the object exists and `ok` holds for it. */
  async until<T = Record<string, any>>(what: string, apiVersion: string, kind: string, name: string, namespace: string | undefined, ok: (o: T) => boolean = () => true, timeoutMs = 180_000): Promise<T> {
    return eventually(what, async () => {
      const o = await this.get<T>(apiVersion, kind, name, namespace);
      return o !== undefined && ok(o) ? o : undefined;
    }, timeoutMs, 500);
  }

  async instance(name: string, namespace: string): Promise<Record<string, any> | undefined> {
    return this.get('instance.odoo.io/v1alpha1', 'Instance', name, namespace);
  }

  async phase(name: string, namespace: string): Promise<string | undefined> {
    return (await this.instance(name, namespace))?.status?.phase;
  }

  async condition(name: string, namespace: string, type: string): Promise<{ status: string; reason: string; message: string } | undefined> {
    return (await this.instance(name, namespace))?.status?.conditions?.find((c: { type: string }) => c.type === type);
  }

  /** The logs the kubelet stand-in kept of a Job's Pods, for a failure message. */
  jobLogs(name: string, namespace: string, lines = 40): string {
    return this.kubelet
      .logsOf(namespace, `${name}-`)
      .map(({ pod, container, path }) => {
        let text = '';
        try {
          text = readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
        } catch {
          text = '(no log)';
        }
        return `--- ${pod} ${container}\n${text}`;
      })
      .join('\n');
  }

  /** Waits until the Job controller has finished the Job, and returns how (the Pods ran for real). */
  async jobOutcome(name: string, namespace: string, timeoutMs = 600_000): Promise<'complete' | 'failed'> {
    return eventually(`Job ${namespace}/${name} to finish`, async () => {
      const job = await this.get('batch/v1', 'Job', name, namespace);
      const state = job === undefined ? 'absent' : jobState(job);
      return state === 'complete' || state === 'failed' ? state : undefined;
    }, timeoutMs, 1000);
  }

  /** Waits for the Job to complete, failing with its Pods' logs when it failed. */
  async jobSucceeds(name: string, namespace: string, timeoutMs = 600_000): Promise<void> {
    const outcome = await this.jobOutcome(name, namespace, timeoutMs);
    if (outcome !== 'complete') throw new Error(`Job ${namespace}/${name} failed:\n${this.jobLogs(name, namespace)}`);
  }

  /** Addresses of the Pods the web Deployment of an instance serves from: Running, Ready, on `release`. */
  async servingPods(instance: string, namespace: string, release: string): Promise<string[]> {
    const pods = await this.core.listNamespacedPod({ namespace, labelSelector: `odoo.io/instance=${instance},app.kubernetes.io/component=web` });
    return pods.items
      .filter((p) => !p.metadata?.deletionTimestamp && p.metadata?.labels?.['odoo.io/release'] === release && hasTrueCondition(p as Record<string, unknown>, 'Ready'))
      .map((p) => p.status!.podIP!);
  }
}
