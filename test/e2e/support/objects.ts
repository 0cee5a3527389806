// What the end-to-end tests apply: the DevOps team's App on the test's
// PostgreSQL with the test images of Odoo as its releases, Tenants and
// Instances, and what an App needs before it is applied.
import type * as k8s from '@kubernetes/client-node';
import { E2E_REGISTRY } from './kubelet/images.js';
import { POD_GATEWAY } from './kubelet/pod-network.js';
import { STAND_IN_PROVISIONER } from './kubelet/volume-provisioner.js';
import type { Postgres } from './postgres.js';
import type { S3Server } from './s3-server.js';
import type { MailRelay } from './mail-relay.js';

/** Where OpenUpgrade's scripts are in the 18.0 test image: inside Odoo's addons, where pip puts them. */
export const OPENUPGRADE_SCRIPTS = '/usr/lib/python3/dist-packages/odoo/addons/openupgrade_scripts/scripts';

/**
 * The releases of the test App: four builds of the project on 17.0 (1.4.3's upgrade of the test add-on fails;
 * 1.4.4 dropped the add-on, a partial upgrade), two on 18.0, one on 19.0.
 */
export const RELEASES = [
  { version: '1.4.1', series: '17.0', image: `${E2E_REGISTRY}:17.0` },
  { version: '1.4.2', series: '17.0', image: `${E2E_REGISTRY}:17.0` },
  { version: '1.4.3', series: '17.0', image: `${E2E_REGISTRY}:17.0-broken-upgrade` },
  { version: '1.4.4', series: '17.0', image: `${E2E_REGISTRY}:17.0-without-e2e-acme` },
  { version: '2.0.0', series: '18.0', image: `${E2E_REGISTRY}:18.0`, migration: { upgradePath: OPENUPGRADE_SCRIPTS } },
  { version: '2.0.1', series: '18.0', image: `${E2E_REGISTRY}:18.0` },
  { version: '3.0.0', series: '19.0', image: `${E2E_REGISTRY}:19.0` },
];

export function namespace(name: string): k8s.KubernetesObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

/**
 * A tenant namespace as a SaaS sets it up: the API server's Pod Security
 * admission enforces the restricted standard on every Pod the Job,
 * ReplicaSet and CronJob controllers create from what is composed there.
 */
export function tenantNamespace(name: string): k8s.KubernetesObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.34' } } } as k8s.KubernetesObject;
}

/** The image cache namespace and the PostgreSQL admin Secret provider-sql uses. */
/**
 * The storage class the App names for filestores: Retain, as docs/devops.md (Backups and restore) asks
 * of a hoster, so a deleted instance's filestore stays (the provisioner
 * deletes the volumes of Delete classes, as real ones do).
 */
export const FILESTORE_CLASS = 'odoo-filestore';

export function appPrerequisites(pg: Postgres): k8s.KubernetesObject[] {
  return [
    namespace('odoo-system'),
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: FILESTORE_CLASS }, provisioner: STAND_IN_PROVISIONER, reclaimPolicy: 'Retain', volumeBindingMode: 'Immediate' } as k8s.KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'postgres-admin', namespace: 'crossplane-system' },
      stringData: { username: 'postgres', password: pg.password, endpoint: '127.0.0.1', port: String(pg.port) },
    } as k8s.KubernetesObject,
  ];
}

export const BACKUP_SECRET = 'odoo-backup-s3';
export const RCLONE_IMAGE = 'registry.e2e.test/rclone:1.76.0';

/** Where the test App (named acme) backs up a tenant namespace's instances: its storage prefix, the App, the namespace. */
export const backupPrefix = (ns: string) => `e2e/acme/${ns}/`;

/** What the DevOps team puts in each tenant namespace: the key the backup Jobs use for the bucket (the tenant's own, where it has one). */
export function backupCredentials(ns: string, s3: S3Server): k8s.KubernetesObject {
  const key = s3.keyOf(ns);
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: BACKUP_SECRET, namespace: ns }, stringData: { AWS_ACCESS_KEY_ID: key.accessKey, AWS_SECRET_ACCESS_KEY: key.secretKey } } as k8s.KubernetesObject;
}

export const SMTP_SECRET = 'odoo-smtp';
export const MAILPIT_IMAGE = 'registry.e2e.test/mailpit:v1.27.11';

/** What the DevOps team puts in each tenant namespace whose production sends mail: the relay's password. */
export function smtpCredentials(ns: string, relay: MailRelay): k8s.KubernetesObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: SMTP_SECRET, namespace: ns }, stringData: { password: relay.password } } as k8s.KubernetesObject;
}

/**
 * An App whose Odoo Pods reach PostgreSQL on the Pods' bridge, as they would
 * a Service, whose instances back up to the test's S3 server and, given a
 * relay, send production mail through it; copies mail the tenants' Mailpit.
 */
export function app(name: string, pg: Postgres, s3: S3Server, releases: readonly object[] = RELEASES, relay?: MailRelay): k8s.KubernetesObject {
  return {
    apiVersion: 'app.odoo.io/v1alpha1',
    kind: 'App',
    metadata: { name },
    spec: {
      database: { host: POD_GATEWAY, port: pg.port, sslMode: 'disable', adminSecretRef: { name: 'postgres-admin', namespace: 'crossplane-system' } },
      config: { workers: 2, maxCronThreads: 1 },
      code: { imageRepository: E2E_REGISTRY, addonsPaths: ['/mnt/extra-addons'] },
      filestore: { storageClassName: FILESTORE_CLASS },
      releases,
      backup: {
        storage: { endpoint: s3.endpoint, bucket: s3.bucket, prefix: 'e2e', credentialsSecretName: BACKUP_SECRET, pathStyle: true },
        image: RCLONE_IMAGE,
      },
      cache: { namespace: 'odoo-system' },
      mail: {
        ...(relay ? { outgoing: { host: relay.host, port: relay.port, encryption: 'none', user: relay.user, passwordSecretRef: { name: SMTP_SECRET }, from: relay.user } } : {}),
        catcher: { image: MAILPIT_IMAGE },
      },
      routing: { gatewayRef: { name: 'public', namespace: 'gateway-system' }, allowedDomains: ['odoo.example'] },
      // PostgreSQL listens on the Pods' bridge.
      network: { postgres: { cidrs: [`${POD_GATEWAY}/32`] } },
    },
  } as k8s.KubernetesObject;
}

export function tenant(name: string, ns: string, spec: Record<string, unknown>): k8s.KubernetesObject {
  return {
    apiVersion: 'tenant.odoo.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name, namespace: ns },
    spec: { appRef: { name: 'acme' }, baseHostName: `${ns}.odoo.example`, ...spec },
  } as k8s.KubernetesObject;
}

export function instance(name: string, ns: string, spec: Record<string, unknown>): k8s.KubernetesObject {
  return {
    apiVersion: 'instance.odoo.io/v1alpha1',
    kind: 'Instance',
    metadata: { name, namespace: ns },
    spec: { tenantRef: { name: ns }, ...spec },
  } as k8s.KubernetesObject;
}
