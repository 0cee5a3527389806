// The built server (dist/functions/main.js) over the wire, the way
// Crossplane calls it: plaintext with --insecure, and TLS with certificates
// made for the test.
import * as grpc from '@grpc/grpc-js';
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunction, type RunningFunction } from '../../scripts/function-process.js';
import { appManifest } from '../support/builders.js';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { foreignClient, makeCerts, signedBy, type TestCerts } from '../support/certs.js';

async function eventuallyOk<T>(attempt: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
import { functionClient } from '../support/grpc-client.js';
import { request } from '../support/request.js';

describe('with --insecure', () => {
  let fn: RunningFunction;
  beforeAll(async () => {
    fn = await startFunction(['--insecure']);
  });
  afterAll(() => fn?.stop());

  it('composes an App sent over gRPC', async () => {
    const client = functionClient(fn.address);
    const rsp = await client.runFunction(request(appManifest()));
    client.close();
    expect(rsp.results.filter((r) => r.severity !== Severity.SEVERITY_NORMAL)).toEqual([]);
    expect(Object.keys(rsp.desired?.resources ?? {}).sort()).toEqual(['channel-guard', 'channel-guard-binding', 'deletion-protection', 'deletion-protection-binding', 'image-cache', 'provider-config']);
    expect(rsp.desired?.resources['provider-config']?.resource?.kind).toBe('ClusterProviderConfig');
    expect(rsp.meta?.tag).toBe('test');
  });

  it('answers a repeated request with the same response', async () => {
    const client = functionClient(fn.address);
    const first = await client.runFunction(request(appManifest()));
    const second = await client.runFunction(request(appManifest()));
    client.close();
    expect(second).toEqual(first);
  });

  it('answers bad input with a Fatal result, and keeps serving', async () => {
    const client = functionClient(fn.address);
    const bad = await client.runFunction(request({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }));
    expect(bad.results.map((r) => r.severity)).toEqual([Severity.SEVERITY_FATAL]);
    const good = await client.runFunction(request(appManifest()));
    client.close();
    expect(good.results.filter((r) => r.severity !== Severity.SEVERITY_NORMAL)).toEqual([]);
  });
});

describe('with TLS certificates from --tls-server-certs-dir', () => {
  let fn: RunningFunction;
  let certs: TestCerts;
  beforeAll(async () => {
    certs = makeCerts();
    fn = await startFunction([`--tls-server-certs-dir=${certs.dir}`]);
  });
  afterAll(() => fn?.stop());

  it('composes for a client that trusts the CA and presents its certificate, even one whose subject is its CA’s, as Crossplane’s is', async () => {
    const client = functionClient(fn.address.replace('127.0.0.1', 'localhost'), grpc.credentials.createSsl(certs.ca, certs.clientKey, certs.clientCert));
    const rsp = await client.runFunction(request(appManifest()));
    client.close();
    expect(rsp.results.filter((r) => r.severity !== Severity.SEVERITY_NORMAL)).toEqual([]);
    expect(rsp.desired?.resources['image-cache']?.resource?.kind).toBe('DaemonSet');
  });

  it('refuses a TLS client without a client certificate: Crossplane always presents one', async () => {
    const client = functionClient(fn.address.replace('127.0.0.1', 'localhost'), grpc.credentials.createSsl(certs.ca));
    await expect(client.runFunction(request(appManifest()))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    client.close();
  });

  it('refuses a client certificate from another CA', async () => {
    const other = foreignClient();
    const client = functionClient(fn.address.replace('127.0.0.1', 'localhost'), grpc.credentials.createSsl(certs.ca, other.key, other.cert));
    await expect(client.runFunction(request(appManifest()))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    client.close();
  });

  it('refuses a certificate of its own CA that does not name Crossplane: the client identity is pinned', async () => {
    // Same CA as the function's, another name.
    const client = functionClient(fn.address.replace('127.0.0.1', 'localhost'), grpc.credentials.createSsl(certs.ca, ...signedBy(certs, 'someone.else')));
    await expect(client.runFunction(request(appManifest()))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    client.close();
  });

  it('disconnects an unauthenticated client at the handshake, before it can send a byte of a message', async () => {
    const [host, port] = [fn.address.split(':')[0]!, Number(fn.address.split(':')[1])];
    const connect = (client: { key?: string | Buffer; cert?: string | Buffer }) =>
      new Promise<{ handshake: boolean; serverName: string | undefined; received: number }>((resolve) => {
        let handshake = false;
        let serverName: string | undefined;
        let received = 0;
        const socket = tls.connect({ host, port, ca: certs.ca, servername: 'localhost', ALPNProtocols: ['h2'], ...client }, () => {
          handshake = true;
          serverName = String(socket.getPeerCertificate().subject?.CN ?? '');
        });
        // An authenticated client hears the server's HTTP/2 SETTINGS at once; wait for them, then hang up.
        socket.on('data', (d: Buffer) => {
          received += d.length;
          socket.end();
        });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve({ handshake, serverName, received }));
      });
    // TLS 1.3 completes the client's side of the handshake before the server
    // judges the certificate: the function's own certificate was presented
    // (so the function answered), then it closed without sending a byte.
    expect(await connect({})).toEqual({ handshake: true, serverName: 'function-odoo', received: 0 });
    // The same connection with the client certificate is spoken to: the check above could see bytes.
    const authenticated = await connect({ key: certs.clientKey, cert: certs.clientCert });
    expect(authenticated.received).toBeGreaterThan(0);
  });

  it('reloads a rotated CA and server certificate without a restart', async () => {
    const rotated = makeCerts();
    for (const f of ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']) copyFileSync(join(rotated.dir, f), join(certs.dir, f));
    const client = () => functionClient(fn.address.replace('127.0.0.1', 'localhost'), grpc.credentials.createSsl(rotated.ca, rotated.clientKey, rotated.clientCert));
    const rsp = await eventuallyOk(async () => {
      const c = client();
      try {
        return await c.runFunction(request(appManifest()));
      } finally {
        c.close();
      }
    });
    expect(rsp.results.filter((r) => r.severity !== Severity.SEVERITY_NORMAL)).toEqual([]);
  });

  it('refuses a plaintext client', async () => {
    const client = functionClient(fn.address);
    await expect(client.runFunction(request(appManifest()))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    client.close();
  });
});
