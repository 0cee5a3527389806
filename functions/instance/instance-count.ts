// How many instances a tenant may have (spec.quotas.maxInstances of the App
// and the Tenant, the tighter). Every instance holds a database, a role's
// connections, a filestore and Pods. Counted from the instances of the
// namespace Crossplane hands the function, ordered by when they were created
// (then by name, so every instance agrees): the ones beyond the limit are
// refused when they are created; the function never stops one that runs.
import type { ObservedObject } from '../shared/composition.js';
import { createdAt, createdBefore, record } from '../shared/observed.js';
import type { InstanceContext } from './context.js';

/** The refusal of an instance past its tenant's maxInstances, or undefined. */
export function instanceCountRefusal(context: InstanceContext, limit: { value: number; who: string } | undefined, xr: unknown, namespaceInstances: readonly ObservedObject[]): string | undefined {
  if (limit === undefined) return undefined;
  const tenant = context.tenant.metadata.name;
  // Its own entry in the list, when there: in the claims edition that is the claim, created before its XR,
  // and the others are claims too.
  const own = namespaceInstances.find((o) => record(o.metadata).name === context.name);
  const mine = { name: context.name, created: createdAt(own ?? xr) };
  const theirs = namespaceInstances
    .filter((o) => record(record(o.spec).tenantRef).name === tenant)
    .map((o) => ({ name: record(o.metadata).name, created: createdAt(o) }))
    .filter((o): o is { name: string; created: string } => typeof o.name === 'string' && o.name !== mine.name);
  const before = theirs.filter((o) => createdBefore(o, mine)).length;
  if (before < limit.value) return undefined;
  return `Tenant "${tenant}" has ${theirs.length + 1} instances and ${limit.who}.maxInstances allows ${limit.value}: this one came after the first ${limit.value}. Delete an instance you no longer need, or ask the DevOps team to raise the limit`;
}
