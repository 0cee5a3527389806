// apis/ is generated from the zod schemas; a hand edit or a forgotten
// `npm run generate` fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedApis } from '../../scripts/apis.js';

describe('generated XRDs', () => {
  it.each(generatedApis())('$path matches the zod schemas (run npm run generate if not)', ({ path, content }) => {
    expect(readFileSync(join(import.meta.dirname, '..', '..', path), 'utf8')).toBe(content);
  });
});
