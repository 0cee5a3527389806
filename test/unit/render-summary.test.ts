// What `npm run render` ends with: one row per example, read from the
// render's own output (the goldens are real `crossplane render` output).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/function-process.js';
import { summariseRender, summaryTable } from '../../scripts/render-summary.js';

const golden = (name: string) => readFileSync(join(ROOT, 'test', 'golden', `${name}.yaml`), 'utf8');

describe('the render summary', () => {
  it('gives an example’s phase, the conditions the function set (not Crossplane’s Ready) and the kinds it composed', () => {
    const row = summariseRender('instance-production', golden('instance-production'), '.work/render/instance-production.yaml');
    expect(row).toEqual({
      example: 'instance-production',
      phase: 'Provisioning',
      conditions: ['DatabaseReady ✗ WaitingForDatabase', 'Lifecycle ✗ Provisioning', 'BackupReady ✗ NoStorage'],
      composed: ['ConfigMap×2', 'PersistentVolumeClaim', 'Role', 'Service'],
      file: '.work/render/instance-production.yaml',
    });
  });

  it('counts a scheduled backup’s CronJob among what a running production instance composes', () => {
    expect(summariseRender('s', golden('scenarios/production-scheduled-backups'), 'f').composed).toContain('CronJob');
  });

  it('says a refused XR was refused, with the function’s message', () => {
    const row = summariseRender('scenarios/instance-tenant-missing', golden('scenarios/instance-tenant-missing'), 'f');
    expect(row.phase).toBe('refused (Fatal result)');
    expect(row.conditions).toEqual(['cannot compose Instance "prod": Tenant "acme" not found in namespace "acme": create the Tenant, or fix spec.tenantRef.name']);
    expect(row.composed).toEqual([]);
  });

  it('prints a Markdown table, one row per example, escaping what would break a cell', () => {
    const table = summaryTable([
      { example: 'a', phase: 'Running', conditions: [], composed: [], file: 'x.yaml' },
      { example: 'b', phase: 'refused (Fatal result)', conditions: ['x | y'], composed: ['Job'], file: 'y.yaml' },
    ]);
    expect(table.split('\n')).toEqual([
      '| example | phase | conditions | composed | full YAML |',
      '|---|---|---|---|---|',
      '| a | Running | — | nothing | x.yaml |',
      '| b | refused (Fatal result) | x \\| y | Job | y.yaml |',
      '',
    ]);
  });
});
