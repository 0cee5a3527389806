// The Tenant composer: (Tenant, observed routes, required App and Instances) → desired state.
import { APP_API_VERSION, APP_KIND, appResource, appServesNamespace } from '../app/schema.js';
import { settledTtl, TTL, type ComposeOutcome, type KubeObject, type ObservedObject, type XrCondition } from '../shared/composition.js';
import { APP_ONLY_BACKUP_FIELDS } from '../shared/backup-schema.js';
import { tenantMailSecretAllowed, tenantMailSecretName } from '../shared/mail-schema.js';
import { secondaryHost } from '../shared/instance-names.js';
import { tenantMessages as m } from '../shared/messages.js';
import { withObservedReadiness } from '../shared/readiness.js';
import { formatIssues } from '../shared/validation.js';
import { INSTANCE_API_VERSION, INSTANCE_KIND } from '../instance/schema.js';
import { baseHostRefusal, customDomainRefusal } from './host-ownership.js';
import { tenantInstances } from './instances.js';
import { lockCondition, lockState, reconcileBaseHostName, reconcilePrimaryInstance, tenantRecheckSeconds } from './lock.js';
import { tenantNetworkPolicy } from './network-policy.js';
import { cutOverUnderWay, recordedCutOver, type CutOver } from './cut-over.js';
import { customDomainRoute, mailCatcherRoute, observedPrimary, primaryRoute, secondaryRoute } from './routes.js';
import { certificateReferenceGrant, customDomainCertificate } from './certificates.js';
import { tenantGateway } from './gateway-choice.js';
import { maintenanceDeployment, maintenanceService } from './maintenance.js';
import { mailCatcherDeployment, mailCatcherService } from './mail-catcher.js';
import { TENANT_API_VERSION, TENANT_KIND, type Tenant } from './schema.js';

export const TENANT_REQUIRED = { app: 'app', instances: 'instances', tenants: 'tenants' } as const;
export const TENANT_RESOURCE = {
  primaryRoute: 'route-primary',
  secondaryRoute: (instance: string) => `route-${instance}`,
  // Renamed from "network-policy" when the policy got a name per Tenant: Crossplane deletes the old one.
  networkPolicy: 'tenant-network-policy',
  customDomainRoute: (host: string) => `route-domain-${host}`,
  certificate: (host: string) => `certificate-${host}`,
  referenceGrant: 'certificate-reference-grant',
  maintenance: 'maintenance',
  maintenanceService: 'maintenance-service',
  mailCatcher: 'mail-catcher',
  mailCatcherService: 'mail-catcher-service',
  mailCatcherRoute: 'route-mail-catcher',
} as const;

