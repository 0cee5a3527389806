// Every example and scenario, rendered by the real Crossplane CLI against the
// built function, compared with its golden file and validated against the
// real schemas of every object (ours, provider-sql, Gateway API, Crossplane,
// Kubernetes). UPDATE_GOLDEN=1 rewrites the golden files.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startFunction, startGoFunction, type RunningFunction } from '../../scripts/function-process.js';
import { RENDER_ERROR_HEADER, renderCase, renderCases } from '../../scripts/render-lib.js';
import { prepareSchemas } from '../../scripts/schema-sources.js';
import { storedObjects, validateObjects } from '../../scripts/validate-lib.js';

const crossplane = process.env.CROSSPLANE;
if (!crossplane) throw new Error('CROSSPLANE is not set: run the tests with npm test (scripts/test builds the pinned CLI)');

const cases = renderCases();
const outputs = new Map<string, string>();
let fn: RunningFunction;
let go: RunningFunction;
let schemas: { extensions: string; cache: string };
let claimsSchemas: { extensions: string; cache: string };
let platformSchemas: { extensions: string; cache: string };

beforeAll(async () => {
  schemas = prepareSchemas(join(ROOT, '.work', 'schemas'));
  claimsSchemas = prepareSchemas(join(ROOT, '.work', 'schemas-claims'), 'claims');
  platformSchemas = prepareSchemas(join(ROOT, '.work', 'schemas-platform'));
  copyFileSync(join(ROOT, 'examples', 'platform', 'definition.yaml'), join(platformSchemas.extensions, 'platform-definition.yaml'));
  fn = await startFunction();
  go = await startGoFunction();
  for (const c of cases) outputs.set(c.name, await renderCase(crossplane, { odoo: fn.address, goTemplating: go.address }, c, true, true));
});
afterAll(async () => {
  await fn?.stop();
  await go?.stop();
});

describe.each(cases)('$name', (c) => {
  it('renders as its golden file', () => {
    const output = outputs.get(c.name)!;
    const golden = join(ROOT, 'test', 'golden', `${c.name}.yaml`);
    if (process.env.UPDATE_GOLDEN === '1') {
      mkdirSync(dirname(golden), { recursive: true });
      writeFileSync(golden, output);
    }
    expect(existsSync(golden), `${golden} is missing: run UPDATE_GOLDEN=1 npm test -- test/render`).toBe(true);
    expect(output).toBe(readFileSync(golden, 'utf8'));
  });

  it('validates every rendered object against its real schema', async (ctx) => {
    const output = outputs.get(c.name)!;
    // A render refused with a Fatal result composes nothing; its golden file holds the message.
    if (output.startsWith(RENDER_ERROR_HEADER)) ctx.skip();
    const objects = storedObjects(output);
    expect(objects.length).toBeGreaterThan(0);
    const report = await validateObjects(crossplane, c.edition === 'claims' ? claimsSchemas : c.platform ? platformSchemas : schemas, objects);
    expect(report.lines.filter((l) => !l.startsWith('[✓]')), report.lines.join('\n')).toEqual([]);
    expect(report.lines).toHaveLength(objects.length);
  });
});

describe('renders refused with a Fatal result', () => {
  it('are only the scenarios that describe a refusal: a change that breaks an example does not pass as a skipped validation', () => {
    const refused = [...outputs.entries()].filter(([, o]) => o.startsWith(RENDER_ERROR_HEADER)).map(([name]) => name).sort();
    expect(refused).toEqual(['scenarios/instance-tenant-missing']);
  });
});

describe('schema validation', () => {
  it('refuses an object with an unknown field, so a typo in a composer cannot pass', async () => {
    const [xr, ...composed] = storedObjects(outputs.get('app')!);
    const daemonSet = composed.find((o) => o.kind === 'DaemonSet') as any;
    const broken = structuredClone(daemonSet);
    broken.spec.template.spec.automountServiceAccountTokn = false;
    const report = await validateObjects(crossplane, schemas, [xr!, broken]);
    expect(report.ok).toBe(false);
    expect(report.lines.join('\n')).toContain('unknown field: "automountServiceAccountTokn"');
  });
});
