// Runs spec.initSQL once, in one transaction, after the modules are installed.
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { instanceLabels } from '../labels.js';
import type { InstanceSpec } from '../schema.js';
import type { JobRun } from './odoo-job.js';
import { bash, odooJob } from './odoo-job.js';

type InitSQL = NonNullable<InstanceSpec['initSQL']>;

/** Inline SQL is delivered through a ConfigMap of ours; references point at the user's own. */
export function initSQLConfigMap(context: InstanceContext, sql: InitSQL): KubeObject | undefined {
  if (sql.inline === undefined) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: instanceNames(context.name).initSQL, namespace: context.namespace, labels: instanceLabels(context, 'init-sql') },
    data: { 'init.sql': sql.inline },
  };
}

function sqlSource(context: InstanceContext, sql: InitSQL): { volume: Record<string, unknown>; key: string } {
  if (sql.secretKeyRef) return { volume: { secret: { secretName: sql.secretKeyRef.name } }, key: sql.secretKeyRef.key };
  if (sql.configMapKeyRef) return { volume: { configMap: { name: sql.configMapKeyRef.name } }, key: sql.configMapKeyRef.key };
  return { volume: { configMap: { name: instanceNames(context.name).initSQL } }, key: 'init.sql' };
}

export function initSQLJob(context: InstanceContext, sql: InitSQL, run: JobRun): KubeObject {
  const source = sqlSource(context, sql);
  return odooJob(context, {
    name: instanceNames(context.name).job('init-sql'),
    step: 'init-sql',
    release: context.release,
    command: bash(`psql --no-psqlrc -v ON_ERROR_STOP=1 --single-transaction --file=/init-sql/${source.key}`),
    ...run,
    volumes: [{ name: 'init-sql', ...source.volume }],
    mounts: [{ name: 'init-sql', mountPath: '/init-sql', readOnly: true }],
  });
}
