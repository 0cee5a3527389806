// The Tenant: routes to the primary and secondary instances, the lock, and
// refusals that keep routes on what worked.
import { describe, expect, it } from 'vitest';
import { Cluster, example, requiredObjects, type Obj } from '../support/world.js';

const tenant = (): Obj => ({ ...example('tenant.yaml'), metadata: { name: 'acme', namespace: 'acme', uid: 'u-tenant' } });

function instance(name: string, type: string, status: Obj): Obj {
  return { apiVersion: 'instance.odoo.io/v1alpha1', kind: 'Instance', metadata: { name, namespace: 'acme' }, spec: { tenantRef: { name: 'acme' }, type }, status };
}

function routes(r: { resources: Record<string, Obj> }): Record<string, [string, string]> {
  return Object.fromEntries(
    Object.values(r.resources)
      .filter((o) => o.kind === 'HTTPRoute')
      .map((o) => [o.spec.hostnames[0], [o.spec.rules[1].backendRefs[0].name, o.metadata.name]]),
  );
}

async function steady(required = requiredObjects()): Promise<Cluster> {
  const c = new Cluster(tenant(), required);
  await c.reconcile();
  await c.reconcile();
  return c;
}

describe('routes', () => {
  it('routes the base host name to the primary and <instance>.<base> to every other instance', async () => {
    const c = await steady();
    expect(routes(c.last!)).toEqual({
      'acme.odoo.example': ['odoo-prod', 'acme-primary'],
      'ci.acme.odoo.example': ['odoo-ci', 'ci-route'],
      'staging.acme.odoo.example': ['odoo-staging', 'staging-route'],
    });
    expect(c.last!.status).toEqual({
      primaryInstance: 'prod',
      baseHostName: 'acme.odoo.example',
      secondaryInstances: [
        { name: 'ci', type: 'testing', phase: 'Passed', host: 'ci.acme.odoo.example' },
        { name: 'staging', type: 'staging', phase: 'Running', host: 'staging.acme.odoo.example' },
      ],
      hasTransitioningInstance: false,
      transitioningInstances: [],
    });
  });

  it('sends /websocket to the gevent port and everything else to HTTP, with the tenant’s timeout, on the App’s Gateway', async () => {
    const c = await steady();
    const primary = c.last!.resources['route-primary']!;
    expect(primary.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateway-system', sectionName: 'https' }],
      hostnames: ['acme.odoo.example'],
      rules: [
        { matches: [{ path: { type: 'PathPrefix', value: '/websocket' } }], backendRefs: [{ group: '', kind: 'Service', name: 'odoo-prod', port: 8072 }], timeouts: { request: '3600s' } },
        { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ group: '', kind: 'Service', name: 'odoo-prod', port: 8069 }], timeouts: { request: '3600s' } },
      ],
    });
  });

  it('is ready when the Gateway accepted each route and resolved its backends', async () => {
    const c = await steady();
    expect(c.last!.rsp.desired!.resources['route-primary']!.ready).toBe(1);
    const pending = await c.reconcile({ routesAccepted: false });
    expect(pending.rsp.desired!.resources['route-primary']!.ready).toBe(2);
  });

  it('ignores instances of other tenants in the namespace', async () => {
    const required = [...requiredObjects(), { ...instance('other', 'production', { phase: 'Running' }), spec: { tenantRef: { name: 'someone-else' } } }];
    const c = await steady(required);
    expect(Object.keys(routes(c.last!))).not.toContain('other.acme.odoo.example');
  });
});

