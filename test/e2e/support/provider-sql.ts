// provider-sql as a process against the e2e API server, for the revision
// Crossplane's package manager installed from the package built of the same
// module version the render tests validate against.
import * as k8s from '@kubernetes/client-node';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../scripts/function-process.js';
import { goModuleDir, SCHEMA_MODULES } from '../../../scripts/schema-sources.js';
import { crdsEstablished, loadYaml } from './apply.js';
import type { ControlPlaneProfile } from './crossplane.js';
import { eventually, type Managed, type Processes } from './processes.js';

/** Waits until every CRD of the package serves: the provider lists all of its kinds, MySQL and MSSQL too, when it starts. */
export async function providerSqlCrdsEstablished(kc: k8s.KubeConfig): Promise<void> {
  const dir = join(goModuleDir(SCHEMA_MODULES.providerSql.module, SCHEMA_MODULES.providerSql.version), 'package', 'crds');
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => loadYaml(join(dir, f)).map((o) => o.metadata!.name!));
  await eventually('the CRDs of the installed provider-sql package to be established', () => crdsEstablished(kc, names), 180_000, 1000);
}

export interface RunningProviderSql {
  readonly process: Managed;
  /** Kills the provider (SIGKILL) and leaves it down until start(). */
  kill: () => Promise<void>;
  start: () => Promise<void>;
}

/** As Crossplane's (crossplane.ts): `test` polls every 10 s so a restarted PostgreSQL is seen within a test; `production` keeps the provider's 10 min default. */
export function providerSqlFlags(profile: ControlPlaneProfile): string[] {
  return [...(profile.debug ? ['--debug'] : []), ...(profile.intervals === 'test' ? ['--poll=10s'] : []), ...(profile.providerSqlFlags ?? [])];
}

export async function startProviderSql(binary: string, kubeconfig: string, processes: Processes, profile: ControlPlaneProfile): Promise<RunningProviderSql> {
  const run = async () => processes.start('provider-sql', binary, [...providerSqlFlags(profile), `--metrics-bind-address=127.0.0.1:${await freePort()}`], { KUBECONFIG: kubeconfig });
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
