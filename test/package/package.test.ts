// npm run package: both packages built by the real `crossplane xpkg build`,
// inspected; the runtime image, assembled without Docker, started from its
// own root filesystem (chroot, as the image's user) and called over gRPC;
// and the image matching the Dockerfile.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { freePort, ROOT } from '../../scripts/function-process.js';
import { FUNCTION_NAME, FUNCTION_PACKAGE, PROVIDER_SQL_MANAGED_RESOURCES, packageVersion } from '../../scripts/package-metadata.js';
import { appManifest } from '../support/builders.js';
import { functionClient } from '../support/grpc-client.js';
import { request } from '../support/request.js';

const run = promisify(execFile);
const version = packageVersion();
const packages = join(ROOT, 'dist', 'packages');

interface ImageConfig {
  architecture: string;
  os: string;
  config: { Entrypoint: string[]; User: string; WorkingDir: string; ExposedPorts: Record<string, object>; Env: string[]; Labels?: Record<string, string> };
}

/** Unpacks a docker-save tarball: its config and the directory holding each layer's files. */
async function unpack(tarball: string): Promise<{ dir: string; config: ImageConfig; layers: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'function-odoo-xpkg-'));
  await run('tar', ['-xf', tarball, '-C', dir]);
  const [manifest] = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { Config: string; Layers: string[] }[];
  const config = JSON.parse(readFileSync(join(dir, manifest!.Config), 'utf8')) as ImageConfig;
  const layers: string[] = [];
  for (const [i, layer] of manifest!.Layers.entries()) {
    const out = join(dir, `layer-${i}`);
    await run('mkdir', ['-p', out]);
    await run('tar', ['-xzf', join(dir, layer), '-C', out]);
    layers.push(out);
  }
  return { dir, config, layers };
}

function packageObjects(layers: string[]): Record<string, any>[] {
  const layer = layers.find((l) => existsSync(join(l, 'package.yaml')));
  expect(layer, 'a layer with package.yaml').toBeDefined();
  return parseAllDocuments(readFileSync(join(layer!, 'package.yaml'), 'utf8'))
    .map((d) => d.toJS())
    .filter((o) => o !== null);
}

beforeAll(async () => {
  await run('bash', [join(ROOT, 'scripts/package')], { cwd: ROOT, env: { ...process.env, PACKAGE_SKIP_BUILD: '1' }, maxBuffer: 64 * 1024 * 1024 });
}, 600_000);

describe('Configuration packages', () => {
  it.each([
    { file: `configuration-odoo-${version}.xpkg`, name: 'configuration-odoo', xrds: ['apps.app.odoo.io', 'instances.instance.odoo.io', 'tenants.tenant.odoo.io'], v: 'apiextensions.crossplane.io/v2' },
    { file: `configuration-odoo-claims-${version}.xpkg`, name: 'configuration-odoo-claims', xrds: ['apps.app.odoo.io', 'xinstances.instance.odoo.io', 'xtenants.tenant.odoo.io'], v: 'apiextensions.crossplane.io/v1' },
  ])('$name holds its metadata, its three XRDs, three Compositions and the activation policy of provider-sql kinds, and nothing else', async ({ file, name, xrds, v }) => {
    const { layers } = await unpack(join(packages, file));
    const [meta, ...objects] = packageObjects(layers);
    expect(meta).toMatchObject({ apiVersion: 'meta.pkg.crossplane.io/v1', kind: 'Configuration', metadata: { name } });
    expect(meta!.spec.dependsOn).toEqual([
      { function: 'xpkg.crossplane.io/odoo-crossplane/function-odoo', version: `>=${version}, <v0.2.0` },
      { provider: 'xpkg.crossplane.io/crossplane-contrib/provider-sql', version: '>=v0.16.0' },
    ]);
    expect(objects.filter((o) => o.kind === 'CompositeResourceDefinition').map((o) => [o.metadata.name, o.apiVersion]).sort()).toEqual(xrds.map((x) => [x, v]));
    const compositions = objects.filter((o) => o.kind === 'Composition');
    expect(compositions).toHaveLength(3);
    for (const c of compositions) expect(c.spec.pipeline.map((s: { functionRef: { name: string } }) => s.functionRef.name)).toEqual([FUNCTION_NAME]);
    const policies = objects.filter((o) => o.kind === 'ManagedResourceActivationPolicy');
    expect(policies.map((p) => p.spec.activate)).toEqual([[...PROVIDER_SQL_MANAGED_RESOURCES]]);
    expect(objects.filter((o) => !['Composition', 'CompositeResourceDefinition', 'ManagedResourceActivationPolicy'].includes(o.kind))).toEqual([]);
  });
});

