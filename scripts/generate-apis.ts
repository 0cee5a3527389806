// Writes apis/<xr>/definition.yaml from the zod schemas. Run: npm run generate.
// With --check, writes nothing and exits 1 when a committed file is stale.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedApis } from './apis.js';
import { ROOT as root } from './function-process.js';

const check = process.argv.includes('--check');
let stale = 0;
for (const { path, content } of generatedApis()) {
  const file = join(root, path);
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = '';
  }
  if (current === content) continue;
  if (check) {
    process.stderr.write(`${path} is stale: run npm run generate\n`);
    stale++;
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    process.stdout.write(`wrote ${path}\n`);
  }
}
process.exit(stale > 0 ? 1 : 0);
