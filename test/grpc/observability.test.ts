// Operating the function: --debug logs one structured line per call (no
// secrets), and --metrics-address serves Prometheus metrics a scraper reads.
// The built server, called over gRPC the way Crossplane calls it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startFunction, type RunningFunction } from '../../scripts/function-process.js';
import { appManifest } from '../support/builders.js';
import { functionClient } from '../support/grpc-client.js';
import { request } from '../support/request.js';

// A value of the spec: the log and the metrics carry names and counts, never what a spec says.
const SPEC_VALUE = 'registry.acme.example/odoo/never-logged';

describe('--debug and --metrics-address', () => {
  let fn: RunningFunction;
  let metricsUrl: string;
  beforeAll(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    fn = await startFunction(['--insecure', '--debug', `--metrics-address=127.0.0.1:${port}`]);
  });
  afterAll(() => fn?.stop());

  it('logs one JSON line per call with the XR, kind, result, phase and duration, and nothing of the spec', async () => {
    const client = functionClient(fn.address);
    const app = appManifest({ code: { imageRepository: SPEC_VALUE } });
    await client.runFunction(request(app));
    await client.runFunction(request({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'n' } }));
    client.close();
    const logged = () =>
      fn
        .output()
        .split('\n')
        .filter((l) => l.includes('"msg":"RunFunction"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    // The line is written after the answer is sent, and reaches us through a pipe: on a busy machine it may come a moment later.
    for (let waited = 0; logged().length < 2 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    const lines = logged();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ severity: 'DEBUG', kind: 'App', xr: 'acme', result: 'composed', resources: 6 });
    expect(lines[0]!.durationMs).toEqual(expect.any(Number));
    expect(lines[1]).toMatchObject({ kind: 'ConfigMap', xr: 'n/x', result: 'fatal', fatalReason: 'Refused', resources: 0 });
    expect(fn.output()).not.toContain(SPEC_VALUE);
  });

  it('serves calls by kind and result, the compose duration and fatal results on /metrics', async () => {
    const body = await (await fetch(metricsUrl)).text();
    expect(body).toMatch(/^function_odoo_calls_total\{kind="App",result="composed"\} [1-9]/m);
    expect(body).toMatch(/^function_odoo_calls_total\{kind="ConfigMap",result="fatal"\} 1$/m);
    expect(body).toMatch(/^function_odoo_fatal_results_total\{kind="ConfigMap",reason="Refused"\} 1$/m);
    expect(body).toMatch(/^function_odoo_compose_duration_seconds_count\{kind="App"\} [1-9]/m);
    expect(body).toMatch(/^function_odoo_compose_duration_seconds_bucket\{le="0\.005",kind="App"\} \d+$/m);
    expect(body).toMatch(/^process_cpu_seconds_total \d/m);
    expect(body).not.toContain(SPEC_VALUE);
    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  });
});

describe('without --metrics-address', () => {
  it('opens no port but gRPC, and --help names the flag', async () => {
    const fn = await startFunction(['--insecure']);
    try {
      expect(fn.output()).not.toContain('metrics on');
    } finally {
      await fn.stop();
    }
    const { execFileSync } = await import('node:child_process');
    const { join } = await import('node:path');
    const { ROOT } = await import('../../scripts/function-process.js');
    const help = execFileSync(process.execPath, [join(ROOT, 'dist', 'function-odoo.cjs'), '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/--metrics-address <value>\s+Serve Prometheus metrics/);
  });
});