export function composeTenant(
  tenant: Tenant,
  observed: Readonly<Record<string, ObservedObject>>,
  required: Readonly<Record<string, readonly ObservedObject[]>>,
): ComposeOutcome {
  const namespace = tenant.metadata.namespace ?? 'default';
  const requirements = {
    [TENANT_REQUIRED.app]: { apiVersion: APP_API_VERSION, kind: APP_KIND, matchName: tenant.spec.appRef.name },
    // Instances are created by end users and carry no label of ours: take the namespace's, keep those naming this tenant.
    [TENANT_REQUIRED.instances]: { apiVersion: INSTANCE_API_VERSION, kind: INSTANCE_KIND, matchLabels: {}, namespace },
    // The other Tenants of the namespace: whoever claimed a host first keeps it.
    [TENANT_REQUIRED.tenants]: { apiVersion: TENANT_API_VERSION, kind: TENANT_KIND, matchLabels: {}, namespace },
  };
  const apps = required[TENANT_REQUIRED.app];
  const rawInstances = required[TENANT_REQUIRED.instances];
  const tenantsOfNamespace = required[TENANT_REQUIRED.tenants];
  if (apps === undefined || rawInstances === undefined || tenantsOfNamespace === undefined) {
    return { kind: 'composed', composed: { resources: [], status: {}, conditions: [], warnings: [], requirements, ttlSeconds: TTL.awaitingOthers } };
  }
  const rawApp = apps[0];
  if (rawApp === undefined) return { kind: 'fatal', message: m.appNotFound(tenant.spec.appRef.name) };
  const parsedApp = appResource.safeParse(rawApp);
  if (!parsedApp.success) return { kind: 'fatal', message: m.appInvalid(tenant.spec.appRef.name, formatIssues(parsedApp.error, rawApp)) };
  const app = parsedApp.data;
  if (!appServesNamespace(app, namespace)) return { kind: 'fatal', message: m.appNotForNamespace(app.metadata.name, namespace, app.spec.tenantNamespaces ?? []) };

  const instances = tenantInstances(tenant.metadata.name, rawInstances);
  const servingOf = new Map(instances.map((i) => [i.name, i.serving]));
  const lock = lockState(instances);
  const routed = observedPrimary(observed[TENANT_RESOURCE.primaryRoute]);
  // A host the tenant may not have is not routed: what routes now keeps routing, a new tenant waits.
  const refusal = baseHostRefusal(tenant, tenant.spec.baseHostName, app, tenantsOfNamespace);
  const wanted = refusal === undefined ? tenant.spec.baseHostName : routed?.host;
  const base = wanted === undefined ? undefined : reconcileBaseHostName(routed?.host, wanted, lock);
  const { gateway, warning: gatewayWarning } = tenantGateway(tenant, app);
  const objects: { key: string; object: KubeObject }[] = [];
  const maintenanceOn = app.spec.maintenance.enabled;
  const catcher = app.spec.mail.catcher;
  const domainRefusals: string[] = [];
  const routedDomains: string[] = [];
  const catcherWarnings: string[] = [];
  if (maintenanceOn) {
    objects.push(
      { key: TENANT_RESOURCE.maintenance, object: maintenanceDeployment(tenant, app) },
      { key: TENANT_RESOURCE.maintenanceService, object: maintenanceService(tenant) },
    );
  }
  if (catcher.enabled) {
    objects.push({ key: TENANT_RESOURCE.mailCatcher, object: mailCatcherDeployment(tenant, app) }, { key: TENANT_RESOURCE.mailCatcherService, object: mailCatcherService(tenant) });
  }
  const held: string[] = [];
  const conditions: XrCondition[] = [];
  let status: Record<string, unknown> = { hasTransitioningInstance: lock.locked, transitioningInstances: lock.transitioning.map((i) => i.name) };
  // A primary not routed yet (refused, or still on its way): routing it is what lets it run the
  // customer's cron and become Ready, and it may pass through Starting between two looks.
  let primaryWaiting = false;
  let cutOver: CutOver | undefined;
  if (base === undefined) {
    // Refused, and nothing was routed before: no route at all.
    conditions.push(lockCondition(lock, held), { type: 'RoutingReady', status: 'False', reason: refusal!.reason, message: refusal!.message });
  } else {
    const reconciled = reconcilePrimaryInstance(routed?.primary, tenant.spec.primaryInstance, instances, lock, base.host);
    // A migration instance promoted takes the primary over first: until it has, the base host stays on the stopped primary.
    cutOver = cutOverUnderWay(
      tenant.spec.primaryInstance,
      routed?.primary,
      instances,
      recordedCutOver(tenant.status),
      reconciled.primary !== routed?.primary && reconciled.refusal === undefined,
      tenant.metadata.generation ?? 0,
    );
    const primary = cutOver === undefined ? reconciled : { primary: cutOver.from, held: false, refusal: undefined };
    // A primary stopped outside any transition (starting again after a cut-over taken back) comes back without one the lock sees.
    const routedInstance = instances.find((i) => i.name === primary.primary);
    primaryWaiting = primary.refusal !== undefined || cutOver !== undefined || (routedInstance !== undefined && !routedInstance.serving && !routedInstance.transitioning);
    if (base.held) held.push(`baseHostName ${routed?.host} → ${tenant.spec.baseHostName}`);
    if (primary.held) held.push(`primaryInstance "${routed?.primary}" → "${tenant.spec.primaryInstance}"`);
    conditions.push(lockCondition(lock, held));
    if (gateway === undefined) {
      conditions.push({ type: 'RoutingReady', status: 'False', reason: 'NoGateway', message: m.noGateway(app.metadata.name) });
    } else {
      // An instance whose web Pods do not answer shows the maintenance page on its hosts.
      const down = (name: string) => maintenanceOn && (servingOf.get(name) === false || cutOver?.from === name);
      if (primary.primary !== undefined) {
        objects.push({ key: TENANT_RESOURCE.primaryRoute, object: primaryRoute(tenant, base.host, primary.primary, gateway, down(primary.primary)) });
        for (const host of tenant.spec.customDomains ?? []) {
          const refused = customDomainRefusal(tenant, host, app, tenantsOfNamespace);
          if (refused !== undefined) {
            domainRefusals.push(refused.message);
            continue;
          }
          objects.push({ key: TENANT_RESOURCE.customDomainRoute(host), object: customDomainRoute(tenant, host, primary.primary, gateway, down(primary.primary)) });
          routedDomains.push(host);
        }
      }
      for (const instance of instances) {
        // A name that is not a DNS label gets no host (its Instance is refused too).
        if (instance.name === primary.primary || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(instance.name)) continue;
        objects.push({ key: TENANT_RESOURCE.secondaryRoute(instance.name), object: secondaryRoute(tenant, base.host, instance.name, gateway, down(instance.name)) });
      }
      const issuer = app.spec.routing?.certificateIssuer;
      if (issuer !== undefined && routedDomains.length > 0) {
        for (const host of routedDomains) objects.push({ key: TENANT_RESOURCE.certificate(host), object: customDomainCertificate(tenant, host, issuer) });
        objects.push({ key: TENANT_RESOURCE.referenceGrant, object: certificateReferenceGrant(tenant, routedDomains, gateway.namespace) });
      }
      if (catcher.enabled && catcher.uiAuthSecretName !== undefined) {
        const host = secondaryHost(catcher.hostLabel, base.host);
        const taken = instances.find((i) => i.name === catcher.hostLabel);
        if (taken !== undefined) catcherWarnings.push(m.catcherHostTaken(host, taken.name));
        else objects.push({ key: TENANT_RESOURCE.mailCatcherRoute, object: mailCatcherRoute(tenant, host, gateway) });
      }
      conditions.push(
        refusal
          ? { type: 'RoutingReady', status: 'False', reason: refusal.reason, message: `${refusal.message}. ${m.keeping(base.host, primary.primary)}` }
          : primary.refusal
            ? { type: 'RoutingReady', status: 'False', reason: primary.refusal.reason, message: primary.refusal.message }
            : cutOver !== undefined
              ? { type: 'RoutingReady', status: 'False', reason: 'CuttingOver', message: m.cuttingOver(base.host, cutOver.from, cutOver.instance) }
              : { type: 'RoutingReady', status: 'True', reason: 'Routed', message: m.routed(base.host, primary.primary!) },
      );
    }
    status = {
      ...(primary.primary !== undefined ? { primaryInstance: primary.primary } : {}),
      ...(cutOver !== undefined ? { cutOver } : {}),
      baseHostName: base.host,
      secondaryInstances: instances
        .filter((i) => i.name !== primary.primary)
        .map((i) => ({ name: i.name, type: i.type, phase: i.phase, host: secondaryHost(i.name, base.host) })),
      ...(routedDomains.length > 0 ? { customDomains: routedDomains } : {}),
      ...(maintenanceOn && instances.some((i) => !i.serving) ? { maintenance: instances.filter((i) => !i.serving).map((i) => i.name) } : {}),
      ...status,
    };
  }
  // Turning isolation off opens every Pod of the tenant (cloud metadata, in-cluster services): the App's call.
  const policyKept = !tenant.spec.networkPolicy.enabled && !app.spec.network.tenantsMayDisablePolicy;
  if (tenant.spec.networkPolicy.enabled || policyKept) {
    objects.push({ key: TENANT_RESOURCE.networkPolicy, object: tenantNetworkPolicy(tenant, gateway?.namespace, app) });
  }
  const warnings = [
    ...(tenant.spec.networkPolicy.postgresCIDR !== undefined ? [m.postgresCIDRUnused] : []),
    ...(policyKept ? [m.networkPolicyKept(app.metadata.name)] : []),
    ...(gatewayWarning !== undefined ? [gatewayWarning] : []),
    ...(tenant.spec.staging.neutralize === false ? [m.neutralizeAlways] : []),
    ...(tenant.spec.mail.outgoing !== undefined && !tenantMailSecretAllowed(tenant.spec.mail.outgoing, app.spec.mail.tenantSecretPrefix, tenant.metadata.name)
      ? [m.mailSecretNotForMail(tenant.spec.mail.outgoing.passwordSecretRef!.name, app.metadata.name, tenantMailSecretName(app.spec.mail.tenantSecretPrefix, tenant.metadata.name))]
      : []),
    ...appOnlyBackupFields(tenant),
    ...domainRefusals,
    ...catcherWarnings,
  ];
  // In the status, so they stay visible; told as events only when they change.
  if (warnings.length > 0) status = { ...status, warnings };

  const resources = withObservedReadiness(objects, observed);
  return {
    kind: 'composed',
    composed: {
      resources,
      status,
      conditions,
      warnings,
      requirements,
      ttlSeconds: settledTtl(tenantRecheckSeconds(lock, held.length > 0 || primaryWaiting || refusal !== undefined), resources),
    },
  };
}

/** Backup fields of a Tenant stored before the XRD refused them: ignored by the instances, said here. */
function appOnlyBackupFields(tenant: Tenant): string[] {
  const types = { production: tenant.spec.production, staging: tenant.spec.staging, migration: tenant.spec.migration } as const;
  return Object.entries(types).flatMap(([type, spec]) =>
    APP_ONLY_BACKUP_FIELDS.filter((field) => spec?.backup?.[field] !== undefined).map((field) => m.appOnlyBackupField(`spec.${type}.backup.${field}`, field)),
  );
}
