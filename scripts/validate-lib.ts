// Runs `crossplane beta validate` over rendered objects against the real
// schemas prepared by schema-sources.ts.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';

const run = promisify(execFile);

export interface ValidationReport {
  ok: boolean;
  /** One line per object: [✓] validated, [x] error, [!] missing schema. */
  lines: string[];
}

/** Objects of a render's output that an API server would store: drops render's own Result and Context documents. */
export function storedObjects(renderOutput: string): Record<string, unknown>[] {
  return parseAllDocuments(renderOutput)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((o): o is Record<string, unknown> => o !== null && o.kind !== 'Result' && o.kind !== 'Context');
}

export async function validateObjects(
  crossplane: string,
  schemas: { extensions: string; cache: string },
  objects: Record<string, unknown>[],
): Promise<ValidationReport> {
  const dir = mkdtempSync(join(tmpdir(), 'function-odoo-validate-'));
  const file = join(dir, 'objects.yaml');
  writeFileSync(file, objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
  try {
    const { stdout } = await run(crossplane, ['beta', 'validate', schemas.extensions, file, `--cache-dir=${schemas.cache}`], { maxBuffer: 64 * 1024 * 1024 });
    const lines = stdout.split('\n').filter((l) => l.startsWith('['));
    return { ok: lines.every((l) => l.startsWith('[✓]')), lines };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    const lines = `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').filter((l) => l.trim() !== '');
    return { ok: false, lines };
  }
}
