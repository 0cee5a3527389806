// npm run bench: RunFunction latency, throughput, memory, cold start and
// response size of function-odoo, against two baselines on the same
// requests in the same run — the SDK echo function (the protobuf floor) and
// a Go function doing comparable work. Load from ghz (pinned, built from the
// Go module proxy), a separate process on loopback.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { FunctionRunnerServiceService, RunFunctionRequest, RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { freePort, ROOT } from '../scripts/function-process.js';
import { goTemplateInput } from './go-input.js';
import { benchRequests } from './requests.js';

const run = promisify(execFile);
const GHZ = process.env.GHZ!;
const GO_FUNCTION = process.env.GO_FUNCTION!;
const PROTO = process.env.RUN_FUNCTION_PROTO!;
const SECONDS = Number(process.env.BENCH_SECONDS ?? '4');
const CONCURRENCY = [1, 8, 64];
const ONLY = process.argv.slice(2);
const OUT = join(ROOT, '.work', 'bench');

interface Variant {
  name: string;
  command: (address: string) => [string, string[]];
  goInput?: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'function-odoo', command: (a) => [process.execPath, [join(ROOT, 'dist/function-odoo.cjs'), '--insecure', `--address=${a}`]] },
  { name: 'echo', command: (a) => [process.execPath, [join(ROOT, 'dist/bench/echo.js'), '--insecure', `--address=${a}`]] },
  { name: 'go', command: (a) => [GO_FUNCTION, ['--insecure', `--address=${a}`]], goInput: true },
];

interface Load {
  concurrency: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

interface Result {
  scenario: string;
  variant: string;
  requestBytes: number;
  responseBytes: number;
  coldStartMs: number;
  peakRssMiB: number;
  loads: Load[];
}

const Client = grpc.makeGenericClientConstructor(FunctionRunnerServiceService, 'FunctionRunnerService');

function call(client: grpc.Client, req: RunFunctionRequest): Promise<RunFunctionResponse> {
  return new Promise((resolve, reject) =>
    (client as any).runFunction(req, { deadline: Date.now() + 2000 }, (err: Error | null, rsp: RunFunctionResponse) => (err ? reject(err) : resolve(rsp))),
  );
}

/** Starts a variant and returns it with the time from spawn to the first successful RunFunction. */
async function start(variant: Variant, req: RunFunctionRequest): Promise<{ child: ChildProcess; address: string; coldStartMs: number; responseBytes: number }> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const [cmd, args] = variant.command(address);
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GOMAXPROCS: '2' } });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const client = new Client(address, grpc.credentials.createInsecure(), { 'grpc.initial_reconnect_backoff_ms': 5, 'grpc.max_reconnect_backoff_ms': 5 } as grpc.ClientOptions);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${variant.name} exited: ${stderr}`);
    try {
      const rsp = await call(client, req);
      const coldStartMs = Number(process.hrtime.bigint() - t0) / 1e6;
      client.close();
      if (rsp.results.some((r) => r.severity === 1)) throw new Error(`${variant.name} answered Fatal: ${rsp.results[0]?.message}`);
      return { child, address, coldStartMs, responseBytes: RunFunctionResponse.encode(rsp).finish().length };
    } catch (error) {
      if ((error as Error).message.includes('answered Fatal')) throw error;
      if (Number(process.hrtime.bigint() - t0) > 20e9) throw new Error(`${variant.name} did not answer within 20s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