describe('the transition lock', () => {
  it('holds a promotion while the migration runs, and applies it once the migration is Running', async () => {
    const required = [...requiredObjects(), instance('v18', 'migration', { phase: 'Migrating', transitioning: true })];
    const c = await steady(required);
    c.xr.spec.primaryInstance = 'v18';
    const held = await c.reconcile();
    expect(routes(held)['acme.odoo.example']).toEqual(['odoo-prod', 'acme-primary']);
    expect(held.conditions.Locked).toEqual({
      status: 2,
      reason: 'ChangeHeld',
      message: 'Locked while "v18" (Migrating) transition(s): primaryInstance "prod" → "v18" will be applied when they finish',
    });
    c.required = [...requiredObjects(), instance('v18', 'migration', { phase: 'Running', transitioning: false })];
    const applied = await c.reconcile();
    expect(routes(applied)['acme.odoo.example']).toEqual(['odoo-v18', 'acme-primary']);
    expect(routes(applied)['prod.acme.odoo.example']).toEqual(['odoo-prod', 'prod-route']);
    expect(applied.conditions.Locked?.reason).toBe('NoTransition');
    expect(applied.status.primaryInstance).toBe('v18');
  });

  it('holds a base host name change while any instance transitions', async () => {
    const required = requiredObjects().map((o) => (o.metadata.name === 'staging' ? { ...o, status: { ...o.status, phase: 'Copying', transitioning: true } } : o));
    const c = await steady(required);
    c.xr.spec.baseHostName = 'erp.acme.odoo.example';
    const held = await c.reconcile();
    expect(Object.keys(routes(held)).sort()).toEqual(['acme.odoo.example', 'ci.acme.odoo.example', 'staging.acme.odoo.example']);
    expect(held.status.baseHostName).toBe('acme.odoo.example');
    expect(held.conditions.Locked?.message).toBe(
      'Locked while "staging" (Copying) transition(s): baseHostName acme.odoo.example → erp.acme.odoo.example will be applied when they finish',
    );
    c.required = requiredObjects();
    const applied = await c.reconcile();
    expect(Object.keys(routes(applied)).sort()).toEqual(['ci.erp.acme.odoo.example', 'erp.acme.odoo.example', 'staging.erp.acme.odoo.example']);
  });

  it('routes a brand-new tenant at once even while its first instance initializes', async () => {
    const required = requiredObjects().map((o) => (o.kind === 'Tenant' ? { ...o, status: undefined } : o));
    const c = new Cluster(tenant(), required);
    await c.reconcile();
    expect(routes(c.last!)['acme.odoo.example']).toEqual(['odoo-prod', 'acme-primary']);
  });
});

describe('refused primaries keep routes on what worked', () => {
  it.each([
    { name: 'PrimaryNotFound', primary: 'nope', message: 'spec.primaryInstance "nope" is not an Instance of this tenant; create it or name an existing one. acme.odoo.example keeps routing to "prod".' },
    { name: 'PrimaryIsTesting', primary: 'ci', message: 'spec.primaryInstance "ci" is a testing instance and cannot serve the base host name; promote a production, staging or migration instance. acme.odoo.example keeps routing to "prod".' },
  ])('$name', async ({ name, primary, message }) => {
    const c = await steady();
    c.xr.spec.primaryInstance = primary;
    const r = await c.reconcile();
    expect(routes(r)['acme.odoo.example']).toEqual(['odoo-prod', 'acme-primary']);
    expect(r.conditions.RoutingReady).toEqual({ status: 3, reason: name, message });
  });

  it('PrimaryNotRunning: a stopped instance is not promoted', async () => {
    const required = [...requiredObjects(), instance('old', 'production', { phase: 'UpgradeFailed', transitioning: false })];
    const c = await steady(required);
    c.xr.spec.primaryInstance = 'old';
    const r = await c.reconcile();
    expect(routes(r)['acme.odoo.example']).toEqual(['odoo-prod', 'acme-primary']);
    expect(r.conditions.RoutingReady?.reason).toBe('PrimaryNotRunning');
  });
});

describe('network isolation', () => {
  it('admits the Gateway namespace on the Odoo ports and reaches DNS, PostgreSQL and public SMTP/HTTPS only', async () => {
    const c = await steady();
    const policy = c.last!.resources['tenant-network-policy']!;
    expect(policy.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'odoo.io/tenant': 'acme' } } }] },
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway-system' } } }],
        ports: [{ protocol: 'TCP', port: 8069 }, { protocol: 'TCP', port: 8072 }],
      },
    ]);
    expect(policy.spec.egress.map((e: Obj) => e.ports?.map((p: Obj) => p.port) ?? 'tenant')).toEqual(['tenant', [53, 53], [5432], [25, 465, 587, 443]]);
  });
});

