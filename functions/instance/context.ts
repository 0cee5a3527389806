// Everything an Instance depends on besides itself: its Tenant, the Tenant's
// App and, for copies, the source Instance. They arrive as required
// resources; until they do, the composer asks for them and composes nothing.
import semver from 'semver';
import { releaseImage } from '../app/release-catalogue.js';
import { APP_API_VERSION, APP_KIND, appResource, appServesNamespace, ODOO_SERIES, type App, type Release } from '../app/schema.js';
import type { ObservedObject, RequiredSelector } from '../shared/composition.js';
import { databaseName } from '../shared/instance-names.js';
import { instanceMessages as m, tenantMessages } from '../shared/messages.js';
import { formatIssues } from '../shared/validation.js';
import { TENANT_API_VERSION, TENANT_KIND, tenantResource, type Tenant } from '../tenant/schema.js';
import { recordedCutOver, type CutOver } from '../tenant/cut-over.js';
import { INSTANCE_API_VERSION, INSTANCE_KIND, type Instance, type InstanceType } from './schema.js';
import { record } from '../shared/observed.js';
import { BACKUP_PODS, backupPodsSelector } from './backups.js';

/** Names of the required resources an Instance asks Crossplane for. */
export const REQUIRED = { tenant: 'tenant', apps: 'apps', instances: 'instances' } as const;

/**
 * What an Instance asks for, the same on every call. Crossplane calls a
 * function again whenever the requirements it returns differ from the
 * previous call's, so asking for the Tenant first and then for the App it
 * names took three calls per reconcile; asking at once for the Tenant, every
 * App (a platform has a handful) and the instances of its namespace (a
 * copy's source; the tenant's count for maxInstances) takes two — the first,
 * which has nothing yet, and the one that composes.
 */
export function instanceRequirements(instance: Instance, namespace: string): Record<string, RequiredSelector> {
  // Whatever the tenant may route as primary (all but a testing instance) may be backed up, and its
  // scheduled backups' Pods carry the reports; asked for on every call, so the requirements never change.
  const backedUp = instance.spec.type !== 'testing';
  return {
    [REQUIRED.tenant]: { apiVersion: TENANT_API_VERSION, kind: TENANT_KIND, matchName: instance.spec.tenantRef.name, namespace },
    [REQUIRED.apps]: { apiVersion: APP_API_VERSION, kind: APP_KIND, matchLabels: {} },
    // Every type: a copy reads its source there, and each instance counts its tenant's against maxInstances.
    [REQUIRED.instances]: { apiVersion: INSTANCE_API_VERSION, kind: INSTANCE_KIND, matchLabels: {}, namespace },
    ...(backedUp ? { [BACKUP_PODS]: backupPodsSelector(namespace, instance.metadata.name) } : {}),
  };
}

const named = (list: readonly ObservedObject[] | undefined, name: string) => list?.find((o) => record(o.metadata).name === name);

export interface SourceInstance {
  name: string;
  databaseName: string;
  /** Its status.phase, or "Unknown". */
  phase: string;
  /** Release it runs now (status.runningRelease), when known. */
  runningRelease: string | undefined;
  /** The migration instance it stopped for at a cut-over (status.retiredBy). */
  retiredBy: string | undefined;
}

export interface InstanceContext {
  namespace: string;
  name: string;
  type: InstanceType;
  databaseName: string;
  tenant: Tenant;
  app: App;
  release: Release;
  image: string;
  /** For staging and migration: the instance to copy from. Undefined when missing. */
  sourceName: string | undefined;
  source: SourceInstance | undefined;
  /** Instance the tenant's base host name routes to now, and that host. */
  routedPrimary: string | undefined;
  baseHostName: string;
  /** A promotion of a migration instance under way in the tenant (its status.cutOver): which instance takes which over. */
  cutOver: CutOver | undefined;
  /**
   * The App's deletion-protection policy is in place (its status names it):
   * until then, an upgrade from Usages, or an App that cannot compose the
   * policy, the instance keeps guarding its data with Crossplane Usages.
   */
  appGuardsDeletion: boolean;
}

export type ContextResult =
  | { kind: 'waiting'; requirements: Record<string, RequiredSelector> }
  | { kind: 'fatal'; message: string }
  | { kind: 'ready'; context: InstanceContext; requirements: Record<string, RequiredSelector> };

