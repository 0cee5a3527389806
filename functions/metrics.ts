// Prometheus metrics of function-odoo, served on --metrics-address when it
// is given (off by default: a Function Pod needs no open port but gRPC).
// prom-client is the Prometheus client most Node services use; it gives the
// text exposition format, histograms and the process metrics (CPU, memory,
// event loop lag) without code of ours to keep right.
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { CallRecord } from './call-record.js';

export interface FunctionMetrics {
  readonly registry: Registry;
  observe(record: CallRecord): void;
}

export function functionMetrics(): FunctionMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const calls = new Counter({
    name: 'function_odoo_calls_total',
    help: 'RunFunction calls, by XR kind and result (composed or fatal).',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  });
  const fatal = new Counter({
    name: 'function_odoo_fatal_results_total',
    help: 'Fatal results returned, by XR kind and reason (Refused: the spec cannot be composed; InternalError: a bug).',
    labelNames: ['kind', 'reason'] as const,
    registers: [registry],
  });
  const events = new Counter({
    name: 'function_odoo_events_total',
    help: 'Normal and Warning results returned (Crossplane records each as an event), by XR kind and severity.',
    labelNames: ['kind', 'severity'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'function_odoo_compose_duration_seconds',
    help: 'Time from a decoded request to an encoded response, by XR kind.',
    labelNames: ['kind'] as const,
    // One call costs a few milliseconds; a tenant of thousands of instances tens.
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  return {
    registry,
    observe(record) {
      calls.inc({ kind: record.kind, result: record.result });
      if (record.fatalReason !== undefined) fatal.inc({ kind: record.kind, reason: record.fatalReason });
      if (record.events.normal > 0) events.inc({ kind: record.kind, severity: 'Normal' }, record.events.normal);
      if (record.events.warning > 0) events.inc({ kind: record.kind, severity: 'Warning' }, record.events.warning);
      duration.observe({ kind: record.kind }, record.durationSeconds);
    },
  };
}

/** Serves GET /metrics on host:port; anything else is 404. */
export function serveMetrics(metrics: FunctionMetrics, host: string, port: number, listening: (error?: Error) => void): Server {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body),
      (error: Error) => res.writeHead(500).end(error.message),
    );
  });
  server.once('error', listening);
  server.listen(port, host, () => listening());
  return server;
}
