// The Instance composer: (Instance, observed, required) → desired state.
import { settledTtl, TTL, type ComposeOutcome, type KubeObject, type ObservedObject, type RequiredSelector, type XrCondition } from '../shared/composition.js';
import { instanceNames, secondaryHost } from '../shared/instance-names.js';
import { isReady, withObservedReadiness } from '../shared/readiness.js';
import { findRelease, REQUIRED, resolveContext, type InstanceContext } from './context.js';
import { database, databaseCType, databaseRole, retiredExtensions } from './database.js';
import { filestoreClaim } from './filestore.js';
import { asCreated } from './jobs/created-job.js';
import { initSQLConfigMap, initSQLRefRefused } from './jobs/init-sql-job.js';
import { deriveLifecycle, jobKey, WORKLOAD_KEYS, type Lifecycle } from './lifecycle.js';
import { odooConfConfigMap } from './odoo-conf.js';
import type { Instance } from './schema.js';
import { instanceSettings, tenantTypeSpec, type InstanceSettings } from './settings.js';
import { instanceLimit, quotaViolations } from './quotas.js';
import { instanceCountRefusal } from './instance-count.js';
import { storageClassRefusal } from './storage-class.js';
import { connectionBudgetRefusal } from './connection-budget.js';
import { protectionUsages } from './usages.js';
import { autoscaledReplicas, cronDeployment, observedRunAsUser, observedStopped, odooService, webAutoscaler, webDeployment, webDisruptionBudget } from './workloads.js';
import { LIFETIME_KEY, testingExpiry, type Expiry } from './lifetime.js';
import { releaseUid } from '../app/release-catalogue.js';
import { LABEL } from '../shared/labels.js';
import { labelOf } from '../shared/observed.js';
import { instanceMessages as m } from '../shared/messages.js';
import { optionInSeries } from '../shared/odoo-options.js';
import { BACKUP_PODS, backupState, scheduledBackups } from './backups.js';
import { ADMIN_LOGIN_KEY, adminLoginSecret, CREDENTIALS_KEY, keepsAdminLogin } from './admin-login.js';

export const INSTANCE_RESOURCE = {
  role: 'role',
  database: 'database',
  config: 'odoo-conf',
  initSQL: 'init-sql',
  filestore: 'filestore',
  service: 'service',
  pdb: 'pdb',
  autoscaler: 'hpa',
} as const;


/** The host an instance answers on: the base host name when the tenant routes it as primary. */
export function instanceHost(context: InstanceContext): string {
  return context.routedPrimary === context.name ? context.baseHostName : secondaryHost(context.name, context.baseHostName);
}

function databaseState(observed: Readonly<Record<string, ObservedObject>>): { ready: boolean; waitingFor: string } {
  const parts: [string, string][] = [
    [INSTANCE_RESOURCE.role, 'role'],
    [INSTANCE_RESOURCE.database, 'database'],
  ];
  const pending = parts.filter(([key]) => !isReady(observed[key])).map(([, what]) => what);
  return { ready: pending.length === 0, waitingFor: pending.join(', ') };
}

function databaseCondition(context: InstanceContext, state: { ready: boolean; waitingFor: string }): XrCondition {
  return state.ready
    ? { type: 'DatabaseReady', status: 'True', reason: 'Available', message: `Role and database ${context.databaseName} exist` }
    : { type: 'DatabaseReady', status: 'False', reason: 'WaitingForDatabase', message: `Waiting for the ${state.waitingFor} of ${context.databaseName} (provider-sql)` };
}

/**
 * The Database, once its owner role exists. Once composed it stays composed,
 * whatever the role's readiness later: a Database dropped from the desired
 * state would be deleted, and with it the customer's data. Its extensions
 * are the role's own, created by the Job that first writes the database.
 */
function databaseResources(context: InstanceContext, settings: InstanceSettings, observed: Readonly<Record<string, ObservedObject>>, ctype: string): { key: string; object: KubeObject }[] {
  if (!isReady(observed[INSTANCE_RESOURCE.role]) && observed[INSTANCE_RESOURCE.database] === undefined) return [];
  return [{ key: INSTANCE_RESOURCE.database, object: database(context, settings.dataRetention, guardsDatabase(settings) && settings.protectionLabelled, ctype) }];
}

