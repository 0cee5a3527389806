// The settings an instance runs with, layered from the bottom up:
// defaults → App config → code config → release config → the tenant's spec
// for the instance's type → the Instance itself. Later layers win; odoo.conf
// options merge key by key.
import { createHash } from 'node:crypto';
import type { Release } from '../app/schema.js';
import { BACKUP_DEFAULTS, JOB_DEADLINE_DEFAULTS, JOB_DEADLINE_STEPS, type BackupPolicy, type BackupStorage, type JobDeadlineStep } from '../shared/backup-schema.js';
import type { InstanceSizing } from '../shared/instance-spec-kit.js';
import { ODOO_CONFIG_DEFAULTS, type OdooConfigLayer } from '../shared/odoo-config-schema.js';
import { quantityToBytes } from '../shared/quantity.js';
import type { InstanceContext } from './context.js';
import type { Instance } from './schema.js';
import { tenantMailSecretAllowed, type OutgoingMailServer } from '../shared/mail-schema.js';
import { MAILPIT_SMTP_PORT, mailCatcherNames } from '../shared/tenant-names.js';

export type OdooConfig = {
  -readonly [K in keyof typeof ODOO_CONFIG_DEFAULTS]-?: K extends 'serverWideModules'
    ? string[]
    : K extends 'options'
      ? Record<string, string>
      : NonNullable<OdooConfigLayer[K]>;
};

type CpuMemory = { cpu?: string | undefined; memory?: string | undefined };
export interface Resources {
  requests?: CpuMemory | undefined;
  limits?: CpuMemory | undefined;
}

function defined(values: CpuMemory | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(values ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface BackupSettings {
  storage: BackupStorage | undefined;
  /** Cron schedule (UTC) of the scheduled backups. */
  cron: string;
  retention: { daily: number; weekly: number; monthly: number };
  /** Image with rclone. */
  image: string;
  onUpgradeFailure: 'rollback' | 'hold';
}

export interface InstanceSettings {
  config: OdooConfig;
  /** Production, or the instance the tenant routes as primary: it holds the customer's live data. */
  servesCustomers: boolean;
  backup: BackupSettings;
  deadlines: Record<JobDeadlineStep, number>;
  dataRetention: 'Retain' | 'Delete';
  replicas: number;
  resources: { web: Resources; cron: Resources; jobs: Resources };
  filestore: { size: string; storageClassName: string | undefined; accessMode: 'ReadWriteMany' | 'ReadWriteOnce' };
  deletionProtection: boolean;
  /**
   * Whether the filestore claim and (dataRetention: Delete) the Database
   * carry the deletion-protection label: only once the Instance's status
   * says it is protected. Crossplane writes the status after applying the
   * composed objects; labelled before that, an Instance deleted in between
   * is deletable while its claim and Database are not, and the garbage
   * collector's deletes of them are refused for good. Off, the labels go at
   * once (the status still says protected until they are gone).
   */
  protectionLabelled: boolean;
  neutralize: boolean;
  testTags: string;
  /** Production web Pods scaled by a HorizontalPodAutoscaler. */
  autoscaling: Autoscaling | undefined;
  /** Where Odoo sends mail: the real server (instances that serve customers), the tenant's catcher (copies and tests), or nowhere. */
  mail: MailRoute;
}

export interface Autoscaling {
  minReplicas: number;
  maxReplicas: number;
  targetCPUUtilization: number;
}

export type MailRoute =
  | { kind: 'server'; server: OutgoingMailServer }
  | { kind: 'catcher'; host: string; port: number }
  /** Copies without a catcher: no mail settings at all, not even the App's config.options ones. */
  | { kind: 'silent' }
  /** Instances that serve customers without a typed server: the App's config.options, if any, say where. */
  | { kind: 'none' };

/**
 * Instances that serve customers send through the tenant's server, else the
 * App's; staging and testing instances through the tenant's catcher when the
 * App has one; other copies (a migration not routed yet) get no mail settings.
 */
export function mailRoute(instance: Instance, context: InstanceContext, servesCustomers: boolean): MailRoute {
  const own = context.tenant.spec.mail.outgoing;
  // A tenant server whose password would come from a Secret not named for it is not used (the Tenant says why).
  const server = own !== undefined && tenantMailSecretAllowed(own, context.app.spec.mail.tenantSecretPrefix, context.tenant.metadata.name) ? own : context.app.spec.mail.outgoing;
  if (servesCustomers) return server !== undefined ? { kind: 'server', server } : { kind: 'none' };
  const catcher = context.app.spec.mail.catcher;
  if (catcher.enabled && (instance.spec.type === 'staging' || instance.spec.type === 'testing')) {
    return { kind: 'catcher', host: mailCatcherNames(context.tenant.metadata.name).service, port: MAILPIT_SMTP_PORT };
  }
  return { kind: 'silent' };
}

/**
 * The resources of web, cron and Job containers derived from odoo.conf.
 * Odoo recycles a worker past limit_memory_soft and kills it past
 * limit_memory_hard; the container limit leaves room for every worker plus
 * the main process, so the kernel never kills Odoo first.
 */
export function derivedResources(config: OdooConfig): { web: Resources; cron: Resources; jobs: Resources } {
  const hard = quantityToBytes(config.limitMemoryHard);
  return {
    web: {
      requests: { cpu: '250m', memory: `${512 + 256 * config.workers}Mi` },
      limits: { memory: mebibytes(hard * (config.workers + 1)) },
    },
    cron: {
      requests: { cpu: '100m', memory: '512Mi' },
      limits: { memory: mebibytes(hard * (config.maxCronThreads + 1)) },
    },
    jobs: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: mebibytes(Math.max(hard * 2, 4 * 2 ** 30)) } },
  };
}

