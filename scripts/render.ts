// npm run render: start function-odoo on a loopback port and render every
// example (or the ones named on the command line) with the real Crossplane CLI.
// Each render's YAML goes to .work/render/<example>.yaml (and to stdout with
// --print); the run ends with a table of what each example composed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ROOT, startFunction, startGoFunction } from './function-process.js';
import { renderCase, renderCases } from './render-lib.js';
import { summariseRender, summaryTable, type RenderSummary } from './render-summary.js';

const crossplane = process.env.CROSSPLANE;
if (!crossplane) {
  process.stderr.write('CROSSPLANE is not set: run this through `npm run render` (scripts/render)\n');
  process.exit(2);
}
// No argument: the examples. --scenarios: the scenarios too. Names: those cases. --print: the YAML on stdout too.
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const withScenarios = args.includes('--scenarios');
const print = args.includes('--print');
const outDir = join(ROOT, '.work', 'render');
const cases = renderCases()
  .filter((c) => (only.length > 0 ? only.includes(c.name) : withScenarios || !c.name.startsWith('scenarios/')))
  // The platform example needs the Go stand-in for function-go-templating: only with --scenarios or by name.
  .filter((c) => !c.platform || only.includes(c.name) || withScenarios);
if (cases.length === 0) {
  process.stderr.write(`no example named ${only.join(', ')}; try one of: ${renderCases().map((c) => c.name).join(', ')}\n`);
  process.exit(2);
}
const fn = await startFunction();
const go = cases.some((c) => c.platform) ? await startGoFunction() : undefined;
let failed = 0;
const summaries: RenderSummary[] = [];
try {
  for (const c of cases) {
    const file = join(outDir, `${c.name}.yaml`);
    try {
      const output = await renderCase(crossplane, { odoo: fn.address, ...(go ? { goTemplating: go.address } : {}) }, c, false, true);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, output);
      if (print) process.stdout.write(`# ---- ${c.name}: crossplane render ${relative(ROOT, c.xr)}\n${output}`);
      summaries.push(summariseRender(c.name, output, relative(ROOT, file)));
    } catch (error) {
      failed++;
      process.stderr.write(`${(error as Error).message}\n`);
    }
  }
} finally {
  await fn.stop();
  await go?.stop();
}
process.stdout.write(`\n${summaryTable(summaries)}\nFull YAML of each render in ${relative(ROOT, outDir)}/${print ? '' : ' (add --print to see it here)'}\n`);
process.exit(failed > 0 ? 1 : 0);