/**
 * Whether deleting the Database object must be refused: only where it would
 * drop the database (dataRetention: Delete; with Retain its management
 * policies leave the database in PostgreSQL, and the object comes back).
 */
function guardsDatabase(settings: InstanceSettings): boolean {
  return settings.deletionProtection && settings.dataRetention === 'Delete';
}

function workloadResources(
  instance: Instance,
  context: InstanceContext,
  settings: InstanceSettings,
  lifecycle: Lifecycle,
  observed: Readonly<Record<string, ObservedObject>>,
  expired: boolean,
): { key: string; object: KubeObject }[] {
  const w = lifecycle.workloads;
  if (w === undefined) return [];
  const stopped = w.stopped || expired;
  const autoscaling = settings.autoscaling;
  const webReplicas = stopped ? 0 : autoscaling !== undefined ? autoscaledReplicas(observed[WORKLOAD_KEYS.web], autoscaling) : settings.replicas;
  const smtp = settings.mail.kind === 'server' ? settings.mail.server.passwordSecretRef : undefined;
  // Only the instance the tenant routes as primary runs the customer's cron: two databases of one customer
  // must never both send its mail queue or fetch its mail (a POP fetch deletes it from the server).
  const cronAllowed = context.routedPrimary === context.name;
  const runsCron = cronAllowed && settings.config.maxCronThreads > 0;
  const release = findRelease(context.app, w.release);
  const plan = {
    release: w.release,
    image: w.image,
    // A release the App no longer lists keeps the UID it was observed running as.
    runAsUser: release !== undefined ? releaseUid(context.app, release) : (observedRunAsUser(observed[WORKLOAD_KEYS.web]) ?? releaseUid(context.app, context.release)),
    webReplicas,
    cronReplicas: stopped || !runsCron ? 0 : 1,
    cronThreads: Math.max(settings.config.maxCronThreads, 1),
    resources: settings.resources,
    smtpPassword: smtp,
    workers: settings.config.workers,
    limitTimeReal: settings.config.limitTimeReal,
  };
  const out: { key: string; object: KubeObject }[] = [{ key: WORKLOAD_KEYS.web, object: webDeployment(context, plan) }];
  // An instance that never runs the customer's cron (a copy, a test, a former primary) has no cron Deployment;
  // one that stops running it keeps its Deployment at zero until its Pods are gone, so a Job that needs them
  // stopped never starts beside a cron Pod still shutting down.
  if (runsCron || !observedStopped(observed[WORKLOAD_KEYS.cron])) out.push({ key: WORKLOAD_KEYS.cron, object: cronDeployment(context, plan) });
  if (autoscaling !== undefined) out.push({ key: INSTANCE_RESOURCE.autoscaler, object: webAutoscaler(context, autoscaling) });
  const several = autoscaling !== undefined ? autoscaling.minReplicas > 1 : settings.replicas > 1;
  if (instance.spec.type === 'production' && several) out.push({ key: INSTANCE_RESOURCE.pdb, object: webDisruptionBudget(context) });
  return out;
}

/**
 * How soon Crossplane should call again. A transition moves with its Jobs
 * and Deployments, whose changes Crossplane watches; an instance waiting for
 * its source, or for the Tenant to route it, moves when another XR changes,
 * which Crossplane does not watch, so only the next call can see it: with the
 * steady TTL a staging copy created next to its production would wait up to
 * ten minutes after production runs (seen in the end-to-end SaaS load).
 * Downtime is the exception: see TTL.customerWaiting.
 */
