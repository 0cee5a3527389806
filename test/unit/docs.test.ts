// The docs by audience (README.md and docs/*.md): the blocks the e2e tests run
// as written are where the harness looks for them, the README's quick start is
// still two commands, and every relative link, anchor included, lands on a
// file and heading that exist.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOC_FILES_WITH_BLOCKS, readmeBlock } from '../e2e/support/package-install.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const withoutCode = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');
const DOCS = ['README.md', 'SECURITY.md', 'CHANGELOG.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchors = (file: string) => new Set([...withoutCode(read(file)).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));

describe('the blocks the e2e tests run', () => {
  it.each([
    ['install', 'README.md', 'crossplane xpkg install configuration xpkg.crossplane.io/odoo-crossplane/configuration-odoo:v0.1.0'],
    ['first-tenant', 'README.md', 'kubectl apply -f examples/tenant.yaml -f examples/instance-production.yaml'],
    ['install-claims', 'docs/devops.md', 'configuration-odoo-claims:v0.1.0 --wait=10m'],
    ['upgrade', 'docs/devops.md', 'kubectl patch functions.pkg.crossplane.io odoo-crossplane-function-odoo'],
    ['channel', 'docs/devops.md', 'kubectl apply -f compositions/channels/candidate/'],
    ['move-tenant', 'docs/devops.md', 'kubectl patch tenants.tenant.odoo.io "$TENANT"'],
  ])('%s is found once, in %s', (name, file, command) => {
    expect(DOC_FILES_WITH_BLOCKS).toContain(file);
    expect(read(file)).toContain(`<!-- e2e: ${name} -->`);
    expect(readmeBlock(name)).toContain(command);
  });

  it('an unknown block fails loudly', () => {
    expect(() => readmeBlock('no-such-block')).toThrow(/none of README\.md, docs\/devops\.md has a block marked <!-- e2e: no-such-block -->/);
  });
});

describe('the README', () => {
  const readme = read('README.md');

  it('stays short: under 300 lines', () => {
    expect(readme.split('\n').length).toBeLessThan(300);
  });

  it('quick start is two commands on a fresh clone: render the examples, run the tests', () => {
    const section = readme.slice(readme.indexOf('## Quick start'));
    const block = /```sh\n([\s\S]*?)\n```/.exec(section)![1]!;
    const commands = block.split('\n').filter((line) => !/^\s*#/.test(line)).map((line) => line.split('#')[0]!.trim());
    expect(commands).toEqual(['npm run render', 'npm test']);
  });

  it('links every page of docs/', () => {
    for (const file of DOCS.filter((f) => f.startsWith('docs/'))) expect(readme, file).toContain(`](${file}`);
    expect(readme).toContain('](docs/reference/README.md)');
  });
});

describe('relative links in the docs', () => {
  it.each(DOCS)('%s: every relative link and anchor resolves', (file) => {
    const broken: string[] = [];
    for (const [, target] of withoutCode(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [path, anchor] = target!.split('#') as [string, string | undefined];
      const resolved = path === '' ? file : normalize(join(dirname(file), path));
      if (!existsSync(join(ROOT, resolved))) {
        broken.push(`${target} (no ${resolved})`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) broken.push(`${target} (no heading #${anchor} in ${resolved})`);
    }
    expect(broken).toEqual([]);
  });
});
