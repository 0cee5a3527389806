// Every message a person reads in a Fatal result, Warning or condition comes
// from here, so tests can assert the exact text and wording stays consistent.
// Messages name the field, the value and the fix. They never carry secrets.

export const SUPPORTED_KINDS = [
  'App (app.odoo.io/v1alpha1)',
  'Tenant (tenant.odoo.io/v1alpha1)',
  'Instance (instance.odoo.io/v1alpha1)',
] as const;

export const messages = {
  missingComposite:
    'cannot compose: the request has no observed composite resource; run function-odoo as a step of a Composition pipeline',
  unknownKind: (apiVersion: string, kind: string) =>
    `cannot compose ${kind || '(no kind)'} (${apiVersion || 'no apiVersion'}): function-odoo composes ${SUPPORTED_KINDS.join(', ')}; point the Composition's compositeTypeRef at one of them`,
  invalidSpec: (kind: string, name: string, details: string) => `cannot compose ${kind} "${name}": ${details}`,
  internalError: (kind: string, name: string, cause: string) =>
    `cannot compose ${kind} "${name}": internal error: ${cause}; this is a bug in function-odoo, please report it with the XR's spec`,
  imageCacheOff: 'Image pre-pull is off (spec.cache.prePull: false); nodes pull release images when an instance starts',
  imageCacheNoReleases:
    'Every release is retired, so no image is pre-pulled; add a release that is not retired or set spec.cache.prePull: false',
} as const;