/** Merges odoo.conf layers; undefined fields fall through, options merge by key. */
export function mergeConfig(layers: readonly (OdooConfigLayer | undefined)[]): OdooConfig {
  const out: OdooConfig = {
    ...ODOO_CONFIG_DEFAULTS,
    serverWideModules: [...ODOO_CONFIG_DEFAULTS.serverWideModules],
    options: {},
  };
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const [key, value] of Object.entries(layer) as [keyof OdooConfig, unknown][]) {
      if (value === undefined) continue;
      if (key === 'options') out.options = { ...out.options, ...(value as Record<string, string>) };
      else (out as Record<string, unknown>)[key] = Array.isArray(value) ? [...value] : value;
    }
  }
  return out;
}

function mebibytes(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)}Mi`;
}

function mergeResources(base: Resources, ...overrides: (Resources | undefined)[]): Resources {
  let requests = defined(base.requests);
  let limits = defined(base.limits);
  for (const o of overrides) {
    requests = { ...requests, ...defined(o?.requests) };
    limits = { ...limits, ...defined(o?.limits) };
  }
  return { requests, limits };
}

/**
 * A daily schedule at a minute of the nightly window derived from the
 * instance's namespace and name: a SaaS of thousands of tenants spreads its
 * dumps over the window instead of running them all at once.
 */
export function spreadSchedule(namespace: string, name: string, startHour: number, hours: number): string {
  const digest = createHash('sha256').update(`${namespace}/${name}`).digest();
  const minute = digest.readUInt32BE(0) % (hours * 60);
  return `${minute % 60} ${(startHour + Math.floor(minute / 60)) % 24} * * *`;
}

function backupSettings(instance: Instance, context: InstanceContext, typeSpec: InstanceSizing & { backup?: BackupPolicy | undefined } | undefined): BackupSettings {
  const app = context.app.spec.backup;
  const own = typeSpec?.backup;
  const window = { start: own?.schedule?.windowStartHour ?? app.schedule?.windowStartHour ?? BACKUP_DEFAULTS.windowStartHour, hours: own?.schedule?.windowHours ?? app.schedule?.windowHours ?? BACKUP_DEFAULTS.windowHours };
  return {
    // Where backups go and what runs beside the key are the App's (APP_ONLY_BACKUP_FIELDS): a Tenant's are ignored.
    storage: app.storage,
    cron: own?.schedule?.cron ?? app.schedule?.cron ?? spreadSchedule(context.namespace, instance.metadata.name, window.start, window.hours),
    retention: {
      daily: own?.retention?.daily ?? app.retention?.daily ?? BACKUP_DEFAULTS.retention.daily,
      weekly: own?.retention?.weekly ?? app.retention?.weekly ?? BACKUP_DEFAULTS.retention.weekly,
      monthly: own?.retention?.monthly ?? app.retention?.monthly ?? BACKUP_DEFAULTS.retention.monthly,
    },
    image: app.image ?? BACKUP_DEFAULTS.image,
    onUpgradeFailure: own?.onUpgradeFailure ?? app.onUpgradeFailure ?? BACKUP_DEFAULTS.onUpgradeFailure,
  };
}

/** The tenant's defaults for an instance of this type. */
export function tenantTypeSpec(context: InstanceContext, instance: Instance): (InstanceSizing & { backup?: BackupPolicy | undefined }) | undefined {
  const spec = context.tenant.spec;
  switch (instance.spec.type) {
    case 'production':
      return spec.production;
    case 'staging':
      return spec.staging;
    case 'migration':
      return spec.migration;
    case 'testing':
      return spec.testing;
  }
}

export function instanceSettings(instance: Instance, context: InstanceContext, release: Release = context.release): InstanceSettings {
  const { app } = context;
  const typeSpec = tenantTypeSpec(context, instance);
  const config = mergeConfig([app.spec.config, app.spec.code.config, release.config, typeSpec?.config, instance.spec.config]);
  const defaults = derivedResources(config);
  const servesCustomers = instance.spec.type === 'production' || context.routedPrimary === context.name;
  const deletionProtection = instance.spec.deletionProtection ?? servesCustomers;
  const deadlines = Object.fromEntries(JOB_DEADLINE_STEPS.map((s) => [s, app.spec.lifecycle.deadlines[s] ?? JOB_DEADLINE_DEFAULTS[s]])) as Record<JobDeadlineStep, number>;
  return {
    config,
    servesCustomers,
    backup: backupSettings(instance, context, typeSpec),
    deadlines,
    dataRetention: instance.spec.dataRetention ?? (servesCustomers ? 'Retain' : 'Delete'),
    replicas: instance.spec.replicas ?? typeSpec?.replicas ?? 1,
    resources: {
      web: mergeResources(defaults.web, typeSpec?.resources?.web, instance.spec.resources?.web),
      cron: mergeResources(defaults.cron, typeSpec?.resources?.cron, instance.spec.resources?.cron),
      jobs: mergeResources(defaults.jobs, typeSpec?.resources?.jobs, instance.spec.resources?.jobs),
    },
    filestore: {
      size: instance.spec.filestore?.size ?? typeSpec?.filestore?.size ?? app.spec.filestore.size,
      storageClassName: instance.spec.filestore?.storageClassName ?? typeSpec?.filestore?.storageClassName ?? app.spec.filestore.storageClassName,
      accessMode: app.spec.filestore.accessMode,
    },
    deletionProtection,
    protectionLabelled: deletionProtection && instance.status?.deletionProtection === true,
    // Always, for a staging copy: a copy never reaches the outside world (a Tenant's neutralize: false is ignored, tenant/compose.ts warns).
    neutralize: instance.spec.type === 'staging',
    testTags: instance.spec.testTags ?? context.tenant.spec.testing.testTags,
    autoscaling: instance.spec.type === 'production' ? (instance.spec.autoscaling ?? context.tenant.spec.production?.autoscaling) : undefined,
    mail: mailRoute(instance, context, servesCustomers),
  };
}