function recheckSeconds(lifecycle: Lifecycle, context: InstanceContext, settings: InstanceSettings, expiryRecheck: number | undefined): number {
  // Named as primary but not routed yet: the Tenant moves the route once this instance runs, and its cron
  // starts then. Until it runs, its own Jobs and Deployments wake it (watched).
  const awaitingRoute = context.tenant.spec.primaryInstance === context.name && context.routedPrimary !== context.name && !lifecycle.transitioning;
  // Routed, with a migration instance in the tenant (its status lists them): a promotion of it stops this one for
  // its cut-over, and nothing Crossplane watches tells this one when the KAM asks for it; the downtime starts then.
  const secondaries = (context.tenant.status?.secondaryInstances ?? []) as { type?: unknown }[];
  const promotedAway =
    context.routedPrimary === context.name && (context.tenant.spec.primaryInstance !== context.name || (Array.isArray(secondaries) && secondaries.some((i) => i?.type === 'migration')));
  // Protection turned on labels the claim and Database once Crossplane wrote the status that says so: a
  // write of its own it may not be woken by.
  const awaitingProtectionStatus = settings.deletionProtection && !settings.protectionLabelled;
  // Web and cron of an instance that ran are held at 0 for a step (the backup, upgrade or rollback, a cut-over's
  // copy and migration, waiting for the last Pods to exit): its users wait for each step. Not a first init, a
  // test run or a rollout, which serve or have no users yet (and run by the hundred in a SaaS): the watch brings them.
  if (lifecycle.transitioning && lifecycle.workloads?.stopped === true) return TTL.customerWaiting;
  if (lifecycle.phase === 'WaitingForSource' || awaitingRoute || promotedAway || awaitingProtectionStatus) return TTL.awaitingOthers;
  if (lifecycle.transitioning) return TTL.watched;
  return expiryRecheck ?? TTL.steady;
}

/**
 * A change of spec.type or spec.tenantRef the API server let through (an
 * XRD without the rule, or a claim): refused, since it would run another
 * lifecycle, or another tenant's, over this instance's database.
 */
function refusedChange(context: InstanceContext, observed: Readonly<Record<string, ObservedObject>>): string | undefined {
  for (const o of Object.values(observed)) {
    const type = labelOf(o, LABEL.instanceType);
    if (type !== undefined && type !== context.type) return m.typeChangeRefused(context.name, type, context.type);
    const tenant = labelOf(o, LABEL.tenant);
    if (tenant !== undefined && tenant !== context.tenant.metadata.name) return m.tenantChangeRefused(context.name, tenant, context.tenant.metadata.name);
  }
  return undefined;
}

/**
 * An Instance's name becomes a host label (<instance>.<baseHostName>) and
 * object names: a name with dots would claim hosts below another's and map
 * onto the same objects as its dashed twin.
 */
function refusedName(name: string): string | undefined {
  return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name) ? undefined : m.nameNotLabel(name);
}

/** An odoo.conf option the release's Odoo series does not have: Odoo would ignore it, silently. */
function optionsOutOfSeries(settings: InstanceSettings, context: InstanceContext): string | undefined {
  const missing = Object.keys(settings.config.options).filter((k) => !optionInSeries(k, context.release.series));
  return missing.length === 0 ? undefined : m.optionNotInSeries(missing, context.release.series);
}

/** Autoscaled web Pods share one filestore from several nodes. */
function refusedAutoscaling(instance: Instance, settings: InstanceSettings): string | undefined {
  if (instance.spec.autoscaling !== undefined && instance.spec.type !== 'production') return m.autoscalingType(instance.spec.type);
  if (settings.autoscaling !== undefined && settings.filestore.accessMode !== 'ReadWriteMany') return m.autoscalingNeedsShared;
  return undefined;
}

/**
 * Whether web Pods answer on the instance's host now: the Tenant routes the
 * host to its maintenance page otherwise. Observed: a web Pod is ready and
 * the lifecycle is not stopping web.
 */
function servingNow(lifecycle: Lifecycle, expiry: Expiry, observedWeb: ObservedObject | undefined): boolean {
  if (lifecycle.workloads === undefined || lifecycle.workloads.stopped || expiry.expired) return false;
  const spec = (observedWeb?.spec ?? {}) as { replicas?: unknown };
  const status = (observedWeb?.status ?? {}) as { readyReplicas?: unknown };
  return typeof spec.replicas === 'number' && spec.replicas > 0 && typeof status.readyReplicas === 'number' && status.readyReplicas > 0;
}

