// The provider-sql ClusterProviderConfig through which every instance of the
// App gets its role and database on the App's PostgreSQL server.
import type { KubeObject } from '../shared/composition.js';
import { appLabels } from '../shared/labels.js';
import { kubeName } from '../shared/names.js';
import type { App } from './schema.js';

export const PROVIDER_SQL_API_VERSION = 'postgresql.sql.m.crossplane.io/v1alpha1';

/** Name of the ClusterProviderConfig of an App; Instances read it from the App's status. */
export function providerConfigName(app: App): string {
  return kubeName(['odoo', app.metadata.name]);
}

export function clusterProviderConfig(app: App): KubeObject {
  const { database } = app.spec;
  const keys = database.adminSecretKeys;
  const secretKeyMapping = keys && Object.keys(keys).length > 0 ? { secretKeyMapping: { ...keys } } : {};
  return {
    apiVersion: PROVIDER_SQL_API_VERSION,
    kind: 'ClusterProviderConfig',
    metadata: {
      name: providerConfigName(app),
      labels: appLabels(app.metadata.name, 'database-provider'),
    },
    spec: {
      credentials: {
        source: 'PostgreSQLConnectionSecret',
        connectionSecretRef: { name: database.adminSecretRef.name, namespace: database.adminSecretRef.namespace },
        ...secretKeyMapping,
      },
      defaultDatabase: database.defaultDatabase,
      sslMode: database.sslMode,
    },
  };
}
