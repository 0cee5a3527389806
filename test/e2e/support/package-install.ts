// The way users install function-odoo: an OCI registry, `crossplane xpkg
// push`, `crossplane xpkg install configuration`, and Crossplane's package
// manager resolving the Function and provider-sql as dependencies. The
// registry is go-containerregistry's on loopback (tools/oci-registry); the
// commands are the documentation's own, read from its fenced blocks marked
// `<!-- e2e: NAME -->` (install and first-tenant in README.md, install-claims
// in docs/devops.md), so the docs cannot drift from what ran.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../../scripts/function-process.js';
import { goModuleDir, SCHEMA_MODULES } from '../../../scripts/schema-sources.js';
import { eventually, type Processes } from './processes.js';

const run = promisify(execFile);

/** The files whose blocks marked `<!-- e2e: name -->` the e2e tests run as written. */
export const DOC_FILES_WITH_BLOCKS = ['README.md', 'docs/devops.md'] as const;

/**
 * The shell block that follows `<!-- e2e: name -->` in README.md or
 * docs/devops.md. Throws when no file has the marker, when more than one
 * has it (which one ran would be a guess), or when no sh block follows it.
 */
export function readmeBlock(name: string): string {
  const marker = `<!-- e2e: ${name} -->`;
  const found = DOC_FILES_WITH_BLOCKS.map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') })).filter(({ text }) => text.includes(marker));
  if (found.length === 0) throw new Error(`none of ${DOC_FILES_WITH_BLOCKS.join(', ')} has a block marked ${marker}`);
  if (found.length > 1) throw new Error(`${found.map((f) => f.file).join(' and ')} both have a block marked ${marker}; keep it in one`);
  const { file, text } = found[0]!;
  const match = /```sh\n([\s\S]*?)\n```/.exec(text.slice(text.indexOf(marker)));
  if (match === null) throw new Error(`${file}: no \`\`\`sh block after ${marker}`);
  return match[1]!;
}

export interface Tools {
  crossplane: string;
  kubectl: string;
  kubeconfig: string;
}

/**
 * Runs a block of the docs (README.md, docs/devops.md) with bash (-euo
 * pipefail, each line echoed into the log as written: -v, not -x, whose
 * expanded echo would put the PostgreSQL admin password of the first-tenant
 * block in the log), from the repository root (or `cwd`: another version's
 * tree, for the upgrade block), with the Crossplane CLI and kubectl on PATH. Throws with
 * the log's tail when a command fails.
 */
export async function runReadmeBlock(name: string, tools: Tools, env: Record<string, string>, logDir: string, cwd = ROOT): Promise<string> {
  // From a file: bash echoes (-v) the lines it reads from a file, not those of a -c string.
  const script = join(logDir, `readme-${name}.sh`);
  writeFileSync(script, `set -veuo pipefail\n${readmeBlock(name)}\n`);
  const binDir = join(logDir, 'readme-bin');
  mkdirSync(binDir, { recursive: true });
  // The names the docs' blocks use for the binaries the harness built.
  writeFileSync(join(binDir, 'crossplane'), `#!/bin/sh\nexec '${tools.crossplane}' "$@"\n`, { mode: 0o755 });
  writeFileSync(join(binDir, 'kubectl'), `#!/bin/sh\nexec '${tools.kubectl}' "$@"\n`, { mode: 0o755 });
  const log = join(logDir, `readme-${name}.log`);
  try {
    const { stdout, stderr } = await run('bash', [script], {
      cwd,
      env: { ...process.env, ...env, KUBECONFIG: tools.kubeconfig, PATH: `${binDir}:${dirname(process.execPath)}:${process.env.PATH}` },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 15 * 60_000,
    });
    writeFileSync(log, `${stderr}\n${stdout}`);
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    writeFileSync(log, `${e.stderr ?? ''}\n${e.stdout ?? ''}`);
    throw new Error(`docs block "${name}" failed (${log}):\n${`${e.stderr ?? ''}${e.stdout ?? ''}`.split('\n').slice(-25).join('\n')}`);
  }
}

/** go-containerregistry's registry on a loopback port, blobs on disk. Resolves to host:port. */
export async function startRegistry(binary: string, dir: string, processes: Processes): Promise<string> {
  const managed = processes.start('oci-registry', binary, ['--address=127.0.0.1:0', `--blobs=${join(dir, 'registry-blobs')}`]);
  return eventually(
    'the OCI registry to listen',
    async () => /serving on (127\.0\.0\.1:\d+)/.exec(processes.tail(managed, 50))?.[1],
    30_000,
    200,
  );
}

/**
 * provider-sql as a package in the loopback registry: built with `crossplane
 * xpkg build` from the package/ folder of the module the harness runs (the
 * published package cannot be pulled from here). No runtime image: the
 * harness runs the provider's process itself, as for the External runtime.
 */
export async function pushProviderSql(crossplane: string, registry: string, workDir: string): Promise<string> {
  const module = goModuleDir(SCHEMA_MODULES.providerSql.module, SCHEMA_MODULES.providerSql.version);
  const file = join(workDir, `provider-sql-${SCHEMA_MODULES.providerSql.version}.xpkg`);
  mkdirSync(join(workDir, 'no-examples'), { recursive: true });
  await run(crossplane, ['xpkg', 'build', `--package-root=${join(module, 'package')}`, `--examples-root=${join(workDir, 'no-examples')}`, `--package-file=${file}`]);
  const ref = `${registry}/crossplane-contrib/provider-sql:${SCHEMA_MODULES.providerSql.version}`;
  await run(crossplane, ['xpkg', 'push', '-f', file, ref]);
  return ref;
}