/** spec.restore asks for what this instance can do. */
function refusedRestore(instance: Instance, settings: InstanceSettings): string | undefined {
  if (instance.spec.restore === undefined) return undefined;
  if (instance.spec.type !== 'production' && instance.spec.type !== 'staging') return m.restoreType(instance.spec.type);
  if (settings.backup.storage === undefined) return m.restoreNeedsStorage;
  return undefined;
}

function credentialsSelector(instance: Instance): Record<string, RequiredSelector> {
  return { [CREDENTIALS_KEY]: { apiVersion: 'v1', kind: 'Secret', matchName: instanceNames(instance.metadata.name).credentials, namespace: instance.metadata.namespace ?? 'default' } };
}

export function composeInstance(
  instance: Instance,
  observed: Readonly<Record<string, ObservedObject>>,
  required: Readonly<Record<string, readonly ObservedObject[]>>,
): ComposeOutcome {
  // An instance that ran (its web Deployment, or the release its status recorded while it ran) may stay on a retired release.
  const recorded = instance.status?.runningRelease;
  const hasRun = observed[WORKLOAD_KEYS.web] !== undefined || (typeof recorded === 'string' && recorded !== '');
  const resolved = resolveContext(instance, required, hasRun);
  if (resolved.kind === 'fatal') return resolved;
  // The role's password, only until the admin login Secret derived from it exists.
  const credentials = keepsAdminLogin(instance, observed, !hasRun) && observed[ADMIN_LOGIN_KEY] === undefined ? credentialsSelector(instance) : {};
  if (resolved.kind === 'waiting') {
    // Crossplane fetches the required resources and calls again; this answer is not applied.
    return { kind: 'composed', composed: { resources: [], status: {}, conditions: [], warnings: [], requirements: { ...resolved.requirements, ...credentials }, ttlSeconds: TTL.awaitingOthers } };
  }
  const { context } = resolved;
  const settings = instanceSettings(instance, context);
  const refused =
    refusedName(instance.metadata.name) ??
    refusedChange(context, observed) ??
    refusedRestore(instance, settings) ??
    refusedAutoscaling(instance, settings) ??
    (instance.spec.initSQL ? initSQLRefRefused(instance.metadata.name, instance.spec.initSQL) : undefined) ??
    optionsOutOfSeries(settings, context) ??
    // Admission only: an instance that already runs keeps its claim's class, and is not stopped by a lowered count.
    (hasRun ? undefined : storageClassRefusal(instance, tenantTypeSpec(context, instance), context)) ??
    (hasRun ? undefined : instanceCountRefusal(context, instanceLimit(context), instance, required[REQUIRED.instances] ?? [])) ??
    (() => {
      const over = quotaViolations(instance, tenantTypeSpec(context, instance), context, settings);
      return over.length > 0 ? over.join('; ') : undefined;
    })() ??
    connectionBudgetRefusal(settings, context);
  if (refused !== undefined) return { kind: 'fatal', message: refused };
  const url = `https://${instanceHost(context)}`;
  const db = databaseState(observed);
  const lifecycle = deriveLifecycle({
    instance,
    context,
    settings,
    observed,
    databaseReady: db.ready,
    databaseWaitingFor: db.waitingFor,
    url,
    required,
  });

  const expiry = testingExpiry(context, observed[LIFETIME_KEY]);
  const recordedCType = instance.status?.databaseCType;
  const ctype = databaseCType(observed[INSTANCE_RESOURCE.database], typeof recordedCType === 'string' ? recordedCType : undefined);
  const databaseObjects = databaseResources(context, settings, observed, ctype);
  const backups = scheduledBackups(context, settings, findRelease(context.app, lifecycle.runningRelease), lifecycle.transitioning);
  const backup = backupState(context, settings, required[BACKUP_PODS]);
  const adminLogin = adminLoginSecret(instance, context, observed, required[CREDENTIALS_KEY]?.[0], !hasRun);
  const objects = [
    { key: INSTANCE_RESOURCE.role, object: databaseRole(context, settings.dataRetention) },
    ...(adminLogin !== undefined ? [{ key: ADMIN_LOGIN_KEY, object: adminLogin }] : []),
    ...databaseObjects,
    ...retiredExtensions(observed),
    { key: INSTANCE_RESOURCE.config, object: odooConfConfigMap(context, settings.config, settings.mail) },
    { key: INSTANCE_RESOURCE.filestore, object: filestoreClaim(context, settings) },
    { key: INSTANCE_RESOURCE.service, object: odooService(context) },
    ...workloadResources(instance, context, settings, lifecycle, observed, expiry.expired),
    ...(expiry.job !== undefined ? [{ key: LIFETIME_KEY, object: asCreated(expiry.job, observed[LIFETIME_KEY]) }] : []),
    ...lifecycle.jobs.map((job) => ({ key: jobKey(job), object: asCreated(job, observed[jobKey(job)]) })),
    ...backups,
    ...(settings.deletionProtection && !context.appGuardsDeletion
      ? protectionUsages(context, { database: observed[INSTANCE_RESOURCE.database] !== undefined, filestore: observed[INSTANCE_RESOURCE.filestore] !== undefined }, guardsDatabase(settings))
      : []),
  ];
  // The SQL is read by the init-sql Job only: gone once the instance runs a release (nothing kept after it served).
  const sqlConfigMap = instance.spec.initSQL && lifecycle.runningRelease === undefined ? initSQLConfigMap(context, instance.spec.initSQL) : undefined;
  if (sqlConfigMap) objects.push({ key: INSTANCE_RESOURCE.initSQL, object: sqlConfigMap });

  const resources = withObservedReadiness(objects, observed);
  return {
    kind: 'composed',
    composed: {
      resources,
      status: {
        databaseName: context.databaseName,
        ...(adminLogin !== undefined || keepsAdminLogin(instance, observed, false) ? { adminLoginSecret: instanceNames(context.name).adminLogin } : {}),
        databaseCType: ctype,
        phase: lifecycle.phase,
        serving: servingNow(lifecycle, expiry, observed[WORKLOAD_KEYS.web]),
        // Read by the App's deletion-protection policy; written after the composed objects are applied.
        deletionProtection: settings.deletionProtection,
        ...(expiry.job !== undefined ? { expired: expiry.expired } : {}),
        ...(lifecycle.runningRelease !== undefined ? { runningRelease: lifecycle.runningRelease } : {}),
        ...(lifecycle.rolledBack !== undefined ? { rolledBack: lifecycle.rolledBack } : {}),
        ...carriedForward(instance, lifecycle),
        transitioning: lifecycle.transitioning,
        url,
        ...(lifecycle.activeJob !== undefined ? { activeJob: lifecycle.activeJob } : {}),
        ...(backup.status !== undefined ? { backup: backup.status } : {}),
      },
      conditions: [databaseCondition(context, db), lifecycle.condition, ...(backup.condition ? [backup.condition] : []), ...(expiry.condition ? [expiry.condition] : [])],
      warnings: [],
      requirements: { ...resolved.requirements, ...credentials, ...lifecycle.requirements },
      ttlSeconds: settledTtl(recheckSeconds(lifecycle, context, settings, expiry.recheckSeconds), resources),
    },
  };
}

/**
 * What the lifecycle learnt once and no object proves any more, kept in the
 * status: a migration's rehearsal time and the cut-over it completed (their
 * Jobs go), and the cut-over that retired this instance (while the tenant
 * routes the instance that took over).
 */
function carriedForward(instance: Instance, lifecycle: Lifecycle): Record<string, string | number> {
  const status = instance.status ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const rehearsal = lifecycle.rehearsalSeconds ?? (typeof status.rehearsalSeconds === 'number' ? status.rehearsalSeconds : undefined);
  const cutOverFrom = lifecycle.cutOverFrom ?? text(status.cutOverFrom);
  const cutOverToken = lifecycle.cutOverFrom !== undefined ? lifecycle.cutOverToken : typeof status.cutOverToken === 'number' ? status.cutOverToken : undefined;
  return {
    ...(rehearsal !== undefined ? { rehearsalSeconds: rehearsal } : {}),
    ...(cutOverFrom !== undefined ? { cutOverFrom } : {}),
    ...(cutOverToken !== undefined ? { cutOverToken } : {}),
    ...(lifecycle.retiredBy !== undefined ? { retiredBy: lifecycle.retiredBy } : {}),
  };
}