/** Messages of the Instance composer. */
export const instanceMessages = {
  tenantNotFound: (namespace: string, tenant: string) =>
    `Tenant "${tenant}" not found in namespace "${namespace}": create the Tenant, or fix spec.tenantRef.name`,
  tenantInvalid: (tenant: string, details: string) =>
    `Tenant "${tenant}" cannot be read: ${details}; fix the Tenant first`,
  appNotFound: (tenant: string, app: string) =>
    `App "${app}" of Tenant "${tenant}" not found: ask the DevOps team to create it, or fix the Tenant's spec.appRef.name`,
  appInvalid: (app: string, details: string) => `App "${app}" cannot be read: ${details}; the DevOps team must fix it first`,
  releaseRequired:
    'spec.release is required: name a release of the App (a migration instance may leave it out when its tenant sets spec.migration.targetRelease)',
  unknownRelease: (release: string, app: string, known: string) =>
    `spec.release: "${release}" is not a release of App "${app}"; use one of ${known}`,
  retiredRelease: (release: string, app: string, known: string) =>
    `spec.release: "${release}" is retired in App "${app}" and a new instance cannot start on it; use one of ${known}`,
  sourceNotFound: (source: string) =>
    `Waiting for source instance "${source}": it does not exist in this namespace; create it, or set spec.source.instance to an existing instance`,
  sourceNotRunning: (source: string, phase: string) =>
    `Waiting for source instance "${source}" to be Running (it is ${phase}); the copy starts when it is`,
  sourceIsSelf: 'spec.source.instance names this instance itself; name the instance to copy from',
  noPrimaryToCopy: (type: string) =>
    `A ${type} instance copies another instance, but the tenant has no spec.primaryInstance and spec.source.instance is not set; set one of them`,
  seriesChangeRefused: (from: string, fromSeries: string, to: string, toSeries: string) =>
    `spec.release "${to}" is on Odoo ${toSeries} but the instance runs "${from}" on ${fromSeries}; an in-place change of series is a migration: create a migration instance from this one, then promote it. Still serving "${from}"`,
  stagingSeriesMismatch: (source: string, sourceSeries: string, series: string) =>
    `Source instance "${source}" runs Odoo ${sourceSeries} but spec.release is on ${series}; a staging copy keeps the series: use a migration instance to change series`,
  cutOverSourceUnknown: (from: string, release: string | undefined) =>
    `Cannot cut over from "${from}": the release its database runs (${release ?? 'unknown'}) is not in the App; add it back to the App's releases, or set the Tenant's primaryInstance back to "${from}"`,
  cutOverCopying: (from: string, release: string, job: string) =>
    `Cut-over: copying "${from}" (release ${release}) again, now that it is stopped (Job ${job}); the base host shows the maintenance page`,
  cutOverMigrating: (from: string, series: string, release: string, step: number, job: string) =>
    `Cut-over: migrating the copy of "${from}" to Odoo ${series} with release ${release}, step ${step} (Job ${job}); the base host shows the maintenance page`,
  cutOverWaitingForSource: (from: string) => `waiting for "${from}" to stop for this cut-over (its phase Retired)`,
  retiring: (by: string) =>
    `Stopped for the cut-over to "${by}": it copies this instance's database and filestore again and migrates them; the base host shows the maintenance page until "${by}" runs. Setting the Tenant's primaryInstance back to this instance before then serves it again`,
  retired: (by: string) =>
    `Stopped: "${by}" took this instance's data over at the cut-over and serves the base host; this database stays as it was then. Delete this instance when it is no longer needed`,
  noMigrationPath: (series: string, app: string) =>
    `No release of Odoo ${series} in App "${app}" can migrate a database (none sets migration.upgradePath); ask the DevOps team to add one`,
  migrationDowngrade: (from: string, to: string) =>
    `Cannot migrate from Odoo ${from} down to ${to}; choose a release of ${from} or a later series`,
  jobFailed: (job: string, next: string) => `Job "${job}" failed. ${next}`,
  jobPastDeadline: (job: string, seconds: number, step: string, next: string) =>
    `Job "${job}" ran longer than its deadline of ${seconds} s and was stopped (raise App spec.lifecycle.deadlines.${step} if it needs longer). ${next}`,
  rollingBack: (from: string, to: string, upgradeJob: string, place: string, restoreJob: string) =>
    `Upgrade ${from} → ${to} failed (Job ${upgradeJob}): restoring the backup taken before it (${place}) over the database and filestore (Job ${restoreJob}); web and cron stay stopped until it is done`,
  runningReleaseNotInApp: (release: string, app: string) =>
    `The web Deployment is gone and release ${release}, which the database runs on, is no longer in App "${app}": it cannot be composed again. Ask the DevOps team to add ${release} back to the App (retired: true keeps it from new instances), or set spec.release to a newer release of its series to upgrade`,
  rolledBack: (from: string, to: string, upgradeJob: string, place: string, namespace: string) =>
    `Upgrade ${from} → ${to} failed and was rolled back: the database and filestore are as they were before it (restored from ${place}) and release ${from} serves again. Read why it failed: kubectl logs -n ${namespace} job/${upgradeJob}. To try again, set spec.release back to ${from}, wait for Running, then to a release that fixes it`,
  rollbackFailed: (namespace: string, restoreJob: string, place: string, from: string) =>
    `Web and cron stay stopped: the database may be partly upgraded, and restoring ${place} did not finish. Read kubectl logs -n ${namespace} job/${restoreJob}, fix the cause, then delete the Job to run the restore again; or set spec.release back to ${from} to serve the database as it is`,
  upgradeHeld: (namespace: string, job: string, from: string, to: string, place: string) =>
    `Web and cron stay stopped (onUpgradeFailure: hold): the database may be partly upgraded by ${from} → ${to}. The backup taken before it is ${place}. Read kubectl logs -n ${namespace} job/${job}; then delete the Job to try the upgrade again, or set spec.release back to ${from} to serve ${from} on the database as it is`,
  retryNeedsBackup: (from: string, to: string) =>
    `The failed upgrade ${from} → ${to} was rolled back and its Job is gone; running it again needs a fresh backup first: set spec.release back to ${from}, wait for Running, then to ${to} again`,
  webStalled: (release: string, why: string, namespace: string, web: Record<string, unknown> | undefined) =>
    `Release ${release} does not start: ${why.replace(/\.$/, '')}. Read the web Pods' logs (kubectl logs -n ${namespace} deployment/${(web?.metadata as { name?: string } | undefined)?.name ?? 'web'})`,
  testsFailed: (release: string, failed: readonly string[] | undefined, next: string) =>
    `Tests failed on release ${release}${failed === undefined ? '' : `: ${failed.join('; ')}`}. ${next}`,
  downgradeRefused: (running: string, wanted: string) =>
    `spec.release "${wanted}" is older than "${running}", which the database already runs: Odoo cannot downgrade a database. Set spec.release back to "${running}" or later; to go back in time, restore a backup into a new instance. Still serving "${running}"`,
  nameNotLabel: (name: string) =>
    `metadata.name "${name}" is not a DNS label: an instance's name becomes the first label of its host name (<instance>.<baseHostName>); use lowercase letters, digits and "-", at most 63, such as "${name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'staging'}"`,
  optionNotInSeries: (keys: readonly string[], series: string) =>
    `config.options ${keys.join(', ')}: not an option of Odoo ${series}, which this instance's release runs; remove it from the layer that sets it (App, release, Tenant or Instance)`,
  typeChangeRefused: (instance: string, was: string, now: string) =>
    `spec.type of Instance "${instance}" changed from ${was} to ${now}: the type of an instance cannot change (a ${now} lifecycle would run over this ${was} database). Set it back to ${was}; for a ${now} instance, create a new one (a copy or a restore of this one)`,
  tenantChangeRefused: (instance: string, was: string, now: string) =>
    `spec.tenantRef of Instance "${instance}" changed from "${was}" to "${now}": an instance belongs to one tenant. Set it back to "${was}"`,
  restoreType: (type: string) => `spec.restore is for production and staging instances, not ${type}: restore into a production or staging instance, then copy or migrate it`,
  autoscalingType: (type: string) => `spec.autoscaling is for production instances, not ${type}: remove it and set spec.replicas`,
  autoscalingNeedsShared:
    'autoscaling needs a ReadWriteMany filestore, since web Pods may run on several nodes: set the App’s spec.filestore.accessMode to ReadWriteMany (with a storage class that offers it), or remove autoscaling and set replicas: 1',
  restoreNeedsStorage: 'spec.restore needs backup storage: the App (spec.backup.storage) must name the bucket the backups are in; ask the DevOps team',
  sourceNewer: (source: string, sourceRelease: string, wanted: string) =>
    `Source instance "${source}" runs "${sourceRelease}", newer than spec.release "${wanted}": Odoo cannot downgrade the copy. Set spec.release to "${sourceRelease}" or later`,
} as const;

