// The upgrade e2e builds the next version by changing this tree in a few
// places (test/e2e/support/next-package.ts). When the tree moves under those
// places, npm test says so, rather than an e2e run outside CI.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyChange, NEXT_CHANGES, nextPatch } from '../e2e/support/next-package.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the upgrade e2e’s next version', () => {
  it.each(NEXT_CHANGES.map((c) => [c.what, c] as const))('%s: its anchor is in the tree once', (_what, change) => {
    const text = readFileSync(join(ROOT, change.file), 'utf8');
    const changed = applyChange(text, change);
    expect(changed).toContain(change.replace);
    expect(changed).not.toBe(text);
  });

  it('refuses an anchor that is missing or there twice, naming the file and what to update', () => {
    const change = { file: 'x.ts', what: 'a test change', find: 'a', replace: 'b' };
    expect(() => applyChange('nothing here', change)).toThrow(/x\.ts: .*a test change.* not there; update NEXT_CHANGES/);
    expect(() => applyChange('a and a', change)).toThrow(/there more than once/);
  });

  it('raises the patch number', () => {
    expect(nextPatch('0.1.0')).toBe('0.1.1');
    expect(nextPatch('1.9.9')).toBe('1.9.10');
  });
});
