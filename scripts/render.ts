// npm run render: start function-odoo on a loopback port and render every
// example (or the ones named on the command line) with the real Crossplane CLI.
import { relative } from 'node:path';
import { ROOT, startFunction, startGoFunction } from './function-process.js';
import { renderCase, renderCases } from './render-lib.js';

const crossplane = process.env.CROSSPLANE;
if (!crossplane) {
  process.stderr.write('CROSSPLANE is not set: run this through `npm run render` (scripts/render)\n');
  process.exit(2);
}
// No argument: the examples. --scenarios: the scenarios too. Names: those cases.
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const withScenarios = args.includes('--scenarios');
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
try {
  for (const c of cases) {
    process.stdout.write(`# ---- ${c.name}: crossplane render ${relative(ROOT, c.xr)}\n`);
    try {
      process.stdout.write(await renderCase(crossplane, { odoo: fn.address, ...(go ? { goTemplating: go.address } : {}) }, c, false, true));
    } catch (error) {
      failed++;
      process.stderr.write(`${(error as Error).message}\n`);
    }
  }
} finally {
  await fn.stop();
  await go?.stop();
}
process.exit(failed > 0 ? 1 : 0);
