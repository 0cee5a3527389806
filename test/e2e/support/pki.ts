// Certificates of the end-to-end control plane, made with openssl: a
// cluster CA, the API server's serving certificate for 127.0.0.1, the
// admin's client certificate (group system:masters) and the service account
// signing key.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** Signs `name`.crt with the CA in `dir`, for `subject` with the given extensions. */
export function issue(dir: string, name: string, subject: string, extensions: string, ca = 'ca'): void {
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
}

export function clusterPki(dir: string): void {
  mkdirSync(dir, { recursive: true });
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-subj', '/CN=function-odoo e2e cluster CA', '-days', '2', '-out', 'ca.crt');
  issue(dir, 'apiserver', '/CN=kube-apiserver', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n');
  issue(dir, 'admin', '/O=system:masters/CN=e2e-admin', 'extendedKeyUsage=clientAuth\n');
  openssl(dir, 'genrsa', '-out', 'sa.key', '2048');
  openssl(dir, 'rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
}

export function kubeconfig(dir: string, server: string): string {
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: e2e\n  cluster:\n    server: ${server}\n    certificate-authority: ${join(dir, 'ca.crt')}`,
      'users:',
      `- name: admin\n  user:\n    client-certificate: ${join(dir, 'admin.crt')}\n    client-key: ${join(dir, 'admin.key')}`,
      'contexts:',
      '- name: e2e\n  context:\n    cluster: e2e\n    user: admin',
      'current-context: e2e',
      '',
    ].join('\n'),
  );
  return file;
}
