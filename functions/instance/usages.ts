// Deletion protection until the App's ValidatingAdmissionPolicy is in force
// (an upgrade from a version that used only these, or an App that cannot
// compose the policy): Crossplane Usages with a reason block deletion of the
// Instance itself, its filestore, and its Database where that would drop the
// data, while spec.deletionProtection is on (the default for production).
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
 * Usages keyed by what they protect. The Database's only where `guardDatabase`
 * (guardsDatabase in compose.ts: deleting it would drop the database). Each only once what it protects
 * exists: a Usage of an object not there yet only fails, retries and
 * rewrites its status, each write one more call for the Instance.
 */
export function protectionUsages(
  context: InstanceContext,
  exists: { database: boolean; filestore: boolean },
  guardDatabase: boolean,
): { key: string; object: KubeObject }[] {
  const names = instanceNames(context.name);
  return [
    {
      key: 'usage-instance',
      object: usage(context, 'instance', { apiVersion: INSTANCE_API_VERSION, kind: INSTANCE_KIND, name: context.name }, `Instance "${context.name}"`),
    },
    ...(exists.database && guardDatabase
      ? [
          {
            key: 'usage-database',
            object: usage(context, 'database', { apiVersion: PROVIDER_SQL_API_VERSION, kind: 'Database', name: names.database }, `Database "${context.databaseName}"`),
          },
        ]
      : []),
    ...(exists.filestore
      ? [
          {
            key: 'usage-filestore',
            object: usage(context, 'filestore', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: names.filestore }, `Filestore "${names.filestore}"`),
          },
        ]
      : []),
  ];
}