/** The machine an ELF binary is for (its e_machine field): 62 x86-64, 183 AArch64. */
function elfMachine(file: string): number {
  const header = readFileSync(file).subarray(0, 20);
  expect(header.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  return header.readUInt16LE(18);
}

const PLATFORMS = [
  { arch: 'amd64', machine: 62, triplet: 'x86_64-linux-gnu' },
  { arch: 'arm64', machine: 183, triplet: 'aarch64-linux-gnu' },
];

describe('Function package, one per platform (pushed together as one multi-platform index)', () => {
  it.each(PLATFORMS)('$arch: embeds the runtime image for $arch and the metadata', async ({ arch, machine, triplet }) => {
    const { config, layers } = await unpack(join(packages, `function-odoo-${version}-${arch}.xpkg`));
    const [meta] = packageObjects(layers);
    expect(meta).toMatchObject({ apiVersion: 'meta.pkg.crossplane.io/v1beta1', kind: 'Function', metadata: { name: 'function-odoo' }, spec: { capabilities: ['composition'] } });
    expect(meta!.metadata.annotations['meta.crossplane.io/readme']).toContain(FUNCTION_PACKAGE.replace('function-odoo', 'configuration-odoo'));
    // crossplane xpkg push lists each package in the index under its config's platform.
    expect({ os: config.os, architecture: config.architecture }).toEqual({ os: 'linux', architecture: arch });
    expect(config.config.Entrypoint).toEqual(['/usr/local/bin/node', '/function/function-odoo.cjs']);
    const rootfs = layers.find((l) => existsSync(join(l, 'usr/local/bin/node')));
    expect(rootfs).toBeDefined();
    // Built, not run, on this machine: what it would run is read from the ELF headers.
    expect(elfMachine(join(rootfs!, 'usr/local/bin/node'))).toBe(machine);
    expect(elfMachine(join(rootfs!, `usr/lib/${triplet}/libstdc++.so.6`))).toBe(machine);
    expect(elfMachine(join(rootfs!, `lib/${triplet}/libc.so.6`))).toBe(machine);
    expect(readFileSync(join(rootfs!, 'function/function-odoo.cjs'))).toEqual(readFileSync(join(ROOT, 'dist/function-odoo.cjs')));
  });
});

describe('runtime image', () => {
  let image: Awaited<ReturnType<typeof unpack>>;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    // The image for this machine (amd64) is the one started here.
    image = await unpack(join(ROOT, '.work/package/function-odoo-image-amd64.tar'));
    const size = statSync(join(ROOT, '.work/package/function-odoo-image-amd64.tar')).size;
    process.stderr.write(`runtime image (amd64): ${(size / 2 ** 20).toFixed(1)} MiB compressed\n`);
  });
  afterAll(() => child?.kill('SIGKILL'));

  it('starts from its own root filesystem as its own user and composes over gRPC', async () => {
    const [rootfs] = image.layers;
    const port = await freePort();
    const [user] = image.config.config.User.split(':');
    // The image's environment only: PATH then names the image's directories, so chroot is called by its full path.
    const chroot = (await run('bash', ['-c', 'command -v chroot'])).stdout.trim();
    child = spawn(chroot, [`--userspec=${image.config.config.User}`, rootfs!, ...image.config.config.Entrypoint, '--insecure', `--address=127.0.0.1:${port}`], {
      env: Object.fromEntries(image.config.config.Env.map((e) => e.split('=', 2) as [string, string])),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr!.on('data', (d) => (output += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start: ${output}`)), 15_000);
      child!.stderr!.on('data', () => output.includes('listening on') && (clearTimeout(timer), resolve()));
      child!.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    const client = functionClient(`127.0.0.1:${port}`);
    const rsp = await client.runFunction(request(appManifest()));
    client.close();
    // Only the event of the new App's first condition: no warning, no refusal.
    expect(rsp.results.map((r) => r.severity)).toEqual([Severity.SEVERITY_NORMAL]);
    expect(Object.keys(rsp.desired?.resources ?? {}).sort()).toEqual(['channel-guard', 'channel-guard-binding', 'deletion-protection', 'deletion-protection-binding', 'image-cache', 'provider-config']);
    expect(user).toBe('65532');
  });

  it('matches the Dockerfile: entrypoint, user, working directory, port, environment and files', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const directive = (name: string) => [...finalStage.matchAll(new RegExp(`^${name} (.+)$`, 'gm'))].map((m) => m[1]!.trim());
    const { config } = image.config;
    expect(JSON.parse(directive('ENTRYPOINT')[0]!)).toEqual(config.Entrypoint);
    expect(directive('USER')).toEqual([config.User]);
    expect(directive('WORKDIR')).toEqual([config.WorkingDir]);
    expect(directive('EXPOSE').map((p) => `${p}/tcp`)).toEqual(Object.keys(config.ExposedPorts));
    for (const env of directive('ENV')) expect(config.Env).toContain(env);
    const copied = directive('COPY').map((c) => c.split(/\s+/).pop()!);
    for (const file of copied) {
      const path = file.startsWith('/') ? file : join(config.WorkingDir, file);
      expect(existsSync(join(image.layers[0]!, path)), path).toBe(true);
    }
  });

  it('is small: Debian libraries, Node.js and one bundled file', () => {
    const rootfs = image.layers[0]!;
    expect(readdirSync(join(rootfs, 'function'))).toEqual(['function-odoo.cjs']);
    expect(existsSync(join(rootfs, 'usr/share'))).toBe(false);
  });
});
