// The gRPC server of function-odoo. It takes the standard function flags
// from the SDK (parseArgs, helpText) and its request codec, but writes
// responses with an encoder that puts composed objects straight on the wire
// (wire/codec.ts), half the cost of the generic one. With TLS, it terminates
// mutual TLS itself and hands only connections whose client certificate it
// verified (signed by the CA, meant for clients, naming Crossplane) to the
// gRPC server: anyone else is disconnected at the handshake, before a byte
// of a message is read. The CA and server certificate are re-read when their
// files change (Crossplane renews what it mounts).
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import * as tls from 'node:tls';
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
import { callRecord, debugLine, type CallRecord } from './call-record.js';
import { ClientCertificateVerifier } from './client-certificate.js';
import { functionMetrics, serveMetrics } from './metrics.js';
import { encodeResponse } from './wire/codec.js';

type Handler = (request: Buffer) => Promise<Buffer>;

/**
 * The largest request accepted: 16 MiB. A Tenant's request grows by about
 * 2 KB per instance (the 500-instance tenant of the benchmark sends 1.0 MB),
 * so this fits tenants of about 5,000 instances, beyond which a platform
 * splits tenants anyway; a client cannot make the server buffer more.
 */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const HANDSHAKE_TIMEOUT_MS = 10_000;
const MAX_CONNECTIONS = 1024;
const RELOAD_CHECK_MS = 5_000;
/** The DNS name in the client certificate Crossplane presents (crossplane.<its namespace>); FUNCTION_CLIENT_IDENTITY overrides it. */
export const DEFAULT_CLIENT_IDENTITY = 'crossplane.crossplane-system';

const SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.max_receive_message_length': MAX_REQUEST_BYTES,
  // Crossplane calls each function concurrently, as many as it reconciles at once.
  'grpc.max_concurrent_streams': 256,
  'grpc.max_connection_idle_ms': 5 * 60_000,
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc-node.max_session_memory': 64,
};

function hostAndPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  return { host: host === '' ? '0.0.0.0' : host, port: Number(address.slice(at + 1)) };
}

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
 * decode → compose → encode; a thrown error becomes a Fatal result, never a
 * failed call. `onCall`, when given, hears what each call did (the debug log
 * and the metrics).
 */
export function handler(compose: ComposeFunction, onCall?: (record: CallRecord) => void): Handler {
  return async (bytes) => {
    const started = process.hrtime.bigint();
    const req = RunFunctionRequest.decode(bytes);
    let rsp: RunFunctionResponse;
    try {
      rsp = await compose(req, to(req) as Parameters<ComposeFunction>[1]);
    } catch (error) {
      rsp = to(req);
      rsp.results.push({ severity: Severity.SEVERITY_FATAL, reason: 'InternalError', message: `internal error: ${error instanceof Error ? error.message : String(error)}` });
    }
    const out = encodeResponse(rsp);
    if (onCall !== undefined) onCall(callRecord(req, rsp, Number(process.hrtime.bigint() - started) / 1e9));
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  };
}

/** Flags of function-odoo beyond the SDK's standard ones. */
const OWN_FLAGS_HELP = `${'      --metrics-address <value>'.padEnd(38)}Serve Prometheus metrics on GET /metrics at this address (e.g. :8080); off when not given`;

/** Takes --metrics-address out of argv, leaving the standard flags for the SDK's parser. */
export function splitOwnFlags(argv: readonly string[]): { metricsAddress?: string; rest: string[] } {
  const rest: string[] = [];
  let metricsAddress: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--metrics-address=')) metricsAddress = arg.slice('--metrics-address='.length);
    else if (arg === '--metrics-address') {
      metricsAddress = argv[i + 1];
      if (metricsAddress === undefined || metricsAddress.startsWith('--')) throw new Error("option '--metrics-address <value>' argument missing");
      i++;
    } else rest.push(arg);
  }
  return { ...(metricsAddress !== undefined ? { metricsAddress } : {}), rest };
}

/**
 * Mutual TLS in front of the gRPC server. Node's TLS (OpenSSL) rejects the
 * client certificate Crossplane makes (see client-certificate.ts), so the
 * TLS server asks for one without judging it, and each connection is judged
 * on 'secureConnection', before any HTTP/2 frame is read.
 */
