// The node the end-to-end tests run Pods on: the real scheduler, Job,
// ReplicaSet and Deployment controllers, and the kubelet stand-in running
// containers for real in the test images of Odoo. What it shows here is
// what the lifecycle tests rely on.
import * as k8s from '@kubernetes/client-node';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects } from './support/apply.js';
import { join } from 'node:path';
import { E2E_DIR, startHarness, type Harness } from './support/harness.js';
import type { PeakMemory } from './support/kubelet/peak-memory.js';
import { E2E_REGISTRY } from './support/kubelet/images.js';
import { STAND_IN_PROVISIONER } from './support/kubelet/volume-provisioner.js';
import { eventually } from './support/processes.js';

let h: Harness;
const NS = 'node-test';
const IMAGE = `${E2E_REGISTRY}:17.0`;

beforeAll(async () => {
  h = await startHarness({ withCrossplane: false });
  await applyObjects(h.plane.kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } as k8s.KubernetesObject]);
  await eventually('the default ServiceAccount', async () => (await h.cluster.get('v1', 'ServiceAccount', 'default', NS)) ? true : undefined, 60_000);
}, 600_000);

afterAll(async () => {
  await h?.stop();
});

function job(name: string, script: string, container: Record<string, unknown> = {}, volumes: unknown[] = []): k8s.KubernetesObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 101, runAsGroup: 101, fsGroup: 101 },
          containers: [{ name: 'main', image: IMAGE, command: ['bash', '-c', script], securityContext: { readOnlyRootFilesystem: true }, ...container }],
          volumes,
        },
      },
    },
  } as k8s.KubernetesObject;
}

