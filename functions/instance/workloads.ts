// The serving side of an instance: web Deployment (HTTP and websocket), cron
// Deployment (--no-http), Service and, for production with more than one web
// Pod, a PodDisruptionBudget.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import type { KubeObject } from '../shared/composition.js';
import { instanceNames } from '../shared/instance-names.js';
import { labelOf } from '../shared/observed.js';
import { findCondition } from '../shared/readiness.js';
import type { InstanceContext } from './context.js';
import { instanceLabels, podSelector } from './labels.js';
import { ODOO_PATHS, ODOO_PORTS } from './odoo-conf.js';
import { configureContainer, containerResources, databaseEnv, odooMounts, odooPodSpec, odooVolumes, SECURITY_CONTEXT, type SecretKey } from './odoo-pod.js';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { Autoscaling } from './settings.js';
import type { Resources } from './settings.js';

/** Label on the web and cron Deployments naming the release they run: how the lifecycle observes what is running. */
export const RELEASE_LABEL = 'odoo.io/release';

export interface WorkloadPlan {
  /** Release and image the Pods run. */
  release: string;
  image: string;
  /** UID of the odoo user of that image. */
  runAsUser: number;
  webReplicas: number;
  cronReplicas: number;
  cronThreads: number;
  resources: { web: Resources; cron: Resources };
  /** Where the Pods read the outgoing mail server's password, when they send through one that has it. */
  smtpPassword?: SecretKey | undefined;
  /** odoo.conf's workers (0: threaded) and limit_time_real: how Odoo serves, and how long it may take to stop. */
  workers: number;
  limitTimeReal: number;
}

/** Seconds Odoo needs to stop after its workers are done: closing its database connections, the master's exit. */
const STOP_MARGIN_SECONDS = 30;

/**
 * On SIGTERM Odoo's prefork server stops gracefully: it lets every worker
 * finish its request (a slow report, a long cron job) for up to
 * limit_time_real seconds. A shorter grace period would have the kubelet
 * kill a request it was still serving; Odoo exits as soon as its workers are
 * idle, so an idle Pod still stops at once.
 */
export function terminationGraceSeconds(plan: Pick<WorkloadPlan, 'limitTimeReal'>): number {
  return plan.limitTimeReal + STOP_MARGIN_SECONDS;
}

function deployment(
  context: InstanceContext,
  component: 'web' | 'cron',
  plan: WorkloadPlan,
  replicas: number,
  containers: IContainer[],
): KubeObject {
  const names = instanceNames(context.name);
  const labels = { ...instanceLabels(context, component), [RELEASE_LABEL]: plan.release };
  const object: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: component === 'web' ? names.web : names.cron, namespace: context.namespace, labels },
    spec: {
      replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: podSelector(context.name, component) },
      strategy:
        component === 'web'
          ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
          : // Never two cron Pods at once: the second would only wait on the first's locks.
            { type: 'Recreate' },
      template: {
        metadata: { labels },
        spec: {
          ...odooPodSpec(context, plan.runAsUser),
          terminationGracePeriodSeconds: terminationGraceSeconds(plan),
          initContainers: [configureContainer(context, plan.image, plan.smtpPassword)],
          containers,
          volumes: odooVolumes(context),
        },
      },
    },
  };
  return object as KubeObject;
}

export function webDeployment(context: InstanceContext, plan: WorkloadPlan): KubeObject {
  const probe = (path: string, port: 'http' | 'websocket') => ({ httpGet: { path, port } });
  return deployment(context, 'web', plan, plan.webReplicas, [
    {
      name: 'odoo',
      image: plan.image,
      imagePullPolicy: 'IfNotPresent',
      command: ['odoo'],
      // Crons run in their own Deployment; web Pods only serve.
      args: ['--config', ODOO_PATHS.conf, '--max-cron-threads=0'],
      env: databaseEnv(context),
      ports: [
        { name: 'http', containerPort: ODOO_PORTS.http, protocol: 'TCP' },
        { name: 'websocket', containerPort: ODOO_PORTS.websocket, protocol: 'TCP' },
      ],
      // Loading the registry of a large database takes minutes on first start.
      startupProbe: { ...probe('/web/health', 'http'), periodSeconds: 10, failureThreshold: 60, timeoutSeconds: 5 },
      // Busy HTTP workers (every one on a slow report) take the Pod out of the Service for a while: right.
      readinessProbe: { ...probe('/web/health', 'http'), periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 },
      // But they must not get it killed: with workers, liveness asks Odoo's gevent process (the websocket
      // port), which answers /web/health whatever the HTTP workers are doing; the prefork master kills a
      // worker past limit_time_real itself. Threaded Odoo (workers 0) has one port.
      livenessProbe: { ...probe('/web/health', plan.workers > 0 ? 'websocket' : 'http'), periodSeconds: 20, failureThreshold: 6, timeoutSeconds: 10 },
      resources: containerResources(plan.resources.web),
      securityContext: SECURITY_CONTEXT,
      volumeMounts: odooMounts(),
    },
  ]);
}

export function cronDeployment(context: InstanceContext, plan: WorkloadPlan): KubeObject {
  return deployment(context, 'cron', plan, plan.cronReplicas, [
    {
      name: 'odoo',
      image: plan.image,
      imagePullPolicy: 'IfNotPresent',
      command: ['odoo'],
      args: ['--config', ODOO_PATHS.conf, '--no-http', `--max-cron-threads=${plan.cronThreads}`],
      env: databaseEnv(context),
      resources: containerResources(plan.resources.cron),
      securityContext: SECURITY_CONTEXT,
      volumeMounts: odooMounts(),
    },
  ]);
}

