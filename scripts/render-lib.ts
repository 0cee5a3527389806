// Runs the real `crossplane render` against a running function-odoo, for one
// XR and an optional folder of observed and required resources.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { ROOT } from './function-process.js';

const run = promisify(execFile);

/** What one render needs: the XR file, and the scenario's observed and required resources if any. */
export interface RenderCase {
  name: string;
  xr: string;
  observed?: string;
  required?: string;
  /** claims: the claims edition (apis/claims, compositions/claims). */
  edition?: 'claims';
  /** A platform team's XR composing ours with function-go-templating (examples/platform). */
  platform?: { composition: string; functions: string; definition: string };
}

/** Where the functions a render needs listen. */
export interface FunctionAddresses {
  odoo: string;
  /** function-go-templating's stand-in (bench/go-function), for the platform example. */
  goTemplating?: string;
}

/** Composition file of an XR kind: compositions/<kind>.yaml, or compositions/claims/<kind>.yaml for XTenant and XInstance. */
export function compositionFor(xrFile: string, edition?: 'claims'): string {
  const xr = parse(readFileSync(xrFile, 'utf8')) as { kind?: string };
  const kind = String(xr.kind).replace(/^X(?=Tenant|Instance)/, '').toLowerCase();
  return edition === 'claims' ? join(ROOT, 'compositions', 'claims', `${kind}.yaml`) : join(ROOT, 'compositions', `${kind}.yaml`);
}

/**
 * The examples (examples/*.yaml but functions.yaml and required.yaml, which
 * holds the required resources every example is rendered with) and scenarios
 * (examples/scenarios/<name>/ with xr.yaml and optional observed/ and
 * required/ folders or files).
 */
export function renderCases(): RenderCase[] {
  const examples = join(ROOT, 'examples');
  const cases: RenderCase[] = readdirSync(examples)
    .filter((f) => f.endsWith('.yaml') && f !== 'functions.yaml' && f !== 'required.yaml')
    .sort()
    .map((f) => {
      const required = join(examples, 'required.yaml');
      return { name: f.replace(/\.yaml$/, ''), xr: join(examples, f), ...(existsSync(required) ? { required } : {}) };
    });
  const claims = join(examples, 'claims');
  if (existsSync(claims)) {
    for (const f of readdirSync(claims).filter((f) => f.endsWith('.yaml') && f !== 'required.yaml').sort()) {
      cases.push({ name: `claims/${f.replace(/\.yaml$/, '')}`, xr: join(claims, f), required: join(claims, 'required.yaml'), edition: 'claims' });
    }
  }
  const platform = join(examples, 'platform');
  if (existsSync(platform)) {
    cases.push({
      name: 'platform/customer-stack',
      xr: join(platform, 'customer-stack.yaml'),
      platform: { composition: join(platform, 'composition.yaml'), functions: join(platform, 'functions.yaml'), definition: join(platform, 'definition.yaml') },
    });
  }
  const scenarios = join(examples, 'scenarios');
  if (existsSync(scenarios)) {
    for (const dir of readdirSync(scenarios).sort()) {
      const base = join(scenarios, dir);
      if (!statSync(base).isDirectory()) continue;
      const pick = (n: string) => [join(base, n), join(base, `${n}.yaml`)].find((p) => existsSync(p));
      const observed = pick('observed');
      const required = pick('required');
      cases.push({
        name: `scenarios/${dir}`,
        xr: join(base, 'xr.yaml'),
        ...(observed ? { observed } : {}),
        ...(required ? { required } : {}),
      });
    }
  }
  return cases;
}

/** The first line of a golden file that records a render Crossplane refused (a Fatal result). */
export const RENDER_ERROR_HEADER = '# crossplane render failed:';

/**
 * Runs crossplane render for one case against the function at `address`;
 * returns its YAML output or, when `errorAsOutput` and the render fails
 * (as it does on a Fatal result), the error text under RENDER_ERROR_HEADER.
 */
export async function renderCase(crossplane: string, addresses: FunctionAddresses, c: RenderCase, includeFullXr = false, errorAsOutput = false): Promise<string> {
  if (c.platform && !addresses.goTemplating) throw new Error(`${c.name} needs function-go-templating's stand-in: set GO_FUNCTION (scripts/test builds it)`);
  const args = [
    'render',
    c.xr,
    c.platform ? c.platform.composition : compositionFor(c.xr, c.edition),
    c.platform ? c.platform.functions : join(ROOT, 'examples', 'functions.yaml'),
    `--function-annotations=render.crossplane.io/runtime-development-target=${c.platform ? addresses.goTemplating : addresses.odoo}`,
    '--include-function-results',
    '--timeout=30s',
  ];
  if (includeFullXr) args.push('--include-full-xr');
  if (c.observed) args.push(`--observed-resources=${c.observed}`);
  if (c.required) args.push(`--required-resources=${c.required}`);
  try {
    const { stdout } = await run(crossplane, args, { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    if (errorAsOutput && e.stderr) return `${RENDER_ERROR_HEADER}\n${e.stderr}`;
    throw new Error(`crossplane render ${c.name} failed: ${e.stderr ?? e.message}`);
  }
}