/** Messages of the Tenant composer. */
export const tenantMessages = {
  appNotFound: (app: string) => `App "${app}" not found: ask the DevOps team to create it, or fix spec.appRef.name`,
  appNotForNamespace: (app: string, namespace: string, allowed: readonly string[]) =>
    `App "${app}" does not serve namespace "${namespace}": its spec.tenantNamespaces allows ${allowed.map((n) => `"${n}"`).join(', ') || 'none'}; ask its DevOps team to add this namespace, or name an App that serves it in spec.appRef.name`,
  appInvalid: (app: string, details: string) => `App "${app}" cannot be read: ${details}; the DevOps team must fix it first`,
  noGateway: (app: string) =>
    `No Gateway to attach routes to: set spec.routing.gatewayRef on this Tenant or spec.routing.gatewayRef on App "${app}"`,
  routed: (host: string, primary: string) => `${host} routes to instance "${primary}"`,
  noPrimary: 'spec.primaryInstance is not set: the base host name routes nowhere until it names a Running instance',
  primaryNotFound: (primary: string, keeping: string) =>
    `spec.primaryInstance "${primary}" is not an Instance of this tenant; create it or name an existing one. ${keeping}`,
  primaryIsTesting: (primary: string, keeping: string) =>
    `spec.primaryInstance "${primary}" is a testing instance and cannot serve the base host name; promote a production, staging or migration instance. ${keeping}`,
  primaryNotRunning: (primary: string, phase: string, keeping: string) =>
    `spec.primaryInstance "${primary}" is ${phase}, not Running; the route moves when it is Running. ${keeping}`,
  keeping: (host: string, primary: string | undefined) =>
    primary === undefined ? `${host} routes nowhere meanwhile.` : `${host} keeps routing to "${primary}".`,
  hostNotAllowed: (host: string, own: readonly string[]) =>
    `spec.baseHostName "${host}" is not under this tenant's domain: the App allows ${own.map((o) => `"${o}"`).join(' or ')} and names below it; ask the DevOps team to allow another domain`,
  hostTaken: (host: string, theirs: string, owner: string) =>
    `spec.baseHostName "${host}" overlaps "${theirs}", which Tenant "${owner}" of this namespace claimed first; choose another host name`,
  customDomainOfPlatform: (host: string, platform: string, own: string) =>
    `spec.customDomains "${host}" is under the platform's domain "${platform}", where this tenant may only use "${own}" and names below it: remove it, or use the base host name`,
  customDomainOverlapsBase: (host: string, base: string) =>
    `spec.customDomains "${host}" overlaps the base host name "${base}", which is routed already: remove it`,
  customDomainNotListed: (host: string, app: string, namespace: string) =>
    `spec.customDomains "${host}" is not routed: App "${app}" does not list it for namespace "${namespace}" (its spec.routing.customDomainOwners), so no tenant can take a name another customer points at the Gateway. Once the customer has shown it owns the domain, the DevOps team lists it there`,
  customDomainTaken: (host: string, why: string) => `spec.customDomains "${host}" is not routed: ${why}`,
  catcherHostTaken: (host: string, instance: string) =>
    `The mail catcher UI is not routed on ${host}: instance "${instance}" answers there. Rename the instance, or set the App's spec.mail.catcher.hostLabel`,
  cuttingOver: (host: string, from: string, to: string) =>
    `Cutting over to "${to}": "${from}" is stopped and ${host} shows the maintenance page while "${to}" copies it again and migrates that copy; ${host} routes to "${to}" once it runs`,
  gatewayNotOffered: (asked: string, app: string, own: string | undefined) =>
    `spec.routing.gatewayRef ${asked} is ignored: App "${app}" does not offer that Gateway to tenants (its spec.routing.gatewayRef and allowedGateways), ${own ? `so routes attach to ${own}` : 'and names none, so nothing is routed'}; ask the DevOps team to list it, or remove it`,
  neutralizeAlways:
    'spec.staging.neutralize: false is ignored: every new staging copy is neutralized, so none mails customers, charges them or calls their webhooks with production’s settings; remove it. Copies made while it was false were not neutralized: delete them and create them again',
  postgresCIDRUnused: 'spec.networkPolicy.postgresCIDR is no longer used: the App’s spec.network.postgres says where PostgreSQL is; remove it',
  networkPolicyKept: (app: string) =>
    `spec.networkPolicy.enabled: false is ignored: App "${app}" does not let tenants turn their NetworkPolicy off (its spec.network.tenantsMayDisablePolicy), so this tenant's Pods stay isolated; ask the DevOps team, or remove it`,
  mailSecretNotForMail: (secret: string, app: string, own: string) =>
    `spec.mail.outgoing is not used: its password would come from Secret "${secret}", and App "${app}" lets this tenant's mail server read only its own mail Secret "${own}" (Odoo sends that password to the server you name). Put the password in Secret "${own}" and name it in spec.mail.outgoing.passwordSecretRef; meanwhile the App's mail server is used`,
  appOnlyBackupField: (path: string, field: string) =>
    `${path} is ignored: backup ${field} is the App’s (spec.backup.${field}), set by the DevOps team, so a tenant cannot send its backups or its namespace’s S3 key elsewhere; remove it`,
  locked: (changes: string, waiting: string) =>
    `Locked while ${waiting} transition(s): ${changes} will be applied when they finish`,
  lockedIdle: (waiting: string) => `Locked while ${waiting} transition(s); a change of baseHostName or primaryInstance waits until they finish`,
  unlocked: 'No instance is transitioning; baseHostName and primaryInstance changes apply at once',
} as const;
