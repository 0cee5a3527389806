// What the kubelet resolves from a Pod spec before it starts a container:
// the environment (value, secretKeyRef, configMapKeyRef, fieldRef, with
// Kubernetes' $(VAR) expansion), the command line, and the user and groups
// from the Pod's and container's security contexts over the image's.
import type * as k8s from '@kubernetes/client-node';
import { homeOf, type Image } from './images.js';

export interface ObjectReader {
  configMap(namespace: string, name: string): Promise<k8s.V1ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<k8s.V1Secret | undefined>;
}

/** Kubernetes' $(VAR) expansion: defined names are replaced, $$ escapes, anything else stays as written. */
export function expand(text: string, vars: Readonly<Record<string, string>>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '$' && text[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (c === '$' && text[i + 1] === '(') {
      const end = text.indexOf(')', i + 2);
      if (end > 0) {
        const name = text.slice(i + 2, end);
        if (Object.hasOwn(vars, name)) {
          out += vars[name];
          i = end;
          continue;
        }
      }
    }
    out += c;
  }
  return out;
}

function fieldOf(pod: k8s.V1Pod, podIP: string, path: string): string {
  switch (path) {
    case 'metadata.name':
      return pod.metadata!.name!;
    case 'metadata.namespace':
      return pod.metadata!.namespace!;
    case 'metadata.uid':
      return pod.metadata!.uid!;
    case 'spec.nodeName':
      return pod.spec!.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec!.serviceAccountName ?? '';
    case 'status.podIP':
      return podIP;
    default:
      throw new Error(`fieldRef ${path} is not supported by the kubelet stand-in`);
  }
}

/** The container's own environment, in order, as the kubelet resolves it; throws when a reference is missing. */
export async function containerEnv(pod: k8s.V1Pod, container: k8s.V1Container, podIP: string, reader: ObjectReader): Promise<Record<string, string>> {
  const namespace = pod.metadata!.namespace!;
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const from = e.valueFrom;
    if (from === undefined) {
      env[e.name] = expand(e.value ?? '', env);
    } else if (from.secretKeyRef) {
      const s = await reader.secret(namespace, from.secretKeyRef.name!);
      const v = s?.data?.[from.secretKeyRef.key];
      if (v === undefined) {
        if (from.secretKeyRef.optional) continue;
        throw new Error(`secret ${namespace}/${from.secretKeyRef.name} has no key ${from.secretKeyRef.key}`);
      }
      env[e.name] = Buffer.from(v, 'base64').toString('utf8');
    } else if (from.configMapKeyRef) {
      const c = await reader.configMap(namespace, from.configMapKeyRef.name!);
      const v = c?.data?.[from.configMapKeyRef.key];
      if (v === undefined) {
        if (from.configMapKeyRef.optional) continue;
        throw new Error(`configmap ${namespace}/${from.configMapKeyRef.name} has no key ${from.configMapKeyRef.key}`);
      }
      env[e.name] = v;
    } else if (from.fieldRef) {
      env[e.name] = fieldOf(pod, podIP, from.fieldRef.fieldPath);
    } else {
      throw new Error(`env ${e.name}: only value, secretKeyRef, configMapKeyRef and fieldRef are supported by the kubelet stand-in`);
    }
  }
  return env;
}

/** The whole process environment: the image's, HOSTNAME, HOME for the user, then the container's. */
export function processEnv(image: Image, pod: k8s.V1Pod, uid: number, own: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of image.env) {
    const at = line.indexOf('=');
    out[line.slice(0, at)] = line.slice(at + 1);
  }
  out.HOSTNAME = pod.metadata!.name!;
  out.HOME = homeOf(image, uid);
  return { ...out, ...own };
}

/** command + args, or the image's entrypoint + args, expanded against the container's environment. */
export function commandLine(image: Image, container: k8s.V1Container, env: Record<string, string>): string[] {
  const command = container.command ?? image.entrypoint;
  const args = container.args ?? [];
  return [...command, ...args].map((word) => expand(word, env));
}

export interface RunAs {
  uid: number;
  gid: number;
  groups: number[];
}

/** The user and groups a container runs as: its security context over the Pod's over the image's. */
export function runAs(image: Image, pod: k8s.V1Pod, container: k8s.V1Container): RunAs {
  const podContext = pod.spec!.securityContext ?? {};
  const own = container.securityContext ?? {};
  const uid = own.runAsUser ?? podContext.runAsUser ?? image.user.uid;
  const gid = own.runAsGroup ?? podContext.runAsGroup ?? image.user.gid;
  if ((own.runAsNonRoot ?? podContext.runAsNonRoot) && uid === 0) {
    throw new Error(`container ${container.name} has runAsNonRoot and would run as root`);
  }
  const groups = [gid, ...(podContext.fsGroup !== undefined ? [podContext.fsGroup] : []), ...(podContext.supplementalGroups ?? [])];
  return { uid, gid, groups: [...new Set(groups)] };
}