function releaseList(app: App, includeRetired: boolean): string {
  return app.spec.releases
    .filter((r) => includeRetired || !r.retired)
    .map((r) => `${r.version} (${r.series})`)
    .join(', ');
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Which instance a copy reads from: spec.source, else the instance the
 * tenant routes as primary now (status), else the one it asks for (spec).
 * The routed one comes first: promoting a migration instance sets
 * spec.primaryInstance to it while it is still being migrated.
 */
export function sourceNameOf(instance: Instance, tenant: Tenant | undefined): string | undefined {
  if (instance.spec.type !== 'staging' && instance.spec.type !== 'migration') return undefined;
  // A migration instance being promoted copies the primary it takes over, whatever it rehearsed from.
  const cutOver = recordedCutOver(tenant?.status);
  if (instance.spec.type === 'migration' && cutOver?.instance === instance.metadata.name) return cutOver.from;
  return instance.spec.source?.instance ?? stringField(tenant?.status?.primaryInstance) ?? tenant?.spec.primaryInstance;
}

/**
 * Resolves the Instance's dependencies from required resources. `hasWeb`
 * says whether the instance already runs: a running instance may stay on a
 * release the App has since retired.
 */
export function resolveContext(
  instance: Instance,
  required: Readonly<Record<string, readonly ObservedObject[]>>,
  hasWeb: boolean,
): ContextResult {
  const namespace = instance.metadata.namespace ?? 'default';
  const name = instance.metadata.name;
  const requirements = instanceRequirements(instance, namespace);
  const tenants = required[REQUIRED.tenant];
  const apps = required[REQUIRED.apps];
  if (tenants === undefined || apps === undefined || required[REQUIRED.instances] === undefined) {
    return { kind: 'waiting', requirements };
  }
  const rawTenant = tenants[0];
  if (rawTenant === undefined) return { kind: 'fatal', message: m.tenantNotFound(namespace, instance.spec.tenantRef.name) };
  const parsedTenant = tenantResource.safeParse(rawTenant);
  if (!parsedTenant.success) {
    return { kind: 'fatal', message: m.tenantInvalid(instance.spec.tenantRef.name, formatIssues(parsedTenant.error, rawTenant)) };
  }
  const tenant = parsedTenant.data;

  const sourceName = sourceNameOf(instance, tenant);
  const rawApp = named(apps, tenant.spec.appRef.name);
  if (rawApp === undefined) return { kind: 'fatal', message: m.appNotFound(tenant.metadata.name, tenant.spec.appRef.name) };
  const parsedApp = appResource.safeParse(rawApp);
  if (!parsedApp.success) return { kind: 'fatal', message: m.appInvalid(tenant.spec.appRef.name, formatIssues(parsedApp.error, rawApp)) };
  const app = parsedApp.data;
  // The Tenant is refused too; its instances compose nothing on the App's server either.
  if (!appServesNamespace(app, namespace)) return { kind: 'fatal', message: tenantMessages.appNotForNamespace(app.metadata.name, namespace, app.spec.tenantNamespaces ?? []) };

  const version = instance.spec.release ?? (instance.spec.type === 'migration' ? tenant.spec.migration.targetRelease : undefined);
  if (version === undefined) return { kind: 'fatal', message: m.releaseRequired };
  const release = app.spec.releases.find((r) => r.version === version);
  if (release === undefined) {
    return { kind: 'fatal', message: m.unknownRelease(version, app.metadata.name, releaseList(app, false)) };
  }
  if (release.retired && !hasWeb) {
    return { kind: 'fatal', message: m.retiredRelease(version, app.metadata.name, releaseList(app, false)) };
  }

  let source: SourceInstance | undefined;
  const copies = instance.spec.type === 'staging' || instance.spec.type === 'migration';
  const rawSource = copies && sourceName !== undefined && sourceName !== name ? named(required[REQUIRED.instances], sourceName) : undefined;
  if (sourceName !== undefined && rawSource !== undefined) {
    const status = record(rawSource.status);
    source = {
      name: sourceName,
      databaseName: databaseName(namespace, sourceName),
      phase: stringField(status.phase) ?? 'Unknown',
      runningRelease: stringField(status.runningRelease),
      retiredBy: stringField(status.retiredBy),
    };
  }
  const tenantStatus = record(tenant.status);
  return {
    kind: 'ready',
    requirements,
    context: {
      namespace,
      name,
      type: instance.spec.type,
      databaseName: databaseName(namespace, name),
      tenant,
      app,
      release,
      image: releaseImage(app, release),
      sourceName,
      source,
      routedPrimary: stringField(tenantStatus.primaryInstance),
      cutOver: recordedCutOver(tenantStatus),
      baseHostName: stringField(tenantStatus.baseHostName) ?? tenant.spec.baseHostName,
      appGuardsDeletion: stringField(record(rawApp.status).deletionProtectionPolicy) !== undefined,
    },
  };
}

/** The release of `version` in the App, if any. */
export function findRelease(app: App, version: string | undefined): Release | undefined {
  return version === undefined ? undefined : app.spec.releases.find((r) => r.version === version);
}

/** Series after `from` up to and including `to`, in order: the steps of a migration. */
export function seriesSteps(from: string, to: string): string[] {
  const all = ODOO_SERIES as readonly string[];
  const start = all.indexOf(from);
  const end = all.indexOf(to);
  return start < 0 || end < 0 || end <= start ? [] : all.slice(start + 1, end + 1);
}

/** The newest release of a series that can migrate into it, preferring `preferred` when it qualifies. */
export function migrationRelease(app: App, series: string, preferred?: Release): Release | undefined {
  if (preferred && preferred.series === series && preferred.migration) return preferred;
  return app.spec.releases
    .filter((r) => r.series === series && r.migration !== undefined && !r.retired)
    .sort((a, b) => semver.rcompare(a.version, b.version))[0];
}
