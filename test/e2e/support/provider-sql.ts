// provider-sql as a process against the e2e API server: its namespaced
// (postgresql.sql.m.crossplane.io) and cluster CRDs from the same module
// version the render tests validate against.
import * as k8s from '@kubernetes/client-node';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../scripts/function-process.js';
import { goModuleDir, SCHEMA_MODULES } from '../../../scripts/schema-sources.js';
import { applyFiles, crdsEstablished, loadYaml } from './apply.js';
import { eventually, type Managed, type Processes } from './processes.js';

export async function installProviderSqlCrds(kc: k8s.KubeConfig): Promise<void> {
  const dir = join(goModuleDir(SCHEMA_MODULES.providerSql.module, SCHEMA_MODULES.providerSql.version), 'package', 'crds');
  // Every CRD of the package, MySQL and MSSQL too: the provider lists all of its kinds when it starts.
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f));
  await applyFiles(kc, files);
  const names = files.flatMap((f) => loadYaml(f).map((o) => o.metadata!.name!));
  await eventually('provider-sql CRDs to be established', () => crdsEstablished(kc, names), 60_000);
}

export interface RunningProviderSql {
  readonly process: Managed;
  /** Kills the provider (SIGKILL) and leaves it down until start(). */
  kill: () => Promise<void>;
  start: () => Promise<void>;
}

export async function startProviderSql(binary: string, kubeconfig: string, processes: Processes): Promise<RunningProviderSql> {
  const run = async () => processes.start('provider-sql', binary, ['--debug', '--poll=10s', `--metrics-bind-address=127.0.0.1:${await freePort()}`], { KUBECONFIG: kubeconfig });
  let current = await run();
  return {
    get process() {
      return current;
    },
    kill: () => current.kill(),
    start: async () => {
      current = await run();
    },
  };
}
