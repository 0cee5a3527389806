// Small helpers over the e2e API server: read, wait for, and play the
// kubelet's part for Jobs (no kubelet runs, so no Pod ever runs: the test
// marks a Job Complete or Failed, and says so in the test's name).
import * as k8s from '@kubernetes/client-node';
import { eventually } from './processes.js';

export class Cluster {
  readonly objects: k8s.KubernetesObjectApi;
  readonly batch: k8s.BatchV1Api;
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;

  constructor(readonly kc: k8s.KubeConfig) {
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

  async phase(name: string, namespace: string): Promise<string | undefined> {
    return (await this.get('instance.odoo.io/v1alpha1', 'Instance', name, namespace))?.status?.phase;
  }

  /** Plays the kubelet and the Job controller: the Job ran to completion, or failed. */
  async finishJob(name: string, namespace: string, outcome: 'Complete' | 'Failed'): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const conditions =
      outcome === 'Complete'
        ? [
            { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: now, lastTransitionTime: now },
            { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: now, lastTransitionTime: now },
          ]
        : [
            { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: now, lastTransitionTime: now },
            { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: now, lastTransitionTime: now },
          ];
    const status = outcome === 'Complete' ? { startTime: now, completionTime: now, succeeded: 1, active: 0, ready: 0, terminating: 0, conditions } : { startTime: now, failed: 1, active: 0, ready: 0, terminating: 0, conditions };
    await this.batch.patchNamespacedJobStatus({ name, namespace, body: { status } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  }

  async waitForJob(name: string, namespace: string): Promise<void> {
    await this.until(`Job ${namespace}/${name}`, 'batch/v1', 'Job', name, namespace);
  }
}
