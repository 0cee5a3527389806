// Certificates for TLS tests: a CA, a server certificate for 127.0.0.1 and
// localhost, and a client certificate, made with the openssl CLI.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  ca: Buffer;
  clientKey: Buffer;
  clientCert: Buffer;
}

function openssl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function signed(dir: string, name: string, subject: string, extensions: string): void {
  openssl(dir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
}

/**
 * Writes tls.key, tls.crt and ca.crt (the layout Crossplane mounts) plus a
 * client pair into a fresh directory. Like Crossplane's, the CA and the
 * client certificate have the same subject, which OpenSSL mistakes for a
 * self-signed client certificate.
 */
export function makeCerts(clientName = 'crossplane.crossplane-system'): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'function-odoo-tls-'));
  const subject = '/O=Crossplane/CN=Crossplane';
  openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-subj', subject, '-days', '2', '-out', 'ca.crt');
  signed(dir, 'tls', '/CN=function-odoo', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  // Go, which makes Crossplane's, gives a leaf no subject key identifier: with the CA's subject,
  // OpenSSL then takes it for self-signed.
  signed(dir, 'client', subject, `extendedKeyUsage=clientAuth\nsubjectKeyIdentifier=none\nauthorityKeyIdentifier=keyid\nsubjectAltName=DNS:${clientName}\n`);
  return {
    dir,
    ca: readFileSync(join(dir, 'ca.crt')),
    clientKey: readFileSync(join(dir, 'client.key')),
    clientCert: readFileSync(join(dir, 'client.crt')),
  };
}

/** A client key and certificate signed by the CA of `certs`, naming `clientName`. */
export function signedBy(certs: TestCerts, clientName: string): [Buffer, Buffer] {
  const name = `client-${clientName.replace(/[^a-z0-9]/g, '-')}`;
  signed(certs.dir, name, '/O=Crossplane/CN=Crossplane', `extendedKeyUsage=clientAuth\nsubjectKeyIdentifier=none\nauthorityKeyIdentifier=keyid\nsubjectAltName=DNS:${clientName}\n`);
  return [readFileSync(join(certs.dir, `${name}.key`)), readFileSync(join(certs.dir, `${name}.crt`))];
}

/** A client pair from a CA the function does not trust. */
export function foreignClient(): { key: Buffer; cert: Buffer } {
  const other = makeCerts();
  return { key: other.clientKey, cert: other.clientCert };
}
