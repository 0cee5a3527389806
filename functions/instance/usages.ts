// Deletion protection: Crossplane Usages with a reason block deletion of the
// Instance itself, its Database and its filestore while
// spec.deletionProtection is on (the default for production).
import type { KubeObject } from '../shared/composition.js';
import { instanceNames } from '../shared/instance-names.js';
import type { InstanceContext } from './context.js';
import { instanceLabels } from './labels.js';
import { INSTANCE_API_VERSION, INSTANCE_KIND } from './schema.js';
import { PROVIDER_SQL_API_VERSION } from '../app/provider-config.js';

const REASON = (what: string) => `${what} is protected (spec.deletionProtection): set it to false before deleting`;

function usage(context: InstanceContext, key: string, of: { apiVersion: string; kind: string; name: string }, what: string): KubeObject {
  return {
    apiVersion: 'protection.crossplane.io/v1beta1',
    kind: 'Usage',
    metadata: { name: instanceNames(context.name).usage(key), namespace: context.namespace, labels: instanceLabels(context, 'protection') },
    spec: {
      of: { apiVersion: of.apiVersion, kind: of.kind, resourceRef: { name: of.name } },
      reason: REASON(what),
    },
  };
}

/**
 * Usages keyed by what they protect. The Database's only once it is composed:
 * a Usage of a Database not yet there would only report that it cannot find it.
 */
export function protectionUsages(context: InstanceContext, databaseComposed: boolean): { key: string; object: KubeObject }[] {
  const names = instanceNames(context.name);
  return [
    {
      key: 'usage-instance',
      object: usage(context, 'instance', { apiVersion: INSTANCE_API_VERSION, kind: INSTANCE_KIND, name: context.name }, `Instance "${context.name}"`),
    },
    ...(databaseComposed
      ? [
          {
            key: 'usage-database',
            object: usage(context, 'database', { apiVersion: PROVIDER_SQL_API_VERSION, kind: 'Database', name: names.database }, `Database "${context.databaseName}"`),
          },
        ]
      : []),
    {
      key: 'usage-filestore',
      object: usage(context, 'filestore', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: names.filestore }, `Filestore "${names.filestore}"`),
    },
  ];
}
