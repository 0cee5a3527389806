import { LABEL, MANAGED_BY } from '../shared/labels.js';
import type { InstanceContext } from './context.js';

/** Labels of an object composed for an instance, playing `component` (web, cron, job, database, …). */
export function instanceLabels(context: Pick<InstanceContext, 'name' | 'tenant' | 'app' | 'type'>, component: string): Record<string, string> {
  return {
    [LABEL.name]: 'odoo',
    [LABEL.instance]: context.name,
    [LABEL.component]: component,
    [LABEL.partOf]: context.tenant.metadata.name,
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.app]: context.app.metadata.name,
    [LABEL.tenant]: context.tenant.metadata.name,
    [LABEL.odooInstance]: context.name,
    [LABEL.instanceType]: context.type,
  };
}

/** Labels that select an instance's Pods of one component; a subset of instanceLabels, stable across releases. */
export function podSelector(name: string, component: string): Record<string, string> {
  return { [LABEL.odooInstance]: name, [LABEL.component]: component };
}

/** The label the App's deletion-protection policy looks for, on an object it must guard. */
export function protectionLabel(guarded: boolean): Record<string, string> {
  return guarded ? { [LABEL.deletionProtection]: 'true' } : {};
}
