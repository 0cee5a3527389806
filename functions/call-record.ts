// What one RunFunction call did, in the terms an operator asks about: which
// XR, what kind, whether it composed or was refused, the phase decided, how
// many objects and events, how long. It feeds the --debug log line and the
// metrics. Names and counts only: never a spec, a status message or a
// Secret's content.
import { Severity, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';

export type CallResult = 'composed' | 'fatal';

export interface CallRecord {
  kind: string;
  /** namespace/name of the XR, or its name when cluster-scoped. */
  xr: string;
  result: CallResult;
  /** Reason of the Fatal result (Refused, InternalError), when there is one. */
  fatalReason?: string;
  /** The Instance phase decided, when the kind has one. */
  phase?: string;
  resources: number;
  events: { normal: number; warning: number };
  durationSeconds: number;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function callRecord(req: RunFunctionRequest, rsp: RunFunctionResponse, durationSeconds: number): CallRecord {
  const xr = (req.observed?.composite?.resource ?? {}) as Record<string, unknown>;
  const meta = (xr.metadata ?? {}) as Record<string, unknown>;
  const namespace = text(meta.namespace);
  const name = text(meta.name) || '(unnamed)';
  const fatal = rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
  const phase = text(((rsp.desired?.composite?.resource ?? {}) as { status?: { phase?: unknown } }).status?.phase);
  return {
    kind: text(xr.kind) || '(none)',
    xr: namespace === '' ? name : `${namespace}/${name}`,
    result: fatal === undefined ? 'composed' : 'fatal',
    ...(fatal !== undefined ? { fatalReason: fatal.reason ?? 'Fatal' } : {}),
    ...(phase !== '' ? { phase } : {}),
    resources: Object.keys(rsp.desired?.resources ?? {}).length,
    events: {
      normal: rsp.results.filter((r) => r.severity === Severity.SEVERITY_NORMAL).length,
      warning: rsp.results.filter((r) => r.severity === Severity.SEVERITY_WARNING).length,
    },
    durationSeconds,
  };
}

/** The --debug line: one JSON object per call. */
export function debugLine(record: CallRecord, time: number): string {
  const { durationSeconds, ...rest } = record;
  return `${JSON.stringify({ severity: 'DEBUG', time, msg: 'RunFunction', ...rest, durationMs: Math.round(durationSeconds * 1e6) / 1e3 })}\n`;
}
