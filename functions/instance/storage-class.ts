// Which storage class a filestore may have. A class decides where the
// customer's files live, what they cost, and whether they outlive their
// claim (its reclaim policy: the App's Retain class is what keeps a
// deleted production's files), so a key account manager or an end user
// chooses only among the classes the App lets them: its own and
// spec.filestore.allowedStorageClasses.
import type { InstanceSizing } from '../shared/instance-spec-kit.js';
import type { InstanceContext } from './context.js';
import type { Instance } from './schema.js';

/** The refusal of a storage class a Tenant type spec or the Instance chose and the App does not offer, or undefined. */
export function storageClassRefusal(instance: Instance, typeSpec: InstanceSizing | undefined, context: InstanceContext): string | undefined {
  const app = context.app;
  const offered = [app.spec.filestore.storageClassName, ...(app.spec.filestore.allowedStorageClasses ?? [])].filter((c): c is string => c !== undefined);
  const chosen: [string | undefined, string][] = [
    [typeSpec?.filestore?.storageClassName, `Tenant "${context.tenant.metadata.name}" spec.${instance.spec.type}.filestore.storageClassName`],
    [instance.spec.filestore?.storageClassName, 'spec.filestore.storageClassName'],
  ];
  for (const [storageClass, field] of chosen) {
    if (storageClass === undefined || offered.includes(storageClass)) continue;
    const choice = offered.length > 0 ? `it offers ${offered.map((c) => `"${c}"`).join(', ')}` : 'it offers none besides the cluster default';
    return `${field}: "${storageClass}" is not a storage class App "${app.metadata.name}" lets tenants choose (its spec.filestore.storageClassName and allowedStorageClasses; ${choice}); remove it, or ask the DevOps team to list it`;
  }
  return undefined;
}
