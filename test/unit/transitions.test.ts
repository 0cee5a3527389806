// What `kubectl describe` shows of an Instance's or Tenant's history:
// one event per transition, derived from the observed XR, none on steady
// calls; and conditions, events and refusals that reach a claim's owner.
import { Severity, Target } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { isWarningReason, newWarnings, transitionEvents } from '../../functions/shared/transitions.js';
import { Cluster, example, requiredObjects, type Obj, type Reconcile } from '../support/world.js';

const production = (): Obj => ({ ...example('instance-production.yaml'), metadata: { name: 'prod', namespace: 'acme', uid: 'u-prod' } });
const tenant = (): Obj => ({ ...example('tenant.yaml'), metadata: { name: 'acme', namespace: 'acme', uid: 'u-tenant' } });

function events(r: Reconcile): [string, string | undefined, string][] {
  const severity = (s: Severity) => (s === Severity.SEVERITY_NORMAL ? 'Normal' : s === Severity.SEVERITY_WARNING ? 'Warning' : 'Fatal');
  return r.rsp.results.map((e) => [severity(e.severity), e.reason, e.message.split(' — ')[0]!]);
}

describe('events on transitions', () => {
  it('tell each step of a production instance once, and nothing while it runs', async () => {
    const c = new Cluster(production());
    const told: [string, string | undefined, string][][] = [];
    for (let i = 0; i < 8; i++) told.push(events(await c.reconcile()));
    expect(told).toEqual([
      [
        ['Normal', 'WaitingForDatabase', 'DatabaseReady False: WaitingForDatabase'],
        ['Normal', 'Provisioning', 'Lifecycle False: Provisioning'],
        ['Warning', 'NoStorage', 'BackupReady False: NoStorage'],
      ],
      [],
      [
        ['Normal', 'Available', 'DatabaseReady True: Available (was WaitingForDatabase)'],
        ['Normal', 'Initializing', 'Lifecycle False: Initializing (was Provisioning)'],
      ],
      [],
      [['Normal', 'Starting', 'Lifecycle False: Starting (was Initializing)']],
      [['Normal', 'Running', 'Lifecycle True: Running (was Starting)']],
      [],
      [],
    ]);
  });

  it('tell a failure as a Warning, once', async () => {
    const c = new Cluster(production());
    await c.until('Initializing');
    const failed = await c.reconcile({ jobs: { init: 'failed' } });
    expect(events(failed)).toEqual([['Warning', 'InitializationFailed', 'Lifecycle False: InitializationFailed (was Initializing)']]);
    expect(events(await c.reconcile({ jobs: { init: 'failed' } }))).toEqual([]);
  });

  it('do not count a changed message alone as a transition', () => {
    const xr = { status: { conditions: [{ type: 'Lifecycle', status: 'False', reason: 'Initializing', message: 'Job init is running' }] } };
    expect(transitionEvents(xr, [{ type: 'Lifecycle', status: 'False', reason: 'Initializing', message: 'Job init-sql is running' }])).toEqual([]);
  });

  it('are Warnings for failures and refusals, Normal otherwise', () => {
    expect(['UpgradeFailed', 'Failed', 'DowngradeRefused', 'HostTaken', 'RolledBack', 'DeadlineExceeded'].filter((r) => !isWarningReason(r))).toEqual([]);
    expect(['Running', 'Starting', 'Upgrading', 'Routed', 'Provisioning', 'Available'].filter(isWarningReason)).toEqual([]);
  });

  it('tell a Tenant’s spec warning when it appears, keep it in the status, and not repeat it', async () => {
    const t = tenant();
    t.spec.networkPolicy = { ...(t.spec.networkPolicy ?? {}), postgresCIDR: '10.0.0.0/8' };
    const c = new Cluster(t, requiredObjects());
    const first = await c.reconcile();
    expect(first.status.warnings).toEqual([expect.stringContaining('spec.networkPolicy.postgresCIDR is no longer used')]);
    expect(events(first).filter(([s]) => s === 'Warning')).toEqual([['Warning', 'SpecWarning', expect.stringContaining('postgresCIDR')]]);
    const second = await c.reconcile();
    expect(second.status.warnings).toEqual(first.status.warnings);
    expect(events(second)).toEqual([]);
    expect(newWarnings({ status: { warnings: ['a'] } }, ['a', 'b'])).toEqual([{ severity: 'Warning', reason: 'SpecWarning', message: 'b' }]);
  });
});

describe('what a claim’s owner sees', () => {
  it('conditions, events and refusals target the XR and its claim', async () => {
    const c = new Cluster(production());
    const r = await c.reconcile();
    expect(r.rsp.conditions.length).toBeGreaterThan(0);
    expect(new Set(r.rsp.conditions.map((x) => x.target))).toEqual(new Set([Target.TARGET_COMPOSITE_AND_CLAIM]));
    expect(new Set(r.rsp.results.map((x) => x.target))).toEqual(new Set([Target.TARGET_COMPOSITE_AND_CLAIM]));
    c.xr.spec.release = 'no-such-release';
    const refused = await c.reconcile();
    expect(refused.rsp.results).toEqual([expect.objectContaining({ severity: Severity.SEVERITY_FATAL, reason: 'Refused', target: Target.TARGET_COMPOSITE_AND_CLAIM })]);
  });
});
