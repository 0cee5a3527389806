// A Pod's volumes on the host, as the kubelet sets them up: ConfigMap and
// Secret contents written as files, emptyDirs as directories of the Pod,
// claims as the directory of the PersistentVolume bound to them (which
// outlives the Pod: a copy Job reads its source's filestore there), and the
// Pod's fsGroup applied the way the kubelet's volume ownership management
// does it (group owner fsGroup, group read/write, setgid directories).
import type * as k8s from '@kubernetes/client-node';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ObjectReader } from './pod-spec.js';

export interface VolumeReader extends ObjectReader {
  claim(namespace: string, name: string): Promise<k8s.V1PersistentVolumeClaim | undefined>;
  volume(name: string): Promise<k8s.V1PersistentVolume | undefined>;
}

export interface HostVolume {
  path: string;
  /** ConfigMaps and Secrets are always mounted read-only; claims when the Pod says so. */
  readOnly: boolean;
}

function writeItems(dir: string, data: Record<string, Buffer>, items: k8s.V1KeyToPath[] | undefined, defaultMode: number | undefined): void {
  mkdirSync(dir, { recursive: true });
  const chosen: k8s.V1KeyToPath[] = items ?? Object.keys(data).map((key) => ({ key, path: key }));
  for (const item of chosen) {
    const content = data[item.key];
    if (content === undefined) throw new Error(`key ${item.key} not found`);
    const file = join(dir, item.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    chmodSync(file, item.mode ?? defaultMode ?? 0o644);
  }
}

/**
 * The kubelet's SetVolumeOwnership: every file gets group fsGroup and group
 * read/write (read for read-only volumes), directories also setgid and
 * group execute. With OnRootMismatch it does nothing when the volume's root
 * already has the right group and mode.
 */
export function applyFsGroup(root: string, fsGroup: number, readOnly: boolean, policy: string | undefined): void {
  const mask = readOnly ? 0o440 : 0o660;
  const rootStat = statSync(root);
  if (policy === 'OnRootMismatch' && rootStat.gid === fsGroup && (rootStat.mode & (mask | 0o2110)) === (mask | 0o2110)) return;
  const walk = (path: string) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    chownSync(path, st.uid, fsGroup);
    chmodSync(path, (st.mode & 0o7777) | mask | (st.isDirectory() ? 0o2110 : 0));
    if (st.isDirectory()) for (const child of readdirSync(path)) walk(join(path, child));
  };
  walk(root);
}

/** Sets up every volume of the Pod under `podDir`; throws (and the kubelet retries) when something it needs is not there yet. */
export async function podVolumes(pod: k8s.V1Pod, podDir: string, reader: VolumeReader): Promise<Map<string, HostVolume>> {
  const namespace = pod.metadata!.namespace!;
  const fsGroup = pod.spec!.securityContext?.fsGroup;
  const policy = pod.spec!.securityContext?.fsGroupChangePolicy;
  const out = new Map<string, HostVolume>();
  for (const v of pod.spec!.volumes ?? []) {
    const dir = join(podDir, 'volumes', v.name);
    let volume: HostVolume;
    if (v.configMap) {
      const cm = await reader.configMap(namespace, v.configMap.name!);
      if (cm === undefined && !v.configMap.optional) throw new Error(`configmap ${namespace}/${v.configMap.name} not found`);
      const data = Object.fromEntries(Object.entries(cm?.data ?? {}).map(([k, s]) => [k, Buffer.from(s, 'utf8')]));
      writeItems(dir, data, v.configMap.items, v.configMap.defaultMode);
      volume = { path: dir, readOnly: true };
    } else if (v.secret) {
      const secret = await reader.secret(namespace, v.secret.secretName!);
      if (secret === undefined && !v.secret.optional) throw new Error(`secret ${namespace}/${v.secret.secretName} not found`);
      const data = Object.fromEntries(Object.entries(secret?.data ?? {}).map(([k, s]) => [k, Buffer.from(s, 'base64')]));
      writeItems(dir, data, v.secret.items, v.secret.defaultMode);
      volume = { path: dir, readOnly: true };
    } else if (v.emptyDir) {
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o777);
      volume = { path: dir, readOnly: false };
    } else if (v.persistentVolumeClaim) {
      const claim = await reader.claim(namespace, v.persistentVolumeClaim.claimName);
      const bound = claim?.spec?.volumeName;
      if (!bound || claim?.status?.phase !== 'Bound') throw new Error(`claim ${namespace}/${v.persistentVolumeClaim.claimName} is not bound yet`);
      const pv = await reader.volume(bound);
      const path = pv?.spec?.local?.path ?? pv?.spec?.hostPath?.path;
      if (!path) throw new Error(`volume ${bound} has no local path`);
      volume = { path, readOnly: v.persistentVolumeClaim.readOnly === true };
      // Local volumes get the Pod's fsGroup (hostPath ones would not).
      if (fsGroup !== undefined && pv?.spec?.local) applyFsGroup(path, fsGroup, volume.readOnly, policy);
      out.set(v.name, volume);
      continue;
    } else {
      throw new Error(`volume ${v.name}: only configMap, secret, emptyDir and persistentVolumeClaim are supported by the kubelet stand-in`);
    }
    if (fsGroup !== undefined) applyFsGroup(dir, fsGroup, volume.readOnly, undefined);
    out.set(v.name, volume);
  }
  return out;
}

export interface ContainerMount {
  source: string;
  target: string;
  readOnly: boolean;
  file: boolean;
}

/** The container's volumeMounts on the host paths of its Pod's volumes. */
export function containerMounts(container: k8s.V1Container, volumes: Map<string, HostVolume>): ContainerMount[] {
  return (container.volumeMounts ?? []).map((m) => {
    const volume = volumes.get(m.name);
    if (!volume) throw new Error(`container ${container.name} mounts unknown volume ${m.name}`);
    const source = m.subPath ? join(volume.path, m.subPath) : volume.path;
    return { source, target: m.mountPath, readOnly: volume.readOnly || m.readOnly === true, file: statSync(source).isFile() };
  });
}
