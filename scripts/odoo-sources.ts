// Where the tests find Odoo's source: a directory of Odoo Community source
// trees, one archive per series (odoo-<series>.tar.xz, as in ../shared/odoo),
// named by ODOO_SOURCES. Point it at your own copies to test against them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ROOT } from './function-process.js';

export const TESTED_SERIES = ['17.0', '18.0', '19.0'] as const;
export type TestedSeries = (typeof TESTED_SERIES)[number];

export function odooSourcesDir(): string {
  return resolve(process.env.ODOO_SOURCES ?? join(ROOT, '..', 'shared', 'odoo'));
}

export function odooArchive(series: TestedSeries): string {
  return join(odooSourcesDir(), `odoo-${series}.tar.xz`);
}

/** One file of a series' source tree (e.g. odoo/addons/base/data/neutralize.sql), extracted once into .work. */
export function odooSourceFile(series: TestedSeries, path: string): string {
  const cached = join(ROOT, '.work', 'odoo-files', series, path);
  if (!existsSync(cached)) {
    const archive = odooArchive(series);
    if (!existsSync(archive)) throw new Error(`${archive} not found: set ODOO_SOURCES to a directory holding odoo-${series}.tar.xz`);
    const text = execFileSync('tar', ['-xJOf', archive, `./${path}`], { maxBuffer: 64 * 1024 * 1024 });
    mkdirSync(dirname(cached), { recursive: true });
    writeFileSync(`${cached}.partial`, text);
    renameSync(`${cached}.partial`, cached);
  }
  return readFileSync(cached, 'utf8');
}
