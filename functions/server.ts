// The gRPC server of function-odoo. It takes the standard function flags
// from the SDK (parseArgs, helpText) and its request codec, but writes
// responses with an encoder that puts composed objects straight on the wire
// (wire/codec.ts), half the cost of the generic one. With TLS it requires a
// client certificate signed by the CA, as Crossplane presents one (mutual TLS).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  FunctionRunnerServiceService,
  helpText,
  parseArgs,
  RunFunctionRequest,
  Severity,
  to,
  type ComposeFunction,
  type RunFunctionResponse,
} from '@crossplane-org/function-sdk-typescript';
import { ClientCertificateVerifier } from './client-certificate.js';
import { encodeResponse } from './wire/codec.js';

type Handler = (request: Buffer) => Promise<Buffer>;

const RAW = (b: Buffer) => b;

/** The FunctionRunnerService with byte-level (de)serialization. */
const RAW_SERVICE: grpc.ServiceDefinition = {
  runFunction: {
    path: FunctionRunnerServiceService.runFunction.path,
    requestStream: false,
    responseStream: false,
    requestSerialize: RAW,
    requestDeserialize: RAW,
    responseSerialize: RAW,
    responseDeserialize: RAW,
  },
};

/**
 * The client certificate of a call. grpc-js hands it over only for
 * connections OpenSSL authorized, which Crossplane's are not (see
 * client-certificate.ts), so otherwise it is read from the call's TLS
 * socket. That reaches into grpc-js internals (pinned 1.14.7); the gRPC
 * tests use certificates shaped like Crossplane's to catch a change.
 */
function peerCertificate(call: grpc.ServerUnaryCall<Buffer, Buffer>): Buffer | undefined {
  const authorized = call.getAuthContext()?.sslPeerCertificate?.raw;
  if (authorized) return authorized;
  const socket = (call as unknown as { call?: { stream?: { session?: { socket?: unknown } } } }).call?.stream?.session?.socket;
  return socket instanceof TLSSocket ? socket.getPeerCertificate().raw : undefined;
}

/** decode → compose → encode; a thrown error becomes a Fatal result, never a failed call. */
export function handler(compose: ComposeFunction): Handler {
  return async (bytes) => {
    const req = RunFunctionRequest.decode(bytes);
    let rsp: RunFunctionResponse;
    try {
      rsp = await compose(req, to(req) as Parameters<ComposeFunction>[1]);
    } catch (error) {
      rsp = to(req);
      rsp.results.push({ severity: Severity.SEVERITY_FATAL, message: `internal error: ${error instanceof Error ? error.message : String(error)}` });
    }
    const out = encodeResponse(rsp);
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  };
}

/**
 * TLS that asks every client for a certificate but leaves judging it to
 * ClientCertificateVerifier. The files are re-read when they change
 * (Crossplane renews the certificates it mounts).
 */
function credentials(dir: string): { creds: grpc.ServerCredentials; verifier: ClientCertificateVerifier } {
  const file = (f: string) => join(dir, f);
  const ca = new X509Certificate(readFileSync(file('ca.crt')));
  // The provider reads the files later and in the background: read them now so a missing one stops start-up with a clear message.
  readFileSync(file('tls.crt'));
  readFileSync(file('tls.key'));
  const provider = new grpc.experimental.FileWatcherCertificateProvider({
    certificateFile: file('tls.crt'),
    privateKeyFile: file('tls.key'),
    caCertificateFile: file('ca.crt'),
    refreshIntervalMs: 60_000,
  });
  return { creds: grpc.experimental.createCertificateProviderServerCredentials(provider, provider, false), verifier: new ClientCertificateVerifier(ca) };
}

export interface ServeOptions {
  name: string;
  argv?: string[];
}

function log(severity: 'INFO' | 'ERROR' | 'DEBUG', msg: string): void {
  process.stderr.write(`${JSON.stringify({ severity, time: Date.now(), msg })}\n`);
}

/** Parses the standard flags and serves until SIGTERM or SIGINT. */
export function serveFunction(compose: ComposeFunction, options: ServeOptions): grpc.Server {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(options.argv ?? process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${options.name}: ${(error as Error).message}\nTry '${options.name} --help' for the available flags.\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${helpText(options.name)}\n`);
    process.exit(0);
  }
  let tls: ReturnType<typeof credentials> | undefined;
  if (!args.insecure) {
    try {
      tls = credentials(args.tlsServerCertsDir ?? '/tls/server');
    } catch (error) {
      log('ERROR', `cannot read TLS certificates from ${args.tlsServerCertsDir}: ${(error as Error).message}; pass --insecure to serve without TLS`);
      process.exit(1);
    }
  }
  const run = handler(compose);
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  server.addService(RAW_SERVICE, {
    runFunction: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      if (tls) {
        const verdict = tls.verifier.verify(peerCertificate(call));
        if (!verdict.ok) return callback({ code: grpc.status.UNAUTHENTICATED, details: verdict.reason });
      }
      run(call.request).then(
        (rsp) => callback(null, rsp),
        (error: Error) => callback({ code: grpc.status.INTERNAL, details: error.message }),
      );
    },
  });
  server.bindAsync(args.address, tls?.creds ?? grpc.ServerCredentials.createInsecure(), (error) => {
    if (error) {
      log('ERROR', `cannot listen on ${args.address}: ${error.message}`);
      process.exit(1);
    }
    log('INFO', `${options.name} listening on ${args.address}${args.insecure ? ' (insecure)' : ' (mutual TLS)'}`);
  });
  const shutdown = (signal: string) => {
    log('INFO', `received ${signal}, shutting down`);
    server.tryShutdown(() => process.exit(0));
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return server;
}
