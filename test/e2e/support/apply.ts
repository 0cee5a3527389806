// kubectl apply, in process: server-side apply of every object in YAML files.
import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';

export async function applyObjects(kc: k8s.KubeConfig, objects: k8s.KubernetesObject[]): Promise<void> {
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  for (const object of objects) {
    await client.patch(object, undefined, undefined, 'function-odoo-e2e', true, k8s.PatchStrategy.ServerSideApply);
  }
}

export function loadYaml(file: string): k8s.KubernetesObject[] {
  return k8s.loadAllYaml(readFileSync(file, 'utf8')).filter((o): o is k8s.KubernetesObject => o !== null && typeof o === 'object');
}

export async function applyFiles(kc: k8s.KubeConfig, files: string[]): Promise<void> {
  for (const f of files) await applyObjects(kc, loadYaml(f));
}

/** Waits for CRDs to be Established. */
export async function crdsEstablished(kc: k8s.KubeConfig, names: string[]): Promise<boolean | undefined> {
  const api = kc.makeApiClient(k8s.ApiextensionsV1Api);
  for (const name of names) {
    const crd = await api.readCustomResourceDefinition({ name });
    if (!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return undefined;
  }
  return true;
}
