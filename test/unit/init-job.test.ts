// Demo data: only testing instances get it, and Odoo 19 turned the flag around.
import { describe, expect, it } from 'vitest';
import { demoFlags, initModules } from '../../functions/instance/jobs/init-job.js';

describe('demoFlags', () => {
  it.each([
    { series: '16.0', type: 'production', want: ['--without-demo=all'] },
    { series: '17.0', type: 'staging', want: ['--without-demo=all'] },
    { series: '18.0', type: 'testing', want: [] },
    { series: '19.0', type: 'production', want: [] },
    { series: '19.0', type: 'testing', want: ['--with-demo'] },
  ] as const)('$type on $series: $want', ({ series, type, want }) => {
    expect(demoFlags(series, type)).toEqual(want);
  });
});

describe('initModules', () => {
  it('always installs base first, once', () => {
    expect(initModules(['sale', 'base', 'stock'])).toBe('base,sale,stock');
    expect(initModules([])).toBe('base');
  });
});
