// The next version of the packages, for the upgrade e2e: this tree copied,
// its version's patch number raised, and one change of each kind an upgrade
// brings (a field added to an XRD, a change to an object the function
// renders), then built and packaged by the project's own scripts. The
// changes are the test's, not a release's: what they show is what any
// upgrade of the package does to the tenants running on it.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../../scripts/function-process.js';

export interface SourceChange {
  file: string;
  /** What the change is, for the test's report. */
  what: string;
  find: string;
  replace: string;
}

/** The annotation the next version's web Services carry: seeing it on a Service shows the new function rendered it. */
export const NEXT_SERVICE_ANNOTATION = 'odoo.io/e2e-next-version';

/** The environment variable the next version adds to staging instances' web Pods: a Pod template change, for some instances only. */
export const NEXT_STAGING_ENV = 'ODOO_E2E_NEXT_VERSION';

export const NEXT_CHANGES: SourceChange[] = [
  {
    file: 'functions/instance/schema.ts',
    what: 'the Instance XRD gains an optional spec.note',
    find: "  tenantRef: z.object({ name: dnsLabel.describe('Name of the Tenant, in this namespace.') }).describe('The Tenant this instance belongs to.'),\n",
    replace:
      "  tenantRef: z.object({ name: dnsLabel.describe('Name of the Tenant, in this namespace.') }).describe('The Tenant this instance belongs to.'),\n" +
      "  note: z.string().max(200).optional().describe('A note about the instance.'),\n",
  },
  {
    file: 'functions/shared/field-authority.ts',
    what: 'who may set it: the end user (schema only)',
    find: "  { fields: 'spec.testTags', bound: 'schema only' },\n",
    replace: "  { fields: 'spec.testTags', bound: 'schema only' },\n  { fields: 'spec.note', bound: 'schema only' },\n",
  },
  {
    file: 'functions/instance/workloads.ts',
    what: `every instance's web Service carries the annotation ${NEXT_SERVICE_ANNOTATION} (no Pod template changes)`,
    find: "metadata: { name: instanceNames(context.name).service, namespace: context.namespace, labels: instanceLabels(context, 'web') },",
    replace: `metadata: { name: instanceNames(context.name).service, namespace: context.namespace, labels: instanceLabels(context, 'web'), annotations: { '${NEXT_SERVICE_ANNOTATION}': 'true' } },`,
  },
  {
    file: 'functions/instance/workloads.ts',
    what: `staging instances' web Pod template gets the environment variable ${NEXT_STAGING_ENV} (their web Pods restart; no other instance's do)`,
    find: "args: ['--config', ODOO_PATHS.conf, '--max-cron-threads=0'],\n      env: databaseEnv(context),",
    replace: `args: ['--config', ODOO_PATHS.conf, '--max-cron-threads=0'],\n      env: context.type === 'staging' ? [...databaseEnv(context), { name: '${NEXT_STAGING_ENV}', value: 'true' }] : databaseEnv(context),`,
  },
];

/** Applies a change to a text; throws unless its anchor occurs exactly once (the tree moved: update the change). */
export function applyChange(text: string, change: SourceChange): string {
  const at = text.indexOf(change.find);
  if (at < 0 || text.indexOf(change.find, at + 1) >= 0) {
    throw new Error(`${change.file}: the text the upgrade e2e's next version changes (${change.what}) is ${at < 0 ? 'not there' : 'there more than once'}; update NEXT_CHANGES in test/e2e/support/next-package.ts`);
  }
  return text.slice(0, at) + change.replace + text.slice(at + change.find.length);
}

/** 0.1.0 → 0.1.1. */
export function nextPatch(version: string): string {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  return `${major}.${minor}.${patch + 1}`;
}

export interface NextPackage {
  /** The copied tree: its dist/packages holds the packages, its package/rbac the ClusterRole. */
  root: string;
  /** With its v: v0.1.1. */
  version: string;
  /** The function bundle of that version. */
  bundle: string;
}

/**
 * Copies the tree's files (tracked and new, not ignored ones) into `dir`,
 * makes NEXT_CHANGES and the version bump, and builds it as ensure_build
 * does, regenerates what is generated (the XRDs), and runs scripts/package.
 * node_modules and .tools are this tree's (symlinked; nothing is installed).
 */
export async function buildNextPackage(dir: string): Promise<NextPackage> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Tracked and new files; not those deleted from the working tree (git still lists them).
  const files = execFileSync('git', ['-C', ROOT, 'ls-files', '-z', '-co', '--exclude-standard'], { encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '' && existsSync(join(ROOT, f)));
  execFileSync('tar', ['--null', '-T', '-', '-cf', join(dir, '.tree.tar')], { cwd: ROOT, input: files.join('\0') });
  execFileSync('tar', ['-xf', '.tree.tar'], { cwd: dir });
  rmSync(join(dir, '.tree.tar'));
  for (const shared of ['node_modules', '.tools']) symlinkSync(join(ROOT, shared), join(dir, shared));
  for (const change of NEXT_CHANGES) {
    const file = join(dir, change.file);
    writeFileSync(file, applyChange(readFileSync(file, 'utf8'), change));
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  manifest.version = nextPatch(manifest.version);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  // Asynchronous: the e2e's control plane comes up meanwhile, its pollers on this event loop.
  const run = async (command: string, args: string[], env: Record<string, string> = {}) => {
    try {
      await promisify(execFile)(command, args, { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`building the next version (${dir}): ${command} ${args.join(' ')} failed:\n${(e.stderr ?? e.message).split('\n').slice(-20).join('\n')}`);
    }
  };
  // ensure_build without its npm ci (node_modules is this tree's): scripts/lib.sh build_function.
  await run('bash', ['-c', 'source scripts/lib.sh && ensure_node && build_function']);
  await run(process.execPath, ['dist/scripts/generate.js']);
  await run('bash', ['scripts/package'], { PACKAGE_SKIP_BUILD: '1' });
  return { root: dir, version: `v${manifest.version}`, bundle: join(dir, 'dist', 'function-odoo.cjs') };
}
