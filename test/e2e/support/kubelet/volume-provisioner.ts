// A stand-in for a dynamic volume provisioner (no storage driver runs
// here): for every pending PersistentVolumeClaim it creates a `local`
// PersistentVolume on a directory of the test, pre-bound to the claim, as an
// external provisioner does; the real persistent volume controller in
// kube-controller-manager then binds the two, and the kubelet stand-in
// mounts the directory. The directory outlives the Pods that use it. Like
// every dynamic provisioner, it gives the volume its StorageClass's
// reclaimPolicy (Kubernetes' default, Delete, when the claim names no class)
// and, once the claim is gone, deletes a Delete volume and its directory: so
// whether a deleted instance's filestore stays is decided by the App's
// storage class, as on a hoster's cluster, not by this stand-in.
import * as k8s from '@kubernetes/client-node';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_NAME } from './kubelet.js';

/** The provisioner name StorageClasses of the e2e cluster name. */
export const STAND_IN_PROVISIONER = 'e2e.odoo.io/stand-in';

export class VolumeProvisioner {
  readonly provisioned = new Set<string>();
  private informer: k8s.Informer<k8s.V1PersistentVolumeClaim> | undefined;
  private volumes: k8s.Informer<k8s.V1PersistentVolume> | undefined;
  private readonly core: k8s.CoreV1Api;
  private readonly storage: k8s.StorageV1Api;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly dir: string,
  ) {
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.storage = kc.makeApiClient(k8s.StorageV1Api);
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
    const volumes = k8s.makeInformer(this.kc, '/api/v1/persistentvolumes', () => this.core.listPersistentVolume());
    const reclaim = (volume: k8s.V1PersistentVolume) => void this.reclaim(volume).catch((error) => process.stderr.write(`e2e volume provisioner: ${(error as Error).message}\n`));
    volumes.on('add', reclaim);
    volumes.on('update', reclaim);
    volumes.on('error', () => setTimeout(() => void volumes.start().catch(() => undefined), 1000));
    await volumes.start();
    this.volumes = volumes;
  }

  stop(): void {
    this.informer?.stop();
    this.volumes?.stop();
  }

  /** The reclaim policy of the claim's StorageClass, as the persistent volume controller would give it. */
  private async reclaimPolicy(claim: k8s.V1PersistentVolumeClaim): Promise<string> {
    const className = claim.spec?.storageClassName;
    if (!className) return 'Delete';
    const storageClass = await this.storage.readStorageClass({ name: className });
    return storageClass.reclaimPolicy ?? 'Delete';
  }

  /** A Released volume whose policy is Delete goes, with its data: what a real provisioner does. */
  private async reclaim(volume: k8s.V1PersistentVolume): Promise<void> {
    if (volume.metadata?.labels?.['e2e.odoo.io/provisioner'] !== 'stand-in') return;
    if (volume.status?.phase !== 'Released' || volume.spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
    if (volume.spec.local?.path) rmSync(volume.spec.local.path, { recursive: true, force: true });
    await this.core.deletePersistentVolume({ name: volume.metadata.name! }).catch((error) => {
      if ((error as { code?: number }).code !== 404) throw error;
    });
  }

  private async provision(claim: k8s.V1PersistentVolumeClaim): Promise<void> {
    if (claim.spec?.volumeName || claim.metadata?.deletionTimestamp) return;
    const name = `pv-${claim.metadata!.uid}`;
    if (this.provisioned.has(name)) return;
    this.provisioned.add(name);
    const reclaimPolicy = await this.reclaimPolicy(claim).catch((error) => {
      this.provisioned.delete(name);
      throw error;
    });
    const path = join(this.dir, `${claim.metadata!.namespace}_${claim.metadata!.name}_${claim.metadata!.uid!.slice(0, 8)}`);
    mkdirSync(path, { recursive: true });
    chmodSync(path, 0o755);
    const volume: k8s.V1PersistentVolume = {
      metadata: { name, labels: { 'e2e.odoo.io/provisioner': 'stand-in' }, annotations: { 'pv.kubernetes.io/provisioned-by': STAND_IN_PROVISIONER } },
      spec: {
        capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
        accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: reclaimPolicy,
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
