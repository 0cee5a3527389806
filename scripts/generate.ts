// npm run generate: writes apis/, docs/reference/ and the generated scenario folders.
// With --check, writes nothing and exits 1 when a committed file is stale.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './function-process.js';
import { generatedDirs, generatedFiles } from './generated.js';

const check = process.argv.includes('--check');
const files = await generatedFiles();
const wanted = new Set(files.map((f) => f.path));
let stale = 0;
for (const { path, content } of files) {
  const file = join(ROOT, path);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === content) continue;
  stale++;
  if (check) {
    process.stderr.write(`${path} is stale: run npm run generate\n`);
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    process.stdout.write(`wrote ${path}\n`);
  }
}
// Files left in generated folders from an older scenario definition or XR.
for (const dir of generatedDirs()) {
  for (const f of existsSync(join(ROOT, dir)) ? readdirSync(join(ROOT, dir)) : []) {
    if (wanted.has(`${dir}/${f}`)) continue;
    stale++;
    if (check) process.stderr.write(`${dir}/${f} is no longer generated: run npm run generate\n`);
    else rmSync(join(ROOT, dir, f));
  }
}
process.exit(check && stale > 0 ? 1 : 0);