export function odooService(context: InstanceContext): KubeObject {
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: instanceNames(context.name).service, namespace: context.namespace, labels: instanceLabels(context, 'web') },
    spec: {
      type: 'ClusterIP',
      selector: podSelector(context.name, 'web'),
      ports: [
        { name: 'http', port: ODOO_PORTS.http, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
        { name: 'websocket', port: ODOO_PORTS.websocket, targetPort: 'websocket', protocol: 'TCP', appProtocol: 'kubernetes.io/ws' },
      ],
    },
  };
  return service as KubeObject;
}

/** Keeps at least all but one web Pod through node drains. Only worth it with more than one. */
export function webDisruptionBudget(context: InstanceContext): KubeObject {
  const pdb: IPodDisruptionBudget = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: instanceNames(context.name).pdb, namespace: context.namespace, labels: instanceLabels(context, 'web') },
    spec: { maxUnavailable: 1, selector: { matchLabels: podSelector(context.name, 'web') } },
  };
  return pdb as KubeObject;
}

/**
 * Scales the web Deployment on CPU between the production instance's bounds.
 * While the lifecycle stops web (replicas 0) the HPA stands still, as the
 * HorizontalPodAutoscaler does for a target scaled to zero.
 */
export function webAutoscaler(context: InstanceContext, autoscaling: Autoscaling): KubeObject {
  const hpa: IHorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: instanceNames(context.name).web, namespace: context.namespace, labels: instanceLabels(context, 'web') },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: instanceNames(context.name).web },
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: autoscaling.targetCPUUtilization } } }],
      // Odoo workers take a while to warm up: scale down only after five quiet minutes.
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
  return hpa as unknown as KubeObject;
}

/**
 * Web replicas when an HPA scales them: what the HPA last set (observed),
 * within its bounds. Applying the observed count back keeps Crossplane and
 * the HPA from undoing each other; a stopped Deployment starts at the minimum.
 */
export function autoscaledReplicas(observedWeb: Record<string, unknown> | undefined, autoscaling: Autoscaling): number {
  const current = ((observedWeb?.spec ?? {}) as { replicas?: unknown }).replicas;
  if (typeof current !== 'number' || current < 1) return autoscaling.minReplicas;
  return Math.min(Math.max(current, autoscaling.minReplicas), autoscaling.maxReplicas);
}

/** The UID a Deployment's Pods were observed running as. */
export function observedRunAsUser(deployment: Record<string, unknown> | undefined): number | undefined {
  const uid = (deployment?.spec as { template?: { spec?: { securityContext?: { runAsUser?: unknown } } } } | undefined)?.template?.spec?.securityContext?.runAsUser;
  return typeof uid === 'number' ? uid : undefined;
}

/** The release a Deployment was observed running, from its label. */
export function observedRelease(deployment: Record<string, unknown> | undefined): string | undefined {
  return labelOf(deployment, RELEASE_LABEL);
}

export type Rollout = { state: 'complete' } | { state: 'progressing'; message: string } | { state: 'stalled'; message: string };

/**
 * How far the Deployment controller got with the Deployment's current
 * template, as `kubectl rollout status` reads it: complete once it observed
 * this generation and reports the new ReplicaSet available (which stays so
 * when a Pod dies later: the instance is then degraded, not starting).
 */
export function observedRollout(deployment: Record<string, unknown> | undefined, wantsPods = true): Rollout {
  if (deployment === undefined) return { state: 'progressing', message: 'the web Deployment is not created yet' };
  // Stopped (a cut-over, a primary serving again): its status still says the last rollout completed.
  if (wantsPods && ((deployment.spec ?? {}) as { replicas?: number }).replicas === 0) return { state: 'progressing', message: 'the web Deployment is starting from 0 replicas' };
  const generation = (deployment.metadata as { generation?: number } | undefined)?.generation;
  const status = (deployment.status ?? {}) as { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number };
  const wanted = ((deployment.spec ?? {}) as { replicas?: number }).replicas ?? 1;
  if (generation !== undefined && (status.observedGeneration ?? 0) < generation) return { state: 'progressing', message: 'the Deployment controller has not seen the new web template yet' };
  const progressing = findCondition(deployment, 'Progressing');
  if (progressing?.status === 'True' && progressing.reason === 'NewReplicaSetAvailable') return { state: 'complete' };
  const counts = `${status.readyReplicas ?? 0} of ${wanted} web Pods ready`;
  if (progressing?.status === 'False') return { state: 'stalled', message: `${counts}; ${progressing.reason ?? 'not progressing'}: ${progressing.message ?? ''}`.trim() };
  return { state: 'progressing', message: counts };
}

/** Whether a Deployment has no Pods left (observed status.replicas is 0 or unset). */
export function observedStopped(deployment: Record<string, unknown> | undefined): boolean {
  if (deployment === undefined) return true;
  const status = (deployment.status ?? {}) as { replicas?: number };
  const spec = (deployment.spec ?? {}) as { replicas?: number };
  return spec.replicas === 0 && (status.replicas ?? 0) === 0;
}