async function ghz(address: string, file: string, concurrency: number, args: string[]): Promise<Load> {
  const { stdout } = await run(
    GHZ,
    ['--insecure', `--proto=${PROTO}`, '--call=apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction', `--binary-file=${file}`, `--concurrency=${concurrency}`, '--cpus=1', '--format=json', ...args, address],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const r = JSON.parse(stdout) as { rps: number; slowest: number; latencyDistribution: { percentage: number; latency: number }[] | null; statusCodeDistribution: Record<string, number> };
  const pct = (p: number) => (r.latencyDistribution?.find((d) => d.percentage === p)?.latency ?? NaN) / 1e6;
  // Calls still in flight when the duration ends are reported Canceled: not the server's errors.
  const errors = Object.entries(r.statusCodeDistribution ?? {}).filter(([k]) => k !== 'OK' && k !== 'Canceled').reduce((n, [, v]) => n + v, 0);
  return { concurrency, rps: r.rps, p50: pct(50), p99: pct(99), max: r.slowest / 1e6, errors };
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
  return hwm ? Number(hwm[1]) / 1024 : NaN;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function f(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const requests = (await benchRequests()).filter((r) => ONLY.length === 0 || ONLY.includes(r.name));
  const results: Result[] = [];
  for (const { name, request } of requests) {
    const plain = join(OUT, `${name}.bin`);
    const withInput = join(OUT, `${name}.go.bin`);
    writeFileSync(plain, RunFunctionRequest.encode(request).finish());
    const goRequest = RunFunctionRequest.fromPartial({ ...RunFunctionRequest.toJSON(request) as object, input: await goTemplateInput(request) });
    writeFileSync(withInput, RunFunctionRequest.encode(goRequest).finish());
    for (const variant of VARIANTS) {
      const req = variant.goInput ? goRequest : request;
      const file = variant.goInput ? withInput : plain;
      const started = await start(variant, req);
      try {
        await ghz(started.address, file, 8, ['--total=300']); // warm-up: JIT, connections, caches
        const loads: Load[] = [];
        for (const c of CONCURRENCY) loads.push(await ghz(started.address, file, c, [`--duration=${SECONDS}s`, '--total=0']));
        const result: Result = {
          scenario: name,
          variant: variant.name,
          requestBytes: RunFunctionRequest.encode(req).finish().length,
          responseBytes: started.responseBytes,
          coldStartMs: started.coldStartMs,
          peakRssMiB: peakRssMiB(started.child.pid!),
          loads,
        };
        results.push(result);
        process.stderr.write(
          `${name} ${variant.name}: cold ${f(result.coldStartMs, 0)} ms, rss ${f(result.peakRssMiB, 0)} MiB, ` +
            loads.map((l) => `c${l.concurrency} ${f(l.rps, 0)}/s p50 ${f(l.p50)} p99 ${f(l.p99)}${l.errors ? ` ERR ${l.errors}` : ''}`).join(', ') +
            '\n',
        );
      } finally {
        await stop(started.child);
      }
    }
  }
  writeFileSync(join(OUT, 'results.json'), JSON.stringify({ machine: { cpus: cpus().length, model: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version }, seconds: SECONDS, results }, null, 2));
  process.stdout.write(report(results));
}

function report(results: Result[]): string {
  const lines: string[] = [];
  const by = (s: string, v: string) => results.find((r) => r.scenario === s && r.variant === v)!;
  lines.push(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${SECONDS}s per load; ghz --cpus=1 on loopback.`, '');
  lines.push('| scenario | function | req KB | rsp KB | cold ms | peak RSS MiB | c=1 rps | c=1 p50/p99 ms | c=8 rps | c=8 p50/p99 ms | c=64 rps | c=64 p50/p99/max ms |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const [c1, c8, c64] = r.loads as [Load, Load, Load];
    lines.push(
      `| ${r.scenario} | ${r.variant} | ${f(r.requestBytes / 1024, 1)} | ${f(r.responseBytes / 1024, 1)} | ${f(r.coldStartMs, 0)} | ${f(r.peakRssMiB, 0)} | ${f(c1.rps, 0)} | ${f(c1.p50)}/${f(c1.p99)} | ${f(c8.rps, 0)} | ${f(c8.p50)}/${f(c8.p99)} | ${f(c64.rps, 0)} | ${f(c64.p50)}/${f(c64.p99)}/${f(c64.max)} |`,
    );
  }
  lines.push('', 'Ratios of function-odoo to the floor (echo) and to the Go function, same scenario and concurrency:', '');
  lines.push('| scenario | p99 c=1 ÷echo | p99 c=8 ÷echo | p99 c=64 ÷echo | rps c=8 ÷go | rps c=64 ÷go | RSS ÷echo | cold ÷echo |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const s of [...new Set(results.map((r) => r.scenario))]) {
    const o = by(s, 'function-odoo');
    const e = by(s, 'echo');
    const g = by(s, 'go');
    lines.push(
      `| ${s} | ${f(o.loads[0]!.p99 / e.loads[0]!.p99)} | ${f(o.loads[1]!.p99 / e.loads[1]!.p99)} | ${f(o.loads[2]!.p99 / e.loads[2]!.p99)} | ${f(o.loads[1]!.rps / g.loads[1]!.rps)} | ${f(o.loads[2]!.rps / g.loads[2]!.rps)} | ${f(o.peakRssMiB / e.peakRssMiB)} | ${f(o.coldStartMs / e.coldStartMs)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

await main();
