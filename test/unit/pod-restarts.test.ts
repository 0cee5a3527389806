// An upgrade that renders a Pod template differently restarts those Pods in
// every tenant at once (docs/devops.md: Package upgrades). The goldens hold
// the templates; the last release keeps their digests. When one differs,
// the CHANGELOG's Unreleased section must say "**Restarts Odoo**", so a
// hoster reads it before upgrading.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { canonicalJson, changedTemplates, podTemplateDigests } from '../../scripts/pod-templates.js';

const ROOT = join(import.meta.dirname, '..', '..');
const released = readdirSync(join(ROOT, 'apis/released')).filter((d) => d.startsWith('v')).sort((a, b) => semver.compare(a, b));
const last = released[released.length - 1]!;

/** The text between "## Unreleased" and the next "## " heading. */
function unreleased(changelog: string): string {
  const start = changelog.indexOf('\n## Unreleased\n');
  if (start < 0) return '';
  const next = changelog.indexOf('\n## ', start + 1);
  return changelog.slice(start, next < 0 ? undefined : next);
}

/** Undefined when the changelog is right about restarts; else what to write. */
function restartNotice(changelog: string, changed: string[]): string | undefined {
  if (changed.length === 0) return undefined;
  if (/\*\*Restarts Odoo\*\*/.test(unreleased(changelog))) return undefined;
  return `these Pod templates differ from release ${last}'s, so upgrading restarts their Pods: ${changed.join(', ')}. Say so in CHANGELOG.md under "## Unreleased" with an entry starting **Restarts Odoo**`;
}

describe(`Pod templates against release ${last}`, () => {
  const current = podTemplateDigests(join(ROOT, 'test/golden'));
  const before = JSON.parse(readFileSync(join(ROOT, 'apis/released', last, 'pod-templates.json'), 'utf8')) as Record<string, string>;

  it('the release’s digests and the goldens share workloads: the comparison sees something', () => {
    const shared = Object.keys(current).filter((key) => before[key] !== undefined);
    expect(shared.length).toBeGreaterThanOrEqual(10);
    expect(shared).toEqual(expect.arrayContaining(['scenarios/production-running.yaml#Deployment/prod-web', 'scenarios/production-running.yaml#Deployment/prod-cron']));
  });

  it('a changed template is announced in the CHANGELOG’s Unreleased section as **Restarts Odoo**', () => {
    const changed = changedTemplates(before, current);
    expect(restartNotice(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'), changed)).toBeUndefined();
  });

  it('the check itself: silent without changes, and a notice outside Unreleased does not count', () => {
    const changelog = (unreleasedText: string) => `# Changelog\n\n## Unreleased\n\n${unreleasedText}\n\n## v0.1.0\n\n**Restarts Odoo**: long ago.\n`;
    expect(restartNotice(changelog('Added: a field.'), [])).toBeUndefined();
    expect(restartNotice(changelog('Added: a field.'), ['a.yaml#Deployment/prod-web'])).toMatch(/a\.yaml#Deployment\/prod-web.*\*\*Restarts Odoo\*\*/);
    expect(restartNotice(changelog('**Restarts Odoo** (web Pods): a new probe.'), ['a.yaml#Deployment/prod-web'])).toBeUndefined();
  });

  it('digests follow the template, not the order of its keys', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"x":0,"y":1}]},"b":1}');
    expect(changedTemplates({ k: '1', gone: '2' }, { k: '3', added: '4' })).toEqual(['k']);
  });
});
