// The init Job: demo data only for testing instances (Odoo 19 turned the flag
// around), and the languages a new database is created with.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoFlags, initModules } from '../../functions/instance/jobs/init-job.js';
import { instanceLanguages, languagesCheck, loadLanguageFlags } from '../../functions/instance/jobs/languages.js';
import type { Tenant } from '../../functions/tenant/schema.js';
import { ROOT } from '../../scripts/function-process.js';
import { odooSourceFile, type TestedSeries } from '../../scripts/odoo-sources.js';
import { Cluster, example, requiredObjects, tenantOf, type Obj } from '../support/world.js';

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

describe('languages', () => {
  const tenant = (languages: string[]) => ({ spec: { languages } }) as unknown as Tenant;

  it('are the Instance’s, else its Tenant’s, in their order: the first is the database’s language', () => {
    expect(instanceLanguages({ languages: ['fr_FR', 'en_US'] }, tenant(['de_DE']))).toEqual(['fr_FR', 'en_US']);
    expect(instanceLanguages({}, tenant(['de_DE']))).toEqual(['de_DE']);
    expect(instanceLanguages({ languages: [] }, tenant(['de_DE']))).toEqual([]);
    expect(loadLanguageFlags(['fr_FR', 'de_CH'])).toEqual(['--load-language=fr_FR,de_CH']);
    expect(loadLanguageFlags([])).toEqual([]);
  });

  // The image's Odoo is stood in for by a package holding the series' real res.lang.csv, from ../shared/odoo.
  const check = (series: TestedSeries, codes: string[]) => {
    const dir = join(ROOT, '.work', 'languages-check', series);
    mkdirSync(join(dir, 'odoo', 'addons', 'base', 'data'), { recursive: true });
    // Up to 18.0 odoo is a regular package; 19.0's is a namespace package, with no __init__.py (nor __file__).
    if (series !== '19.0') writeFileSync(join(dir, 'odoo', '__init__.py'), '');
    writeFileSync(join(dir, 'odoo', 'addons', 'base', 'data', 'res.lang.csv'), odooSourceFile(series, 'odoo/addons/base/data/res.lang.csv'));
    try {
      execFileSync('bash', ['-c', `set -euo pipefail\n${languagesCheck(codes, series)}`], { env: { ...process.env, PYTHONPATH: dir }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return 'known';
    } catch (error) {
      return String((error as { stderr?: string }).stderr);
    }
  };

  it.skipIf(!existsSync('/usr/bin/python3'))('are checked against the image’s own list before the database is touched: series differ, and unknown codes are named', () => {
    expect(check('17.0', ['fr_FR', 'sr_RS', 'es_419', 'sr@latin'])).toBe('known');
    expect(check('19.0', ['sr@Cyrl', 'be_BY'])).toBe('known');
    expect(check('19.0', ['fr_FR', 'sr_RS', 'xx_XX'])).toBe(
      'spec.languages: Odoo 19.0 does not know sr_RS, xx_XX; use codes of its Settings > Languages, such as sr@Cyrl, sr@latin\n',
    );
    expect(check('17.0', ['fr_FX'])).toBe('spec.languages: Odoo 17.0 does not know fr_FX; use codes of its Settings > Languages, such as fr_BE, fr_CA, fr_CH, fr_FR\n');
  });

  const initScript = async (spec: Obj, tenantLanguages?: string[]) => {
    const required = requiredObjects();
    if (tenantLanguages !== undefined) tenantOf(required).spec.languages = tenantLanguages;
    const xr: Obj = { ...example('instance-production.yaml'), metadata: { name: 'prod', namespace: 'acme', uid: 'u-prod' } };
    const c = new Cluster({ ...xr, spec: { ...xr.spec, ...spec } }, required);
    const r = await c.untilJob('prod-init');
    const job = Object.values(r.resources).find((o) => o.kind === 'Job' && o.metadata.name === 'prod-init')!;
    return { script: job.spec.template.spec.containers[0].command[2] as string, doing: r.conditions.Lifecycle?.message };
  };

  it('load with odoo -i, after the check and before the modules check; the condition says so', async () => {
    const { script, doing } = await initScript({ initModules: ['sale'], languages: ['fr_FR'] }, ['de_DE']);
    expect(script.indexOf('python3 -c')).toBeLessThan(script.indexOf('psql'));
    expect(script).toContain('--init base,sale --without-demo=all --load-language=fr_FR --stop-after-init');
    expect(script.indexOf('--load-language')).toBeLessThan(script.indexOf('missing="$('));
    expect(doing).toContain('Installing base, sale into acme_prod, in fr_FR (Job prod-init)');
    expect((await initScript({ initModules: ['sale'] }, ['de_DE'])).script).toContain('--load-language=de_DE ');
    const plain = (await initScript({ initModules: [] }, [])).script;
    expect(plain).not.toContain('--load-language');
    expect(plain).not.toContain('res.lang.csv');
    expect(plain).not.toContain('missing=');
  });
});
