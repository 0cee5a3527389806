// The filestore volume (/var/lib/odoo): attachments, sessions, assets.
import type { KubeObject } from '../shared/composition.js';
import { instanceNames } from '../shared/instance-names.js';
import type { InstanceContext } from './context.js';
import { instanceLabels } from './labels.js';
import type { InstanceSettings } from './settings.js';

export function filestoreClaim(context: InstanceContext, settings: InstanceSettings): KubeObject {
  const { filestore } = settings;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: instanceNames(context.name).filestore, namespace: context.namespace, labels: instanceLabels(context, 'filestore') },
    spec: {
      accessModes: [filestore.accessMode],
      resources: { requests: { storage: filestore.size } },
      ...(filestore.storageClassName ? { storageClassName: filestore.storageClassName } : {}),
    },
  };
}
