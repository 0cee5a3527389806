// Small helpers over the e2e API server: read, wait for, and play the
// kubelet's part for Jobs (no kubelet runs, so no Pod ever runs: the test
// marks a Job Complete or Failed, and says so in the test's name).
import * as k8s from '@kubernetes/client-node';
import { eventually } from './processes.js';

/** The status the Job controller writes when a Job's Pod succeeded, or failed past its backoff limit. */
export function finishedJobStatus(outcome: 'Complete' | 'Failed'): Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const [reason, message, target] =
    outcome === 'Complete'
      ? ['CompletionsReached', 'Reached expected number of succeeded pods', 'SuccessCriteriaMet']
      : ['BackoffLimitExceeded', 'Job has reached the specified backoff limit', 'FailureTarget'];
  const conditions = [target, outcome].map((type) => ({ type, status: 'True', reason, message, lastProbeTime: now, lastTransitionTime: now }));
  const counts = outcome === 'Complete' ? { completionTime: now, succeeded: 1 } : { failed: 1 };
  return { startTime: now, ...counts, active: 0, ready: 0, terminating: 0, conditions };
}

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
    await this.batch.patchNamespacedJobStatus({ name, namespace, body: { status: finishedJobStatus(outcome) } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  }

  async waitForJob(name: string, namespace: string): Promise<void> {
    await this.until(`Job ${namespace}/${name}`, 'batch/v1', 'Job', name, namespace);
  }
}
