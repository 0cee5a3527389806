// The mail catcher of a tenant: a Mailpit that staging and testing instances
// send to (Odoo's outgoing server points at it), so nobody outside gets mail
// from a copy and people can still read what it would have sent. Its UI is
// routed on <hostLabel>.<baseHostName> only behind the App's basic-auth
// Secret; without one, kubectl port-forward reaches it.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import type { App } from '../app/schema.js';
import type { KubeObject } from '../shared/composition.js';
import { LABEL } from '../shared/labels.js';
import { tenantLabels } from './labels.js';
import { MAILPIT_HTTP_PORT, MAILPIT_SMTP_PORT, mailCatcherNames } from '../shared/tenant-names.js';
import type { Tenant } from './schema.js';

/** Mailpit needs no user of its own: nobody. */
const NOBODY = 65534;
const AUTH_DIR = '/etc/mailpit';


const selector = (tenant: Tenant) => ({ [LABEL.tenant]: tenant.metadata.name, [LABEL.component]: 'mail-catcher' });

export function mailCatcherDeployment(tenant: Tenant, app: App): KubeObject {
  const catcher = app.spec.mail.catcher;
  const auth = catcher.uiAuthSecretName;
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: mailCatcherNames(tenant.metadata.name).deployment, namespace: tenant.metadata.namespace ?? 'default', labels: tenantLabels(tenant, 'mail-catcher', 'mailpit') },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 2,
      // One writer of its database at a time.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector(tenant) },
      template: {
        metadata: { labels: tenantLabels(tenant, 'mail-catcher', 'mailpit') },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: NOBODY, runAsGroup: NOBODY, fsGroup: NOBODY, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'mailpit',
              image: catcher.image,
              imagePullPolicy: 'IfNotPresent',
              args: [
                `--smtp=0.0.0.0:${MAILPIT_SMTP_PORT}`,
                `--listen=0.0.0.0:${MAILPIT_HTTP_PORT}`,
                '--database=/data/mailpit.db',
                '--max=1000',
                '--disable-version-check',
                ...(auth ? [`--ui-auth-file=${AUTH_DIR}/htpasswd`] : []),
              ],
              ports: [
                { name: 'smtp', containerPort: MAILPIT_SMTP_PORT, protocol: 'TCP' },
                { name: 'http', containerPort: MAILPIT_HTTP_PORT, protocol: 'TCP' },
              ],
              readinessProbe: { tcpSocket: { port: 'smtp' }, periodSeconds: 10 },
              livenessProbe: { tcpSocket: { port: 'smtp' }, periodSeconds: 30 },
              resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '256Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'data', mountPath: '/data' },
                { name: 'tmp', mountPath: '/tmp' },
                ...(auth ? [{ name: 'ui-auth', mountPath: AUTH_DIR, readOnly: true }] : []),
              ],
            },
          ],
          volumes: [
            // What copies sent is for looking at, not for keeping: it goes with the Pod.
            { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            ...(auth ? [{ name: 'ui-auth', secret: { secretName: auth, items: [{ key: 'htpasswd', path: 'htpasswd' }] } }] : []),
          ],
        },
      },
    },
  };
  return deployment as KubeObject;
}

export function mailCatcherService(tenant: Tenant): KubeObject {
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: mailCatcherNames(tenant.metadata.name).service, namespace: tenant.metadata.namespace ?? 'default', labels: tenantLabels(tenant, 'mail-catcher', 'mailpit') },
    spec: {
      type: 'ClusterIP',
      selector: selector(tenant),
      ports: [
        { name: 'smtp', port: MAILPIT_SMTP_PORT, targetPort: 'smtp', protocol: 'TCP' },
        { name: 'http', port: MAILPIT_HTTP_PORT, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
      ],
    },
  };
  return service as KubeObject;
}
