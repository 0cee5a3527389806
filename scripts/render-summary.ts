// What `npm run render` tells a person at the end: per example, the phase
// the function decided, its conditions, and the kinds it composed, with the
// file holding the full YAML. Read from the render's own output, so it says
// what `crossplane render` printed, not what we meant to compose.
import { parseAllDocuments } from 'yaml';
import { RENDER_ERROR_HEADER } from './render-lib.js';

export interface RenderSummary {
  example: string;
  phase: string;
  conditions: string[];
  composed: string[];
  file: string;
}

type Doc = { kind?: string; metadata?: { annotations?: Record<string, string> }; status?: Record<string, unknown> };

/**
 * Summarises one render: the XR (the first document) gives the phase and
 * its function-set conditions (Crossplane's own Ready/Synced are left out);
 * composed resources are counted by kind. A refusal (Crossplane's render
 * fails on a Fatal result) is the phase, its message the condition.
 */
export function summariseRender(example: string, output: string, file: string): RenderSummary {
  if (output.startsWith(RENDER_ERROR_HEADER)) {
    const error = output.slice(RENDER_ERROR_HEADER.length).trim();
    const fatal = /returned a fatal result: (.*)/.exec(error);
    return { example, phase: fatal ? 'refused (Fatal result)' : 'render failed', conditions: [fatal ? fatal[1]! : error.split('\n')[0]!], composed: [], file };
  }
  const docs = parseAllDocuments(output)
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);
  const xr = docs[0];
  const conditions = ((xr?.status?.conditions ?? []) as { type: string; status: string; reason?: string }[])
    .filter((c) => c.type !== 'Ready' && c.type !== 'Synced')
    .map((c) => `${c.type} ${c.status === 'True' ? '✓' : '✗'} ${c.reason ?? ''}`.trim());
  const kinds = new Map<string, number>();
  for (const d of docs) {
    if (!d.metadata?.annotations?.['crossplane.io/composition-resource-name']) continue;
    kinds.set(d.kind!, (kinds.get(d.kind!) ?? 0) + 1);
  }
  const composed = [...kinds.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => (n > 1 ? `${kind}×${n}` : kind));
  return { example, phase: String(xr?.status?.phase ?? '—'), conditions, composed, file };
}

/** A Markdown table of the summaries: readable in a terminal, pasteable into an issue. */
export function summaryTable(rows: readonly RenderSummary[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = ['| example | phase | conditions | composed | full YAML |', '|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${cell(r.example)} | ${cell(r.phase)} | ${cell(r.conditions.join(', ') || '—')} | ${cell(r.composed.join(', ') || 'nothing')} | ${cell(r.file)} |`);
  return `${lines.join('\n')}\n`;
}
