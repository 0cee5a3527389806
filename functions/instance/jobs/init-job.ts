// Creates the Odoo database content: installs base and spec.initModules.
// Demo data only for testing instances; Odoo 19 turned the default around
// (demo is off unless --with-demo), earlier series need --without-demo.
import type { OdooSeries } from '../../app/schema.js';
import type { KubeObject } from '../../shared/composition.js';
import { instanceNames } from '../../shared/instance-names.js';
import type { InstanceContext } from '../context.js';
import { ODOO_PATHS } from '../odoo-conf.js';
import type { InstanceType } from '../schema.js';
import type { Resources } from '../settings.js';
import { odooJob } from './odoo-job.js';

export function demoFlags(series: OdooSeries, type: InstanceType): string[] {
  const demo = type === 'testing';
  if (series === '19.0') return demo ? ['--with-demo'] : [];
  return demo ? [] : ['--without-demo=all'];
}

export function initModules(modules: readonly string[]): string {
  return ['base', ...modules.filter((m) => m !== 'base')].join(',');
}

export function initJob(context: InstanceContext, type: InstanceType, modules: readonly string[], resources: Resources): KubeObject {
  return odooJob(context, {
    name: instanceNames(context.name).job('init'),
    step: 'init',
    image: context.image,
    command: [
      'odoo',
      '--config',
      ODOO_PATHS.conf,
      '--init',
      initModules(modules),
      ...demoFlags(context.release.series, type),
      '--stop-after-init',
      '--no-http',
    ],
    resources,
  });
}
