// The built server (dist/functions/main.js) over the wire, the way
// Crossplane calls it: plaintext with --insecure, and TLS with certificates
// made for the test.
import * as grpc from '@grpc/grpc-js';
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunction, type RunningFunction } from '../../scripts/function-process.js';
import { appManifest } from '../support/builders.js';
import { foreignClient, makeCerts, type TestCerts } from '../support/certs.js';
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
    expect(rsp.results).toEqual([]);
    expect(Object.keys(rsp.desired?.resources ?? {}).sort()).toEqual(['image-cache', 'provider-config']);
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
    expect(good.results).toEqual([]);
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
    expect(rsp.results).toEqual([]);
    expect(rsp.desired?.resources['image-cache']?.resource?.kind).toBe('DaemonSet');
  });

  it('refuses a TLS client without a client certificate: Crossplane always presents one', async () => {
    const client = functionClient(fn.address.replace('127.0.0.1', 'localhost'), grpc.credentials.createSsl(certs.ca));
    await expect(client.runFunction(request(appManifest()))).rejects.toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
      details: 'a client certificate signed by the function’s CA is required',
    });
    client.close();
  });

  it('refuses a client certificate from another CA', async () => {
    const other = foreignClient();
    const client = functionClient(fn.address.replace('127.0.0.1', 'localhost'), grpc.credentials.createSsl(certs.ca, other.key, other.cert));
    await expect(client.runFunction(request(appManifest()))).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    client.close();
  });

  it('refuses a plaintext client', async () => {
    const client = functionClient(fn.address);
    await expect(client.runFunction(request(appManifest()))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    client.close();
  });
});
