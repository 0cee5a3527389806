// The client certificate check that stands in for OpenSSL's, at every TLS handshake.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ClientCertificateVerifier } from '../../functions/client-certificate.js';
import { makeCerts } from '../support/certs.js';

const der = (pem: Buffer) => new X509Certificate(pem).raw;

describe('ClientCertificateVerifier', () => {
  const certs = makeCerts();
  const verifier = new ClientCertificateVerifier(new X509Certificate(certs.ca));

  it('accepts a client certificate signed by the CA, even with the CA’s own subject (as Crossplane makes them)', () => {
    expect(verifier.verify(der(certs.clientCert))).toEqual({ ok: true });
  });

  it('refuses a certificate signed by another CA', () => {
    expect(verifier.verify(der(makeCerts().clientCert))).toEqual({ ok: false, reason: 'the client certificate is not signed by the function’s CA' });
  });

  it('refuses a certificate meant for servers only', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    expect(verifier.verify(der(readFileSync(join(certs.dir, 'tls.crt'))))).toEqual({ ok: false, reason: 'the client certificate is not meant for client authentication' });
  });

  it('refuses an expired certificate, and no certificate at all', () => {
    expect(verifier.verify(der(certs.clientCert), undefined, new Date('2100-01-01'))).toEqual({ ok: false, reason: 'the client certificate is not valid now' });
    expect(verifier.verify(undefined)).toEqual({ ok: false, reason: 'a client certificate signed by the function’s CA is required' });
  });

  it('pins the client: a certificate of the same CA that does not name Crossplane is refused', () => {
    const certs = makeCerts();
    const verifier = new ClientCertificateVerifier(new X509Certificate(certs.ca));
    expect(verifier.verify(der(certs.clientCert), 'crossplane.crossplane-system')).toEqual({ ok: true });
    expect(verifier.verify(der(certs.clientCert), 'crossplane.other-namespace')).toEqual({ ok: false, reason: 'the client certificate does not name crossplane.other-namespace' });
  });
});
