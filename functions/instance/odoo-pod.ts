// What every Odoo Pod of an instance shares — web, cron and lifecycle Jobs:
// the release image, the non-root user, the filestore, odoo.conf rendered
// from the ConfigMap, and the database password from the role's Secret.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { instanceNames } from '../shared/instance-names.js';
import type { InstanceContext } from './context.js';
import { ODOO_PATHS } from './odoo-conf.js';
import type { Resources } from './settings.js';

/**
 * Appends admin_passwd to odoo.conf at Pod start, hashed with Odoo's own
 * passlib pbkdf2_sha512. The master password is derived from the database
 * password, so it exists nowhere but in the Pod, and the salt from the
 * database name, so every start writes the same file. Runs in the release
 * image, which ships passlib with Odoo.
 */
const CONFIGURE_SCRIPT = [
  'import hashlib, hmac, os',
  'from passlib.hash import pbkdf2_sha512',
  "db = os.environ['ODOO_DATABASE']",
  "master = hmac.new(os.environ['PGPASSWORD'].encode(), b'odoo-admin:' + db.encode(), hashlib.sha256).hexdigest()",
  "salt = hashlib.sha256(b'function-odoo:' + db.encode()).digest()[:16]",
  'hashed = pbkdf2_sha512.using(salt=salt, rounds=600000).hash(master)',
  `conf = open('${ODOO_PATHS.template}/odoo.conf').read() + 'admin_passwd = ' + hashed + '\\n'`,
  // The outgoing mail server's password, from its Secret: in the Pod's memory only.
  // A Secret made from a file often ends with a line break: that one is not part of the password.
  "smtp = os.environ.get('SMTP_PASSWORD')",
  'if smtp is not None:',
  "    smtp = smtp.rstrip('\\r\\n')",
  "    if '\\n' in smtp or '\\r' in smtp: raise SystemExit('the SMTP password Secret holds a line break: store the password alone')",
  "    conf += 'smtp_password = ' + smtp + '\\n'",
  `open('${ODOO_PATHS.conf}', 'w').write(conf)`,
].join('\n');

export const SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

/** Environment every Odoo container needs: the password (libpq reads PGPASSWORD) and the database name. */
export function databaseEnv(context: InstanceContext): NonNullable<IContainer['env']> {
  return [
    { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: instanceNames(context.name).credentials, key: 'password' } } },
    { name: 'ODOO_DATABASE', value: context.databaseName },
  ];
}

export function odooVolumes(context: InstanceContext, withFilestore = true): IVolume[] {
  const names = instanceNames(context.name);
  return [
    { name: 'odoo-conf-template', configMap: { name: names.config } },
    { name: 'odoo-conf', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
    { name: 'tmp', emptyDir: { sizeLimit: '2Gi' } },
    ...(withFilestore ? [{ name: 'filestore', persistentVolumeClaim: { claimName: names.filestore } }] : []),
  ];
}

export function odooMounts(withFilestore = true): IVolumeMount[] {
  return [
    { name: 'odoo-conf', mountPath: ODOO_PATHS.runtime },
    { name: 'tmp', mountPath: '/tmp' },
    ...(withFilestore ? [{ name: 'filestore', mountPath: ODOO_PATHS.dataDir }] : []),
  ];
}

/** A Secret key the Pod reads the outgoing mail server's password from. */
export interface SecretKey {
  name: string;
  key: string;
}

/** The init container that writes odoo.conf (with the hashed admin_passwd and the SMTP password) into the Pod's memory. */
export function configureContainer(context: InstanceContext, image: string, smtpPassword?: SecretKey): IContainer {
  return {
    name: 'configure',
    image,
    imagePullPolicy: 'IfNotPresent',
    command: ['python3', '-c', CONFIGURE_SCRIPT],
    env: [...databaseEnv(context), ...(smtpPassword ? [{ name: 'SMTP_PASSWORD', valueFrom: { secretKeyRef: { name: smtpPassword.name, key: smtpPassword.key } } }] : [])],
    resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    securityContext: SECURITY_CONTEXT,
    volumeMounts: [
      { name: 'odoo-conf-template', mountPath: ODOO_PATHS.template, readOnly: true },
      { name: 'odoo-conf', mountPath: ODOO_PATHS.runtime },
    ],
  };
}

/**
 * Pod-level settings shared by every Odoo Pod. The UID is the one of the
 * image the Pod runs (`runAsUser`, see releaseUid): a migration Job runs the
 * next series' image, whose odoo user may differ from the source's.
 */
export function odooPodSpec(context: InstanceContext, runAsUser: number): Omit<IPodSpec, 'containers'> {
  const { code } = context.app.spec;
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser,
      runAsGroup: code.fsGroup,
      fsGroup: code.fsGroup,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    },
    ...(code.pullSecretName ? { imagePullSecrets: [{ name: code.pullSecretName }] } : {}),
  };
}

export function containerResources(resources: Resources): NonNullable<IContainer['resources']> {
  const out: Record<string, Record<string, string>> = {};
  if (resources.requests && Object.keys(resources.requests).length > 0) out.requests = resources.requests as Record<string, string>;
  if (resources.limits && Object.keys(resources.limits).length > 0) out.limits = resources.limits as Record<string, string>;
  return out;
}
