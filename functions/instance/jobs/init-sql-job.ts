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

/**
 * Runs the SQL as SQL: one transaction through psycopg2 (in every Odoo image),
 * not psql, whose backslash commands (\connect, \!) would reach other
 * databases or a shell. On an error it prints the SQLSTATE and, for SQL that
 * is not from a Secret, PostgreSQL's one-line message; never the SQL itself.
 * argv: SQL file, "secret" when the SQL came from a Secret.
 */
export const RUN_SQL_PY = String.raw`
import sys, psycopg2
path, secret = sys.argv[1], sys.argv[2] == 'secret'
sql = open(path, encoding='utf-8').read()
conn = psycopg2.connect('')
try:
    with conn:
        with conn.cursor() as cur:
            cur.execute(sql)
except psycopg2.Error as e:
    where = ' at character %s' % e.diag.statement_position if e.diag.statement_position else ''
    sys.exit('initSQL failed (SQLSTATE %s%s)%s; nothing of it was applied' % (e.pgcode, where, '' if secret else ': ' + (e.diag.message_primary or '')))
finally:
    conn.close()
print('initSQL applied')
`.trim();

const SQL_FILE = 'init.sql';

/** Only the one key, projected to a fixed file name: nothing else of the ConfigMap or Secret reaches the Pod. */
function sqlVolume(context: InstanceContext, sql: InitSQL): { volume: Record<string, unknown>; secret: boolean } {
  const items = (key: string) => [{ key, path: SQL_FILE }];
  if (sql.secretKeyRef) return { volume: { secret: { secretName: sql.secretKeyRef.name, items: items(sql.secretKeyRef.key) } }, secret: true };
  if (sql.configMapKeyRef) return { volume: { configMap: { name: sql.configMapKeyRef.name, items: items(sql.configMapKeyRef.key) } }, secret: false };
  return { volume: { configMap: { name: instanceNames(context.name).initSQL, items: items('init.sql') } }, secret: false };
}

/**
 * Whose ConfigMap or Secret spec.initSQL may read: only the instance's own,
 * named after it, so an end user cannot have the Job read another
 * instance's (or the namespace's) Secrets into the database.
 */
export function initSQLRefRefused(instanceName: string, sql: InitSQL): string | undefined {
  const ref = sql.secretKeyRef ? { field: 'secretKeyRef', name: sql.secretKeyRef.name } : sql.configMapKeyRef ? { field: 'configMapKeyRef', name: sql.configMapKeyRef.name } : undefined;
  if (ref === undefined || ref.name.startsWith(`${instanceName}-`)) return undefined;
  return `spec.initSQL.${ref.field}.name: "${ref.name}" is not this instance's: initSQL reads only a ${ref.field === 'secretKeyRef' ? 'Secret' : 'ConfigMap'} named after the instance, such as "${instanceName}-init-sql"; rename it or copy the key into one`;
}

export function initSQLJob(context: InstanceContext, sql: InitSQL, run: JobRun): KubeObject {
  const source = sqlVolume(context, sql);
  return odooJob(context, {
    name: instanceNames(context.name).job('init-sql'),
    step: 'init-sql',
    release: context.release,
    command: bash(`python3 - /init-sql/${SQL_FILE} ${source.secret ? 'secret' : 'plain'} <<'PY'\n${RUN_SQL_PY}\nPY`),
    ...run,
    volumes: [{ name: 'init-sql', ...source.volume }],
    mounts: [{ name: 'init-sql', mountPath: '/init-sql', readOnly: true }],
  });
}
