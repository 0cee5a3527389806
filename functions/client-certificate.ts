// Verifies the client certificate of a RunFunction call ourselves. Node's
// TLS (OpenSSL) rejects the client certificate Crossplane generates, because
// Crossplane gives its CA and its client certificate the same subject
// ("CN=Crossplane", …), which OpenSSL takes for a self-signed leaf. Go
// verifies by signature and accepts it. So the TLS layer asks for a client
// certificate without judging it, and each connection is checked here: signed
// by the CA, valid now, meant for client authentication, and naming the
// client the function serves (Crossplane's certificate carries the DNS name
// crossplane.<namespace>): another holder of a certificate from the same CA
// is not Crossplane.
import { X509Certificate } from 'node:crypto';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export type Verdict = { ok: true } | { ok: false; reason: string };

export class ClientCertificateVerifier {
  private readonly verdicts = new Map<string, Verdict>();

  constructor(private readonly ca: X509Certificate) {}

  verify(raw: Buffer | undefined, identity?: string, now: Date = new Date()): Verdict {
    if (raw === undefined || raw.length === 0) return { ok: false, reason: 'a client certificate signed by the function’s CA is required' };
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(raw);
    } catch {
      return { ok: false, reason: 'the client certificate cannot be parsed' };
    }
    if (now < new Date(leaf.validFrom) || now > new Date(leaf.validTo)) return { ok: false, reason: 'the client certificate is not valid now' };
    if (identity !== undefined && !(leaf.subjectAltName ?? '').split(', ').includes(`DNS:${identity}`)) {
      return { ok: false, reason: `the client certificate does not name ${identity}` };
    }
    const known = this.verdicts.get(leaf.fingerprint256);
    if (known) return known;
    let verdict: Verdict;
    if (!leaf.verify(this.ca.publicKey)) verdict = { ok: false, reason: 'the client certificate is not signed by the function’s CA' };
    else if (leaf.keyUsage !== undefined && !leaf.keyUsage.includes(CLIENT_AUTH)) verdict = { ok: false, reason: 'the client certificate is not meant for client authentication' };
    else verdict = { ok: true };
    if (this.verdicts.size > 64) this.verdicts.clear();
    this.verdicts.set(leaf.fingerprint256, verdict);
    return verdict;
  }
}
