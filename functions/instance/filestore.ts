// The filestore volume (/var/lib/odoo): attachments, sessions, assets.
import type { KubeObject } from '../shared/composition.js';
import { instanceNames } from '../shared/instance-names.js';
import type { InstanceContext } from './context.js';
import { instanceLabels, protectionLabel } from './labels.js';
import type { InstanceSettings } from './settings.js';

export function filestoreClaim(context: InstanceContext, settings: InstanceSettings): KubeObject {
  const { filestore } = settings;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: instanceNames(context.name).filestore,
      namespace: context.namespace,
      // Guarded by the App's deletion-protection policy: web Pods keep a claim in use, but a
      // deleted claim is gone the moment they stop (an upgrade), and the filestore with it.
      labels: { ...instanceLabels(context, 'filestore'), ...protectionLabel(settings.protectionLabelled) },
    },
    spec: {
      accessModes: [filestore.accessMode],
      resources: { requests: { storage: filestore.size } },
      ...(filestore.storageClassName ? { storageClassName: filestore.storageClassName } : {}),
    },
  };
}