describe('the e2e node', () => {
  it('runs a Job’s container in its image as its user, and the Job controller completes the Job from the exit code', async () => {
    // A read-only root needs somewhere to write: Python refuses to start without a temporary directory.
    await applyObjects(h.plane.kc, [job('whoami', 'id -u; id -G; odoo --version; test "$(cat /etc/hostname)" != ""', { volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] }, [{ name: 'tmp', emptyDir: {} }])]);
    await h.cluster.jobSucceeds('whoami', NS, 180_000);
    const log = h.cluster.jobLogs('whoami', NS);
    expect(log).toContain('101\n101\n');
    expect(log).toMatch(/Odoo Server 17\.0/);
  });

  it('fails the Job when the container exits non-zero, and keeps its termination message in the Pod', async () => {
    await applyObjects(h.plane.kc, [job('fails', 'echo "the reason" > /dev/termination-log; exit 3')]);
    expect(await h.cluster.jobOutcome('fails', NS, 180_000)).toBe('failed');
    const pods = await h.cluster.core.listNamespacedPod({ namespace: NS, labelSelector: 'batch.kubernetes.io/job-name=fails' });
    expect(pods.items[0]?.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 3, message: 'the reason\n' });
  });

  it('measures a container’s peak memory (the e2e’s table of each Job’s memory comes from it)', async () => {
    // 200 MiB held for six seconds: at least two samples of the stand-in see it.
    await applyObjects(h.plane.kc, [job('memory', 'python3 -c "import time; b = b\'x\' * (200 << 20); time.sleep(6)"')]);
    await h.cluster.jobSucceeds('memory', NS, 180_000);
    const pods = await h.cluster.core.listNamespacedPod({ namespace: NS, labelSelector: 'batch.kubernetes.io/job-name=memory' });
    const peak = await eventually('the peak memory file', async () => {
      const pod = pods.items[0]!.metadata!;
      const file = join(E2E_DIR, 'pods', `${NS}_${pod.name}_${pod.uid!.slice(0, 8)}`, 'main.memory.json');
      return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PeakMemory) : undefined;
    }, 30_000);
    expect(peak.largestProcessPeakMiB).toBeGreaterThanOrEqual(200);
    expect(peak.largestProcessPeakMiB).toBeLessThan(400);
    expect(peak.peakSumRssMiB).toBeGreaterThanOrEqual(200);
  });

  it('keeps the root read-only, and mounts Secrets, ConfigMaps, emptyDirs and claims where the container says', async () => {
    await applyObjects(h.plane.kc, [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: NS }, stringData: { password: 'p4ss' } } as k8s.KubernetesObject,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: NS }, data: { 'odoo.conf': '[options]\n' } } as k8s.KubernetesObject,
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: NS }, spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } } } as k8s.KubernetesObject,
      job(
        'mounts',
        'if touch /usr/x 2>/dev/null; then exit 10; fi; test "$PGPASSWORD" = p4ss; cat /conf/odoo.conf; touch /tmp/x; echo kept > /var/lib/odoo/file',
        {
          env: [{ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } }],
          volumeMounts: [
            { name: 'conf', mountPath: '/conf' },
            { name: 'tmp', mountPath: '/tmp' },
            { name: 'data', mountPath: '/var/lib/odoo' },
          ],
        },
        [
          { name: 'conf', configMap: { name: 'c' } },
          { name: 'tmp', emptyDir: {} },
          { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
        ],
      ),
    ]);
    await h.cluster.jobSucceeds('mounts', NS, 180_000);
    const claim = await h.cluster.core.readNamespacedPersistentVolumeClaim({ name: 'data', namespace: NS });
    const pv = await h.cluster.core.readPersistentVolume({ name: claim.spec!.volumeName! });
    expect(readFileSync(`${pv.spec!.local!.path}/file`, 'utf8')).toBe('kept\n');
  });

  it('gives a volume its StorageClass’s reclaim policy: once its claim is deleted, a Retain volume stays Released with its data, a Delete volume goes with its data', async () => {
    const claim = (name: string, storageClassName: string) =>
      ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: NS }, spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: '1Gi' } } } }) as k8s.KubernetesObject;
    const storageClass = (name: string, reclaimPolicy: string) =>
      ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: STAND_IN_PROVISIONER, reclaimPolicy, volumeBindingMode: 'Immediate' }) as k8s.KubernetesObject;
    await applyObjects(h.plane.kc, [storageClass('keep', 'Retain'), storageClass('drop', 'Delete')]);
    await applyObjects(h.plane.kc, [claim('kept', 'keep'), claim('dropped', 'drop')]);
    const volumes: Record<string, k8s.V1PersistentVolume> = {};
    for (const name of ['kept', 'dropped']) {
      const bound = await eventually(`claim ${name} Bound`, async () => {
        const c = await h.cluster.core.readNamespacedPersistentVolumeClaim({ name, namespace: NS });
        return c.status?.phase === 'Bound' ? c : undefined;
      }, 60_000, 500);
      volumes[name] = await h.cluster.core.readPersistentVolume({ name: bound.spec!.volumeName! });
      writeFileSync(`${volumes[name]!.spec!.local!.path}/file`, 'data\n');
      await h.cluster.core.deleteNamespacedPersistentVolumeClaim({ name, namespace: NS });
    }
    const kept = await eventually('the Retain volume Released', async () => {
      const v = await h.cluster.core.readPersistentVolume({ name: volumes.kept!.metadata!.name! });
      return v.status?.phase === 'Released' ? v : undefined;
    }, 60_000, 500);
    expect(kept.spec?.persistentVolumeReclaimPolicy).toBe('Retain');
    expect(readFileSync(`${kept.spec!.local!.path}/file`, 'utf8')).toBe('data\n');
    await eventually('the Delete volume gone', async () => ((await h.cluster.get('v1', 'PersistentVolume', volumes.dropped!.metadata!.name!)) === undefined ? true : undefined), 60_000, 500);
    expect(existsSync(volumes.dropped!.spec!.local!.path)).toBe(false);
  });

  it('serves a Deployment’s Pods on their own addresses once their readiness probe passes, and the Deployment becomes available', async () => {
    await applyObjects(h.plane.kc, [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: NS },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              automountServiceAccountToken: false,
              securityContext: { runAsNonRoot: true, runAsUser: 101 },
              containers: [
                {
                  name: 'http',
                  image: IMAGE,
                  command: ['python3', '-m', 'http.server', '8069', '--directory', '/etc/odoo'],
                  ports: [{ name: 'http', containerPort: 8069 }],
                  readinessProbe: { httpGet: { path: '/odoo.conf', port: 'http' }, periodSeconds: 2 },
                },
              ],
            },
          },
        },
      } as k8s.KubernetesObject,
    ]);
    const deployment = await h.cluster.until<Record<string, any>>('Deployment web available', 'apps/v1', 'Deployment', 'web', NS, (d) => d.status?.availableReplicas === 2, 180_000);
    expect(deployment.status.readyReplicas).toBe(2);
    const pods = await h.cluster.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' });
    const ips = pods.items.map((p) => p.status!.podIP!);
    expect(new Set(ips).size).toBe(2);
    for (const ip of ips) expect(await (await fetch(`http://${ip}:8069/odoo.conf`)).text()).toContain('[options]');
  });

  it('stops a deleted Pod’s containers within its grace period and removes the Pod, so the PVC protection controller lets its claim go', async () => {
    await applyObjects(h.plane.kc, [
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'held', namespace: NS }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } as k8s.KubernetesObject,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'holder', namespace: NS },
        spec: {
          terminationGracePeriodSeconds: 60,
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 101, runAsGroup: 101 },
          containers: [{ name: 'main', image: IMAGE, command: ['bash', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'held' } }],
        },
      } as k8s.KubernetesObject,
    ]);
    await eventually('the holder Pod running', async () => ((await h.cluster.core.readNamespacedPod({ name: 'holder', namespace: NS })).status?.phase === 'Running' ? true : undefined), 120_000);
    await h.cluster.core.deleteNamespacedPersistentVolumeClaim({ name: 'held', namespace: NS });
    // In use: the claim waits, Terminating, for the Pod.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await h.cluster.core.readNamespacedPersistentVolumeClaim({ name: 'held', namespace: NS })).metadata?.deletionTimestamp).toBeDefined();
    await h.cluster.core.deleteNamespacedPod({ name: 'holder', namespace: NS });
    // The container exits on SIGTERM at once: the Pod is gone long before its 60 s grace period ends, and the claim with it.
    await eventually('the holder Pod and its claim gone', async () => {
      const pods = await h.cluster.core.listNamespacedPod({ namespace: NS, fieldSelector: 'metadata.name=holder' });
      const claims = await h.cluster.core.listNamespacedPersistentVolumeClaim({ namespace: NS, fieldSelector: 'metadata.name=held' });
      return pods.items.length === 0 && claims.items.length === 0 ? true : undefined;
    }, 30_000, 500);
  });
});
