// apis/, the field reference in docs/reference/ and the generated scenario
// folders come from the zod schemas and scripts/scenarios.ts; a hand edit or a
// forgotten `npm run generate` fails here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../../scripts/generated.js';

const files = await generatedFiles();

describe('generated files', () => {
  it.each(files)('$path is up to date (run npm run generate if not)', ({ path, content }) => {
    const file = join(import.meta.dirname, '..', '..', path);
    expect(existsSync(file), `${path} is missing`).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });
});
