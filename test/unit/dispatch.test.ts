// compose(): dispatch on the XR's kind, and what a person reads when the
// input cannot be understood. Every message is asserted in full.
import { Ready, Severity, Status, Target, to, type RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { compose } from '../../functions/compose.js';
import { appManifest } from '../support/builders.js';
import { request } from '../support/request.js';

async function run(req: RunFunctionRequest) {
  const rsp = to(req);
  return compose(req, rsp as Parameters<typeof compose>[1]);
}

function withSpec(mutate: (spec: any) => void): Record<string, unknown> {
  const xr = appManifest() as any;
  mutate(xr.spec);
  return xr;
}

describe('dispatch', () => {
  it('composes an App through the App composer', async () => {
    const rsp = await run(request(appManifest()));
    // A new App: its condition appears, which is a transition told as an event.
    expect(rsp.results.map((r) => [r.severity, r.reason])).toEqual([[Severity.SEVERITY_NORMAL, 'Pulling']]);
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual(['channel-guard', 'channel-guard-binding', 'deletion-protection', 'deletion-protection-binding', 'image-cache', 'provider-config']);
    expect(rsp.desired?.resources['provider-config']?.ready).toBe(Ready.READY_FALSE);
    // Left to Crossplane, which names the unready resources in the XR's Ready condition.
    expect(rsp.desired?.composite?.ready).toBe(Ready.READY_UNSPECIFIED);
    expect(rsp.desired?.composite?.resource?.status).toMatchObject({ providerConfigName: 'odoo-acme' });
    expect(rsp.conditions.map((c) => [c.type, c.status])).toEqual([['ImageCacheReady', Status.STATUS_CONDITION_FALSE]]);
    // Waiting on its own composed resources, which Crossplane watches: a safety-net TTL only.
    expect(rsp.meta?.ttl).toEqual({ seconds: 60, nanos: 0 });
  });

  it('passes through resources that earlier pipeline steps desired', async () => {
    const req = request(appManifest());
    req.desired = { composite: undefined, resources: { 'from-earlier-step': { resource: { kind: 'ConfigMap' }, connectionDetails: {}, ready: 0 } } };
    const rsp = await run(req);
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual(['from-earlier-step', 'channel-guard', 'channel-guard-binding', 'deletion-protection', 'deletion-protection-binding', 'image-cache', 'provider-config']);
    expect(rsp.desired?.resources['from-earlier-step']?.resource).toEqual({ kind: 'ConfigMap' });
  });
});

describe('bad input gives one Fatal result naming the field and the fix', () => {
  const cases: { name: string; reason: string; xr: Record<string, unknown> | undefined; want: string }[] = [
    {
      name: 'MissingComposite',
      reason: 'a request without an observed XR cannot be composed',
      xr: undefined,
      want: 'cannot compose: the request has no observed composite resource; run function-odoo as a step of a Composition pipeline',
    },
    {
      name: 'UnknownKind',
      reason: 'an XR of a kind we do not compose names the kinds we do',
      xr: { apiVersion: 'example.org/v1', kind: 'Bucket', metadata: { name: 'b' }, spec: {} },
      want: 'cannot compose Bucket (example.org/v1): function-odoo composes App (app.odoo.io/v1alpha1), Tenant (tenant.odoo.io/v1alpha1), Instance (instance.odoo.io/v1alpha1); point the Composition\'s compositeTypeRef at one of them',
    },
    {
      name: 'WrongVersionOfKnownKind',
      reason: 'the kind alone is not enough: the apiVersion must match too',
      xr: { ...appManifest(), apiVersion: 'app.odoo.io/v2' },
      want: 'cannot compose App (app.odoo.io/v2): function-odoo composes App (app.odoo.io/v1alpha1), Tenant (tenant.odoo.io/v1alpha1), Instance (instance.odoo.io/v1alpha1); point the Composition\'s compositeTypeRef at one of them',
    },
    {
      name: 'MissingSpec',
      reason: 'an App without spec',
      xr: { apiVersion: 'app.odoo.io/v1alpha1', kind: 'App', metadata: { name: 'acme' } },
      want: 'cannot compose App "acme": spec: is required',
    },
    {
      name: 'MissingRequiredFields',
      reason: 'every missing required field is listed, sorted by path',
      xr: withSpec((s) => {
        delete s.database.host;
        delete s.code;
      }),
      want: 'cannot compose App "acme": spec.code: is required; spec.database.host: is required',
    },
    {
      name: 'WrongType',
      reason: 'a port given as text says what it must be and what it got',
      xr: withSpec((s) => {
        s.database.port = '5432';
      }),
      want: 'cannot compose App "acme": spec.database.port: must be a number, not the string "5432"',
    },
    {
      name: 'DuplicateReleaseVersions',
      reason: 'two releases with one version would make spec.release ambiguous',
      xr: withSpec((s) => {
        s.releases = [
          { version: '1.4.0', series: '17.0' },
          { version: '1.5.0', series: '17.0' },
          { version: '1.4.0', series: '18.0' },
        ];
      }),
      want: 'cannot compose App "acme": spec.releases[2].version: "1.4.0" is already the version of releases[0]; give every release a unique version',
    },
    {
      name: 'BadReleaseVersion',
      reason: 'a version that is not semantic',
      xr: withSpec((s) => {
        s.releases = [{ version: 'v1', series: '17.0' }];
      }),
      want: 'cannot compose App "acme": spec.releases[0].version: must be a semantic version such as 1.4.0 or 2.0.0-rc.1 (no "+build" part: it becomes an image tag), not the string "v1"',
    },
    {
      name: 'UnsupportedSeries',
      reason: 'an Odoo series we do not know how to run',
      xr: withSpec((s) => {
        s.releases = [{ version: '1.0.0', series: '15.0' }];
      }),
      want: 'cannot compose App "acme": spec.releases[0].series: must be one of "16.0", "17.0", "18.0", "19.0", not the string "15.0"',
    },
    {
      name: 'NoReleases',
      reason: 'an App needs something to run',
      xr: withSpec((s) => {
        s.releases = [];
      }),
      want: 'cannot compose App "acme": spec.releases: needs at least one release: add {version, series} for the image instances will run',
    },
    {
      name: 'OwnedOdooOption',
      reason: 'odoo.conf keys we render cannot be overridden by hand',
      xr: withSpec((s) => {
        s.config = { options: { admin_passwd: 'x', smtp_server: 'mail' } };
      }),
      want: 'cannot compose App "acme": spec.config.options.admin_passwd: is rendered by function-odoo: use the typed field (workers, limitTimeReal, …) or leave it to the function',
    },
  ];

  it.each(cases)('$name: $reason', async ({ xr, want }) => {
    const rsp = await run(request(xr));
    expect(rsp.results).toEqual([{ severity: Severity.SEVERITY_FATAL, reason: 'Refused', message: want, target: Target.TARGET_COMPOSITE_AND_CLAIM }]);
    expect(rsp.desired?.resources).toEqual({});
  });
});
