// A stand-in for a dynamic volume provisioner (no storage driver runs
// here): for every pending PersistentVolumeClaim it creates a `local`
// PersistentVolume on a directory of the test, pre-bound to the claim, as an
// external provisioner does; the real persistent volume controller in
// kube-controller-manager then binds the two, and the kubelet stand-in
// mounts the directory. The directory outlives the Pods that use it.
import * as k8s from '@kubernetes/client-node';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_NAME } from './kubelet.js';

export class VolumeProvisioner {
  readonly provisioned = new Set<string>();
  private informer: k8s.Informer<k8s.V1PersistentVolumeClaim> | undefined;
  private readonly core: k8s.CoreV1Api;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly dir: string,
  ) {
    this.core = kc.makeApiClient(k8s.CoreV1Api);
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const informer = k8s.makeInformer(this.kc, '/api/v1/persistentvolumeclaims', () => this.core.listPersistentVolumeClaimForAllNamespaces());
    const provision = (claim: k8s.V1PersistentVolumeClaim) => void this.provision(claim).catch((error) => process.stderr.write(`e2e volume provisioner: ${(error as Error).message}\n`));
    informer.on('add', provision);
    informer.on('update', provision);
    informer.on('error', () => setTimeout(() => void informer.start().catch(() => undefined), 1000));
    await informer.start();
    this.informer = informer;
  }

  stop(): void {
    this.informer?.stop();
  }

  private async provision(claim: k8s.V1PersistentVolumeClaim): Promise<void> {
    if (claim.spec?.volumeName || claim.metadata?.deletionTimestamp) return;
    const name = `pv-${claim.metadata!.uid}`;
    if (this.provisioned.has(name)) return;
    this.provisioned.add(name);
    const path = join(this.dir, `${claim.metadata!.namespace}_${claim.metadata!.name}_${claim.metadata!.uid!.slice(0, 8)}`);
    mkdirSync(path, { recursive: true });
    chmodSync(path, 0o755);
    const volume: k8s.V1PersistentVolume = {
      metadata: { name, labels: { 'e2e.odoo.io/provisioner': 'stand-in' } },
      spec: {
        capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
        accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
        // Kept when its claim goes, as a hoster keeps customer data; so is the directory.
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: claim.spec?.storageClassName ?? '',
        volumeMode: 'Filesystem',
        local: { path },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [NODE_NAME] }] }] } },
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata!.namespace!, name: claim.metadata!.name!, uid: claim.metadata!.uid! },
      },
    };
    try {
      await this.core.createPersistentVolume({ body: volume });
    } catch (error) {
      if ((error as { code?: number }).code !== 409) {
        this.provisioned.delete(name);
        throw error;
      }
    }
  }
}
