// The maintenance page of a tenant: while an instance's web Pods do not
// answer (stopped for an upgrade, a migration or a restore, or not ready
// yet), its host routes here and customers get 503 with Retry-After and the
// App's page instead of a Gateway error. A few lines of Python's standard
// library in an image the nodes already have, hardened like the Odoo Pods.
import semver from 'semver';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import { activeReleases, releaseImage, releaseUid } from '../app/release-catalogue.js';
import type { App } from '../app/schema.js';
import type { KubeObject } from '../shared/composition.js';
import { LABEL } from '../shared/labels.js';
import { tenantLabels } from './labels.js';
import { MAINTENANCE_PORT, maintenanceNames } from '../shared/tenant-names.js';
import type { Tenant } from './schema.js';

/** UID of a maintenance image the App names: nobody, since the server needs no user of its own. */
const NOBODY = 65534;

/** Answers every request with the page and 503, except the probes' /healthz. */
const SERVER_SCRIPT = [
  'import http.server, os',
  "page = os.environ['PAGE'].encode()",
  "retry = os.environ['RETRY_AFTER']",
  'class Maintenance(http.server.BaseHTTPRequestHandler):',
  '    def answer(self, body):',
  "        health = self.path == '/healthz'",
  "        payload = b'ok' if health else page",
  '        self.send_response(200 if health else 503)',
  "        if not health: self.send_header('Retry-After', retry)",
  "        self.send_header('Content-Type', 'text/plain' if health else 'text/html; charset=utf-8')",
  "        self.send_header('Cache-Control', 'no-store')",
  "        self.send_header('Content-Length', str(len(payload)))",
  '        self.end_headers()',
  '        if body: self.wfile.write(payload)',
  '    def do_GET(self): self.answer(True)',
  '    def do_HEAD(self): self.answer(False)',
  '    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET',
  '    def log_message(self, *args): pass',
  `http.server.ThreadingHTTPServer(('', ${MAINTENANCE_PORT}), Maintenance).serve_forever()`,
].join('\n');

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function maintenancePage(app: App): string {
  const { title, message } = app.spec.maintenance;
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:15vh auto;padding:0 1rem;color:#333}h1{font-weight:500}</style>',
    `</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message).replace(/\n/g, '<br>')}</p></body></html>`,
    '',
  ].join('\n');
}

/** The image and UID the page runs with: the App's, else the newest release's (pre-pulled on every node). */
export function maintenanceImage(app: App): { image: string; uid: number } {
  if (app.spec.maintenance.image !== undefined) return { image: app.spec.maintenance.image, uid: app.spec.code.runAsUser ?? NOBODY };
  const releases = activeReleases(app);
  const pool = releases.length > 0 ? releases : app.spec.releases;
  const newest = pool.reduce((a, b) => (semver.gt(b.version, a.version) ? b : a));
  return { image: releaseImage(app, newest), uid: releaseUid(app, newest) };
}


export function maintenanceDeployment(tenant: Tenant, app: App): KubeObject {
  const names = maintenanceNames(tenant.metadata.name);
  const { image, uid } = maintenanceImage(app);
  const selector = { [LABEL.tenant]: tenant.metadata.name, [LABEL.component]: 'maintenance' };
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: names.deployment, namespace: tenant.metadata.namespace ?? 'default', labels: tenantLabels(tenant, 'maintenance') },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 2,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: tenantLabels(tenant, 'maintenance') },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: app.spec.code.fsGroup, seccompProfile: { type: 'RuntimeDefault' } },
          ...(app.spec.code.pullSecretName ? { imagePullSecrets: [{ name: app.spec.code.pullSecretName }] } : {}),
          containers: [
            {
              name: 'page',
              image,
              imagePullPolicy: 'IfNotPresent',
              command: ['python3', '-c', SERVER_SCRIPT],
              // The page travels in the Pod spec rather than a ConfigMap: one object fewer per tenant, and a new page rolls the Pod.
              env: [
                { name: 'RETRY_AFTER', value: String(app.spec.maintenance.retryAfterSeconds) },
                { name: 'PAGE', value: maintenancePage(app) },
              ],
              ports: [{ name: 'http', containerPort: MAINTENANCE_PORT, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 30 },
              resources: { requests: { cpu: '5m', memory: '24Mi' }, limits: { memory: '64Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
  return deployment as KubeObject;
}

export function maintenanceService(tenant: Tenant): KubeObject {
  const names = maintenanceNames(tenant.metadata.name);
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: names.service, namespace: tenant.metadata.namespace ?? 'default', labels: tenantLabels(tenant, 'maintenance') },
    spec: {
      type: 'ClusterIP',
      selector: { [LABEL.tenant]: tenant.metadata.name, [LABEL.component]: 'maintenance' },
      ports: [{ name: 'http', port: MAINTENANCE_PORT, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }],
    },
  };
  return service as KubeObject;
}