class MutualTls {
  readonly server: tls.Server;
  private verifier: ClientCertificateVerifier;
  private stamp = '';
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly dir: string,
    private readonly identity: string,
    accept: (socket: tls.TLSSocket) => void,
  ) {
    const { context, verifier } = this.load();
    this.verifier = verifier;
    this.server = tls.createServer({ ...context, requestCert: true, rejectUnauthorized: false, ALPNProtocols: ['h2'], handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    this.server.maxConnections = MAX_CONNECTIONS;
    this.server.on('secureConnection', (socket: tls.TLSSocket) => {
      const verdict = this.verifier.verify(socket.getPeerCertificate().raw, this.identity);
      if (!verdict.ok) {
        log('DEBUG', `refused a connection from ${socket.remoteAddress}: ${verdict.reason}`);
        socket.destroy();
        return;
      }
      accept(socket);
    });
    this.server.on('tlsClientError', (error) => log('DEBUG', `TLS handshake failed: ${error.message}`));
    // Secrets mounted in a Pod change by a symlink swap, which file watches miss: look every few seconds.
    this.timer = setInterval(() => this.reloadIfChanged(), RELOAD_CHECK_MS);
    this.timer.unref();
  }

  private files() {
    return ['tls.crt', 'tls.key', 'ca.crt'].map((f) => join(this.dir, f));
  }

  private load(): { context: tls.SecureContextOptions; verifier: ClientCertificateVerifier } {
    const [cert, key, ca] = this.files().map((f) => readFileSync(f));
    this.stamp = this.files().map((f) => statSync(f).mtimeMs).join(',');
    return { context: { cert, key, ca }, verifier: new ClientCertificateVerifier(new X509Certificate(ca!)) };
  }

  private reloadIfChanged(): void {
    try {
      if (this.files().map((f) => statSync(f).mtimeMs).join(',') === this.stamp) return;
      const { context, verifier } = this.load();
      this.server.setSecureContext(context);
      this.verifier = verifier;
      log('INFO', `reloaded the TLS certificates from ${this.dir}`);
    } catch (error) {
      // Half-written files: the next look takes them.
      log('DEBUG', `cannot reload the TLS certificates yet: ${(error as Error).message}`);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.server.close();
  }
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
  let metricsAddress: string | undefined;
  try {
    const own = splitOwnFlags(options.argv ?? process.argv.slice(2));
    metricsAddress = own.metricsAddress;
    args = parseArgs(own.rest);
  } catch (error) {
    process.stderr.write(`${options.name}: ${(error as Error).message}\nTry '${options.name} --help' for the available flags.\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${helpText(options.name)}\n${OWN_FLAGS_HELP}\n`);
    process.exit(0);
  }
  let tlsFront: ((accept: (socket: tls.TLSSocket) => void) => MutualTls) | undefined;
  if (!args.insecure) {
    const dir = args.tlsServerCertsDir ?? '/tls/server';
    const identity = process.env.FUNCTION_CLIENT_IDENTITY ?? DEFAULT_CLIENT_IDENTITY;
    try {
      // Read now, so a missing or broken file stops start-up with a clear message.
      for (const f of ['tls.crt', 'tls.key', 'ca.crt']) readFileSync(join(dir, f));
      new X509Certificate(readFileSync(join(dir, 'ca.crt')));
    } catch (error) {
      log('ERROR', `cannot read TLS certificates from ${dir}: ${(error as Error).message}; pass --insecure to serve without TLS`);
      process.exit(1);
    }
    tlsFront = (accept) => new MutualTls(dir, identity, accept);
  }
  const metrics = metricsAddress !== undefined ? functionMetrics() : undefined;
  const debug = args.debug === true;
  const run = handler(
    compose,
    metrics === undefined && !debug
      ? undefined
      : (record) => {
          metrics?.observe(record);
          if (debug) process.stderr.write(debugLine(record, Date.now()));
        },
  );
  if (metrics !== undefined) {
    const { host, port } = hostAndPort(metricsAddress!);
    serveMetrics(metrics, host, port, (error) => {
      if (error) {
        log('ERROR', `cannot serve metrics on ${metricsAddress}: ${error.message}`);
        process.exit(1);
      }
      log('INFO', `metrics on http://${metricsAddress}/metrics`);
    });
  }
  const server = new grpc.Server(SERVER_OPTIONS);
  server.addService(RAW_SERVICE, {
    runFunction: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      run(call.request).then(
        (rsp) => callback(null, rsp),
        (error: Error) => callback({ code: grpc.status.INTERNAL, details: error.message }),
      );
    },
  });
  const listening = (error?: Error) => {
    if (error) {
      log('ERROR', `cannot listen on ${args.address}: ${error.message}`);
      process.exit(1);
    }
    log('INFO', `${options.name} listening on ${args.address}${args.insecure ? ' (insecure)' : ' (mutual TLS)'}`);
  };
  let front: MutualTls | undefined;
  if (args.insecure) {
    server.bindAsync(args.address, grpc.ServerCredentials.createInsecure(), (error) => listening(error ?? undefined));
  } else {
    const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    front = tlsFront!((socket) => injector.injectConnection(socket));
    const { host, port } = hostAndPort(args.address);
    front.server.once('error', listening);
    front.server.listen(port, host, () => listening());
  }
  const shutdown = (signal: string) => {
    log('INFO', `received ${signal}, shutting down`);
    front?.close();
    server.tryShutdown(() => process.exit(0));
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return server;
}