describe('a SaaS-sized tenant', () => {
  it('routes 500 instances, each on its own host, well under the gRPC message limit', async () => {
    const instances = Array.from({ length: 500 }, (_, i) => instance(`i${String(i).padStart(3, '0')}`, i % 2 ? 'staging' : 'testing', { phase: 'Running' }));
    const required = [...requiredObjects().filter((o) => o.kind !== 'Instance'), instance('prod', 'production', { phase: 'Running' }), ...instances];
    const c = await steady(required);
    const hosts = Object.keys(routes(c.last!));
    expect(hosts).toHaveLength(501);
    expect(new Set(Object.values(c.last!.resources).map((o) => `${o.kind}/${o.metadata.name}`)).size).toBe(Object.keys(c.last!.resources).length);
    const { RunFunctionResponse } = await import('@crossplane-org/function-sdk-typescript');
    const bytes = RunFunctionResponse.encode(c.last!.rsp).finish().length;
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
  });
});

describe('host ownership', () => {
  it('refuses a base host name outside the tenant’s own label of the App’s allowed domains, before any route is written', async () => {
    const t = tenant();
    t.spec.baseHostName = 'acme.odoo.example.evil.test';
    const c = new Cluster(t);
    const r = await c.reconcile();
    const second = await c.reconcile();
    expect(routes(second)).toEqual({});
    expect(second.conditions.RoutingReady).toEqual({
      status: 3,
      reason: 'HostNotAllowed',
      message: 'spec.baseHostName "acme.odoo.example.evil.test" is not under this tenant\'s domain: the App allows "acme.odoo.example" and names below it; ask the DevOps team to allow another domain',
    });
    expect(r.fatal).toBeUndefined();
  });

  it('refuses the hijack of another namespace’s instance host: tenant "evil" cannot take acme’s staging host', async () => {
    const required = requiredObjects();
    const evil = { ...example('tenant.yaml'), metadata: { name: 'evil', namespace: 'evil', uid: 'u-evil' }, spec: { ...example('tenant.yaml').spec, baseHostName: 'staging.acme.odoo.example', primaryInstance: 'acme' } };
    required.push({ apiVersion: 'instance.odoo.io/v1alpha1', kind: 'Instance', metadata: { name: 'acme', namespace: 'evil' }, spec: { tenantRef: { name: 'evil' }, type: 'production' }, status: { phase: 'Running' } });
    const c = new Cluster(evil, required);
    await c.reconcile();
    const r = await c.reconcile();
    expect(routes(r)).toEqual({});
    expect(r.conditions.RoutingReady?.reason).toBe('HostNotAllowed');
    expect(r.conditions.RoutingReady?.message).toContain('the App allows "evil.odoo.example"');
  });

  it('within a namespace, keeps a host with the Tenant that claimed it first, and names it', async () => {
    const required = requiredObjects();
    const first = required.find((o) => o.kind === 'Tenant')!;
    first.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    const second: Obj = { ...tenant(), metadata: { name: 'acme-two', namespace: 'acme', uid: 'u-two', creationTimestamp: '2026-06-01T00:00:00Z' } };
    second.spec.baseHostName = 'eu.acme.odoo.example';
    second.spec.primaryInstance = 'prod';
    const c = new Cluster(second, required);
    await c.reconcile();
    const r = await c.reconcile();
    expect(routes(r)).toEqual({});
    expect(r.conditions.RoutingReady).toEqual({
      status: 3,
      reason: 'HostTaken',
      message: 'spec.baseHostName "eu.acme.odoo.example" overlaps "acme.odoo.example", which Tenant "acme" of this namespace claimed first; choose another host name',
    });
  });
});

describe('network policy', () => {
  it('is named after the Tenant and selects only its Pods; Odoo reaches the App’s PostgreSQL and the cluster DNS, nothing of other tenants', async () => {
    const c = await steady();
    const policy = c.last!.resources['tenant-network-policy']!;
    expect(policy.metadata.name).toBe('odoo-tenant-acme');
    expect(policy.spec.podSelector).toEqual({ matchLabels: { 'odoo.io/tenant': 'acme' } });
    expect(policy.spec.ingress[0]).toEqual({ from: [{ podSelector: { matchLabels: { 'odoo.io/tenant': 'acme' } } }] });
    expect(policy.spec.egress.slice(0, 3)).toEqual([
      { to: [{ podSelector: { matchLabels: { 'odoo.io/tenant': 'acme' } } }] },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
      { to: [{ ipBlock: { cidr: '10.20.0.5/32' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ]);
  });
});
