// The Tenant: routes to the primary and secondary instances, the lock, and
// refusals that keep routes on what worked.
import { describe, expect, it } from 'vitest';
import { appResource } from '../../functions/app/schema.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { app, Cluster, example, requiredObjects, type Obj, type Reconcile } from '../support/world.js';

/** The example Tenant without its custom domain: the routes tests count hosts of instances; custom domains have their own tests below. */
const tenant = (): Obj => {
  const t: Obj = { ...example('tenant.yaml'), metadata: { name: 'acme', namespace: 'acme', uid: 'u-tenant' } };
  delete t.spec.customDomains;
  return t;
};

function instance(name: string, type: string, status: Obj): Obj {
  return { apiVersion: 'instance.odoo.io/v1alpha1', kind: 'Instance', metadata: { name, namespace: 'acme' }, spec: { tenantRef: { name: 'acme' }, type }, status };
}

function routes(r: { resources: Record<string, Obj> }): Record<string, [string, string]> {
  return Object.fromEntries(
    Object.values(r.resources)
      .filter((o) => o.kind === 'HTTPRoute')
      .map((o) => [o.spec.hostnames[0], [o.spec.rules[o.spec.rules.length - 1].backendRefs[0].name, o.metadata.name]]),
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

  it('sends /websocket to the gevent port and everything else to HTTP, with the tenant’s timeout, on the App’s Gateway, telling Odoo the public host and scheme', async () => {
    const c = await steady();
    const primary = c.last!.resources['route-primary']!;
    const filters = [
      {
        type: 'RequestHeaderModifier',
        requestHeaderModifier: {
          set: [
            { name: 'X-Forwarded-Host', value: 'acme.odoo.example' },
            { name: 'X-Forwarded-Proto', value: 'https' },
          ],
        },
      },
    ];
    expect(primary.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateway-system', sectionName: 'https' }],
      hostnames: ['acme.odoo.example'],
      rules: [
        { matches: [{ path: { type: 'PathPrefix', value: '/websocket' } }], filters, backendRefs: [{ group: '', kind: 'Service', name: 'odoo-prod', port: 8072 }], timeouts: { request: '3600s' } },
        { matches: [{ path: { type: 'PathPrefix', value: '/' } }], filters, backendRefs: [{ group: '', kind: 'Service', name: 'odoo-prod', port: 8069 }], timeouts: { request: '3600s' } },
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
    // The rehearsal runs: the promotion starts the cut-over. prod stops; the base host shows the
    // maintenance page, still labelled with prod, which keeps the primary until v18 took it over.
    c.required = [...requiredObjects(), instance('v18', 'migration', { phase: 'Running', transitioning: false })];
    const cutting = await c.reconcile();
    expect(routes(cutting)['acme.odoo.example']).toEqual(['acme-maintenance', 'acme-primary']);
    expect(cutting.status.primaryInstance).toBe('prod');
    // The token is the Tenant's generation when the promotion started: which promotion v18 must take prod over for.
    expect(cutting.status.cutOver).toEqual({ instance: 'v18', from: 'prod', token: c.xr.metadata.generation ?? 0 });
    expect(cutting.conditions.RoutingReady).toMatchObject({ reason: 'CuttingOver', message: expect.stringContaining('Cutting over to "v18": "prod" is stopped') });
    expect(cutting.rsp.meta?.ttl?.seconds).toBe(15);
    // v18 copies prod again and migrates it (transitioning): still the page, whatever the lock holds.
    c.required = [...requiredObjects(), instance('v18', 'migration', { phase: 'Migrating', transitioning: true })];
    expect(routes(await c.reconcile())['acme.odoo.example']).toEqual(['acme-maintenance', 'acme-primary']);
    // Taken over, and starting: the page stays, prod stays stopped.
    const token = cutting.status.cutOver.token;
    c.required = [...requiredObjects(), instance('v18', 'migration', { phase: 'Starting', transitioning: true, cutOverFrom: 'prod', cutOverToken: token })];
    const starting = await c.reconcile();
    expect(routes(starting)['acme.odoo.example']).toEqual(['acme-maintenance', 'acme-primary']);
    expect(starting.status.cutOver).toEqual(cutting.status.cutOver);
    // A cut-over v18 did for another promotion proves nothing about prod's writes since: not done.
    c.required = [...requiredObjects(), instance('v18', 'migration', { phase: 'Running', transitioning: false, cutOverFrom: 'prod', cutOverToken: token + 1 })];
    expect(routes(await c.reconcile())['acme.odoo.example']).toEqual(['acme-maintenance', 'acme-primary']);
    // Running, this promotion's cut-over done: the base host routes to v18, and prod keeps a host of its own.
    c.required = [...requiredObjects(), instance('v18', 'migration', { phase: 'Running', transitioning: false, cutOverFrom: 'prod', cutOverToken: token })];
    const applied = await c.reconcile();
    expect(routes(applied)['acme.odoo.example']).toEqual(['odoo-v18', 'acme-primary']);
    expect(routes(applied)['prod.acme.odoo.example']).toEqual(['odoo-prod', 'prod-route']);
    expect(applied.conditions.Locked?.reason).toBe('NoTransition');
    expect(applied.status.primaryInstance).toBe('v18');
    expect(applied.status.cutOver).toBeUndefined();
  });

  it('promotes a staging instance without a cut-over: its data is what it has', async () => {
    const c = await steady();
    c.xr.spec.primaryInstance = 'staging';
    const applied = await c.reconcile();
    expect(routes(applied)['acme.odoo.example']).toEqual(['odoo-staging', 'acme-primary']);
    expect(applied.status.cutOver).toBeUndefined();
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

describe('how soon the Tenant looks at its instances again (Crossplane does not watch them)', () => {
  const ttl = (r: Reconcile) => Number(r.rsp.meta?.ttl?.seconds);
  const withProd = (status: Obj) => [...requiredObjects().filter((o) => !(o.kind === 'Instance' && o.metadata.name === 'prod')), instance('prod', 'production', status)];

  it('within 15 s while a serving instance transitions (an upgrade is about to stop its web Pods) or one is Starting', async () => {
    const c = await steady();
    c.required = withProd({ phase: 'BackingUp', transitioning: true, serving: true });
    expect(ttl(await c.reconcile())).toBe(15);
    c.required = withProd({ phase: 'Starting', transitioning: true, serving: false });
    expect(ttl(await c.reconcile())).toBe(15);
  });

  it('within a minute while its instances are in long phases, which pass through Starting before they answer', async () => {
    const c = await steady();
    c.required = withProd({ phase: 'Upgrading', transitioning: true, serving: false });
    expect(ttl(await c.reconcile())).toBe(60);
  });

  it('within 15 s while its primary waits for its first route, which lets it run the cron and become Ready', async () => {
    const required = withProd({ phase: 'Initializing', transitioning: true, serving: false }).map((o) => (o.kind === 'Tenant' ? { ...o, status: undefined } : o));
    const c = new Cluster(tenant(), required);
    const first = await c.reconcile();
    expect(first.conditions.RoutingReady?.reason).toBe('PrimaryNotRunning');
    expect(ttl(await c.reconcile())).toBe(15);
  });

  it('within 15 s while a change waits for the lock, and every 10 minutes when nothing moves', async () => {
    const c = await steady();
    c.required = withProd({ phase: 'Upgrading', transitioning: true, serving: false });
    c.xr.spec.baseHostName = 'erp.acme.odoo.example';
    expect(ttl(await c.reconcile())).toBe(15);
    c.required = requiredObjects();
    await c.reconcile();
    expect(ttl(await c.reconcile())).toBe(600);
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
    expect(policy.spec.egress.map((e: Obj) => e.ports?.map((p: Obj) => p.port) ?? 'tenant')).toEqual(['tenant', [53, 53], [5432], [25, 443, 465, 587]]);
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

  it('opens SMTP and HTTPS on public addresses by default; IMAP, POP and LDAP only when the App lists them; nothing when the Tenant turns internet egress off', async () => {
    const internet = async (services: string[] | undefined, internetEgress = true) => {
      const required = requiredObjects();
      if (services !== undefined) app(required).spec.network = { ...app(required).spec.network, internetServices: services };
      const t = { ...tenant(), spec: { ...tenant().spec, networkPolicy: { internetEgress } } };
      const c = new Cluster(t, required);
      await c.reconcile();
      await c.reconcile();
      const rule = c.last!.resources['tenant-network-policy']!.spec.egress[3];
      return rule === undefined ? undefined : { cidr: rule.to[0].ipBlock.cidr, except: rule.to[0].ipBlock.except, ports: rule.ports.map((p: Obj) => p.port) };
    };
    expect(await internet(undefined)).toEqual({ cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'], ports: [25, 443, 465, 587] });
    expect((await internet(['smtp', 'https', 'imap', 'ldap']))!.ports).toEqual([25, 143, 389, 443, 465, 587, 636, 993]);
    expect((await internet(['pop']))!.ports).toEqual([110, 995]);
    expect(await internet([])).toBeUndefined();
    expect(await internet(['smtp', 'imap'], false)).toBeUndefined();
  });

  it('warns a Tenant whose staging.neutralize is false that it is ignored', async () => {
    const live = { ...tenant(), spec: { ...tenant().spec, staging: { neutralize: false } } };
    const c = new Cluster(live, requiredObjects());
    await c.reconcile();
    await c.reconcile();
    expect(c.last!.status.warnings).toEqual([expect.stringContaining('spec.staging.neutralize: false is ignored: every new staging copy is neutralized')]);
  });

  it('lets in traffic only from a Gateway the App offers: a Tenant’s own gatewayRef counts where the App lists it, else the App’s is used and the Tenant warned', async () => {
    const own = { ...tenant(), spec: { ...tenant().spec, routing: { gatewayRef: { name: 'internal', namespace: 'ops' } } } };
    const ignored = new Cluster(own, requiredObjects());
    await ignored.reconcile();
    await ignored.reconcile();
    const appGateway = app(requiredObjects()).spec.routing.gatewayRef;
    expect(ignored.last!.resources['route-primary']!.spec.parentRefs[0]).toMatchObject({ name: appGateway.name, namespace: appGateway.namespace });
    expect(ignored.last!.status.warnings).toEqual([expect.stringContaining(`spec.routing.gatewayRef ops/internal is ignored: App "acme" does not offer that Gateway to tenants`)]);
    expect(JSON.stringify(ignored.last!.resources['tenant-network-policy']!.spec.ingress)).not.toContain('"ops"');
    const required = requiredObjects();
    app(required).spec.routing = { ...app(required).spec.routing, allowedGateways: [{ name: 'internal', namespace: 'ops' }] };
    const offered = new Cluster(own, required);
    await offered.reconcile();
    await offered.reconcile();
    expect(offered.last!.resources['route-primary']!.spec.parentRefs[0]).toMatchObject({ name: 'internal', namespace: 'ops' });
    expect(offered.last!.status.warnings).toBeUndefined();
  });

  it('stays when a Tenant turns it off and the App does not let tenants do so (the default); goes where the App allows it', async () => {
    const off = { ...tenant(), spec: { ...tenant().spec, networkPolicy: { enabled: false } } };
    const kept = new Cluster(off, requiredObjects());
    await kept.reconcile();
    await kept.reconcile();
    expect(kept.last!.resources['tenant-network-policy']!.metadata.name).toBe('odoo-tenant-acme');
    expect(kept.last!.status.warnings).toEqual([expect.stringContaining('spec.networkPolicy.enabled: false is ignored: App "acme" does not let tenants turn their NetworkPolicy off')]);
    const required = requiredObjects();
    app(required).spec.network = { ...app(required).spec.network, tenantsMayDisablePolicy: true };
    const allowed = new Cluster(off, required);
    await allowed.reconcile();
    await allowed.reconcile();
    expect(allowed.last!.resources['tenant-network-policy']).toBeUndefined();
    expect(allowed.last!.status.warnings).toBeUndefined();
  });
});

describe('the maintenance page', () => {
  const down = (serving: boolean) => [
    ...requiredObjects().filter((o) => !(o.kind === 'Instance' && o.metadata.name === 'prod')),
    instance('prod', 'production', { phase: 'Upgrading', transitioning: true, serving }),
  ];

  it('routes every host of an instance whose web Pods do not answer to the tenant’s maintenance page, and back once they do', async () => {
    const c = await steady();
    c.required = down(false);
    await c.reconcile();
    expect(routes(c.last!)['acme.odoo.example']).toEqual(['acme-maintenance', 'acme-primary']);
    const rule = c.last!.resources['route-primary']!.spec.rules;
    expect(rule).toHaveLength(1);
    expect(rule[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'acme-maintenance', port: 8069 }]);
    expect(rule[0].filters[0].requestHeaderModifier.set[0]).toEqual({ name: 'X-Forwarded-Host', value: 'acme.odoo.example' });
    expect(c.last!.status.maintenance).toEqual(['prod']);
    expect(routes(c.last!)['staging.acme.odoo.example']).toEqual(['odoo-staging', 'staging-route']);
    c.required = down(true);
    const back = await c.reconcile();
    expect(routes(back)['acme.odoo.example']).toEqual(['odoo-prod', 'acme-primary']);
    expect(back.status.maintenance).toBeUndefined();
  });

  it('is served from an image the nodes have, as a non-root user with nothing writable, with the App’s text escaped into the page', async () => {
    const required = requiredObjects();
    app(required).spec.maintenance = { title: 'ACME Cloud', message: 'Back soon. Help: +1 555 0100 "support"' };
    const c = await steady(required);
    const deployment = c.last!.resources.maintenance!;
    const pod = deployment.spec.template.spec;
    expect(pod.containers[0].image).toBe('registry.acme.example/odoo/acme:2.0.0');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 100, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
    const env = Object.fromEntries(pod.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.RETRY_AFTER).toBe('300');
    // The page is in the Pod spec: no ConfigMap to keep beside it.
    expect(Object.values(c.last!.resources).filter((o) => o.kind === 'ConfigMap')).toEqual([]);
    const page = env.PAGE;
    expect(page).toContain('<title>ACME Cloud</title>');
    expect(page).toContain('Back soon. Help: +1 555 0100 &quot;support&quot;');
    expect(deployment.spec.template.metadata.labels['odoo.io/tenant']).toBe('acme');
  });

  it('is not composed when the App turns it off, and hosts then keep their Odoo backend', async () => {
    const required = requiredObjects();
    app(required).spec.maintenance = { enabled: false };
    const c = await steady(required);
    c.required = down(false);
    app(c.required).spec.maintenance = { enabled: false };
    await c.reconcile();
    expect(c.last!.resources.maintenance).toBeUndefined();
    expect(routes(c.last!)['acme.odoo.example']).toEqual(['odoo-prod', 'acme-primary']);
  });
});

describe('the mail catcher', () => {
  it('runs a Mailpit for the tenant, without a route to its UI unless the App protects it', async () => {
    const c = await steady();
    const pod = c.last!.resources['mail-catcher']!.spec.template.spec;
    expect(pod.containers[0].image).toBe('docker.io/axllent/mailpit:v1.27.11');
    expect(pod.containers[0].args).toContain('--smtp=0.0.0.0:1025');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(c.last!.resources['mail-catcher-service']!.metadata.name).toBe('acme-mailpit');
    expect(c.last!.resources['route-mail-catcher']).toBeUndefined();
    expect(c.last!.resources['tenant-network-policy']!.spec.ingress[1].ports.map((p: { port: number }) => p.port)).toEqual([8069, 8072]);
  });

  it('routes its UI on mail.<baseHostName> behind the App’s basic-auth Secret, and lets the Gateway reach it', async () => {
    const required = requiredObjects();
    app(required).spec.mail = { catcher: { uiAuthSecretName: 'mailpit-users' } };
    const c = await steady(required);
    expect(c.last!.resources['route-mail-catcher']!.spec.hostnames).toEqual(['mail.acme.odoo.example']);
    expect(c.last!.resources['mail-catcher']!.spec.template.spec.containers[0].args).toContain('--ui-auth-file=/etc/mailpit/htpasswd');
    expect(c.last!.resources['tenant-network-policy']!.spec.ingress[1].ports.map((p: { port: number }) => p.port)).toEqual([8069, 8072, 8025]);
  });

  it('leaves the host to an instance named like it, and says so', async () => {
    const required = [...requiredObjects(), instance('mail', 'staging', { phase: 'Running' })];
    app(required).spec.mail = { catcher: { uiAuthSecretName: 'mailpit-users' } };
    const c = await steady(required);
    expect(c.last!.resources['route-mail-catcher']).toBeUndefined();
    expect(routes(c.last!)['mail.acme.odoo.example']).toEqual(['odoo-mail', 'mail-route']);
    expect(c.last!.status.warnings).toEqual([
      'The mail catcher UI is not routed on mail.acme.odoo.example: instance "mail" answers there. Rename the instance, or set the App\'s spec.mail.catcher.hostLabel',
    ]);
  });
});

describe('custom domains', () => {
  /** The App lists customer.com as acme's, as a DevOps team does once the customer showed it owns it. */
  const owning = (required = requiredObjects()) => {
    app(required).spec.routing.customDomainOwners = [{ namespace: 'acme', domains: ['customer.com'] }];
    return required;
  };

  it('route to the primary instance, each with a cert-manager Certificate the Gateway’s namespace may read', async () => {
    const required = owning();
    app(required).spec.routing.certificateIssuer = { name: 'letsencrypt' };
    const c = new Cluster({ ...tenant(), spec: { ...tenant().spec, customDomains: ['erp.customer.com'] } }, required);
    await c.reconcile();
    await c.reconcile();
    expect(routes(c.last!)['erp.customer.com']).toEqual(['odoo-prod', expect.stringMatching(/^acme-domain-[0-9a-f]{8}$/)]);
    const route = c.last!.resources['route-domain-erp.customer.com']!;
    expect(route.spec.rules[1].filters[0].requestHeaderModifier.set[0]).toEqual({ name: 'X-Forwarded-Host', value: 'erp.customer.com' });
    const certificate = c.last!.resources['certificate-erp.customer.com']!;
    expect(certificate.spec).toMatchObject({ dnsNames: ['erp.customer.com'], issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt' } });
    expect(c.last!.resources['certificate-reference-grant']!.spec).toEqual({
      from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gateway-system' }],
      to: [{ group: '', kind: 'Secret', name: certificate.spec.secretName }],
    });
    expect(c.last!.status.customDomains).toEqual(['erp.customer.com']);
  });

  it('are refused under the platform’s domain outside the tenant’s own namespace, and when another tenant of the namespace has them', async () => {
    const other = { ...tenant(), metadata: { name: 'older', namespace: 'acme', creationTimestamp: '2020-01-01T00:00:00Z' }, spec: { ...tenant().spec, baseHostName: 'older.example', customDomains: ['shop.customer.com'] } };
    const required = [...owning(), other];
    const c = new Cluster({ ...tenant(), metadata: { ...tenant().metadata, creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { ...tenant().spec, customDomains: ['beta.odoo.example', 'shop.customer.com'] } }, required);
    await c.reconcile();
    await c.reconcile();
    expect(Object.keys(routes(c.last!))).not.toContain('beta.odoo.example');
    expect(Object.keys(routes(c.last!))).not.toContain('shop.customer.com');
    expect(c.last!.status.warnings).toEqual([
      'spec.customDomains "beta.odoo.example" is under the platform\'s domain "odoo.example", where this tenant may only use "acme.odoo.example" and names below it: remove it, or use the base host name',
      expect.stringMatching(/^spec.customDomains "shop.customer.com" is not routed: .*Tenant "older" of this namespace claimed first/),
    ]);
  });
});

describe('custom domains nobody listed', () => {
  it('are not routed, nor certified, until the App lists them for the tenant’s namespace: a tenant cannot take a name another customer points at the Gateway', async () => {
    const required = requiredObjects();
    app(required).spec.routing.certificateIssuer = { name: 'letsencrypt' };
    // bigcorp.com is listed, for another namespace; erp.acme.com (the example's) for acme.
    app(required).spec.routing.customDomainOwners = [{ namespace: 'bigcorp', domains: ['bigcorp.com'] }, { namespace: 'acme', domains: ['acme.com'] }];
    const c = new Cluster({ ...tenant(), spec: { ...tenant().spec, customDomains: ['erp.bigcorp.com', 'erp.acme.com'] } }, required);
    await c.reconcile();
    await c.reconcile();
    expect(Object.keys(routes(c.last!))).not.toContain('erp.bigcorp.com');
    expect(Object.keys(routes(c.last!))).toContain('erp.acme.com');
    expect(Object.keys(c.last!.resources).filter((k) => k.startsWith('certificate-') && k !== 'certificate-reference-grant')).toEqual(['certificate-erp.acme.com']);
    expect(c.last!.status.warnings).toEqual([
      'spec.customDomains "erp.bigcorp.com" is not routed: App "acme" does not list it for namespace "acme" (its spec.routing.customDomainOwners), so no tenant can take a name another customer points at the Gateway. Once the customer has shown it owns the domain, the DevOps team lists it there',
    ]);
    // A domain belongs to one namespace, and is not a top-level one: the App's schema refuses patterns and "com".
    const owners = (value: unknown) => appResource.safeParse({ ...app(requiredObjects()), spec: { ...app(requiredObjects()).spec, routing: { ...app(requiredObjects()).spec.routing, customDomainOwners: value } } }).success;
    expect(owners([{ namespace: 'acme', domains: ['acme.com'] }])).toBe(true);
    expect(owners([{ namespace: 'customer-*', domains: ['acme.com'] }])).toBe(false);
    expect(owners([{ namespace: 'acme', domains: ['com'] }])).toBe(false);
    // An App that lists none routes none.
    delete app(required).spec.routing.customDomainOwners;
    const none = new Cluster({ ...tenant(), spec: { ...tenant().spec, customDomains: ['erp.acme.com'] } }, required);
    await none.reconcile();
    await none.reconcile();
    expect(Object.keys(routes(none.last!))).not.toContain('erp.acme.com');
  });
});

describe('fields that are the App’s', () => {
  it('backup storage and image: the XRD refuses them in a Tenant, and one stored before is told they are ignored', async () => {
    const c = new Cluster({ ...tenant(), spec: { ...tenant().spec, production: { backup: { storage: { endpoint: 'https://s3.tenant.example', bucket: 'theirs', credentialsSecretName: 'odoo-backup-s3' }, retention: { daily: 3 } } }, staging: { backup: { image: 'tenant.example/rclone:1' } } } }, requiredObjects());
    await c.reconcile();
    await c.reconcile();
    expect(c.last!.status.warnings).toEqual([
      'spec.production.backup.storage is ignored: backup storage is the App’s (spec.backup.storage), set by the DevOps team, so a tenant cannot send its backups or its namespace’s S3 key elsewhere; remove it',
      'spec.staging.backup.image is ignored: backup image is the App’s (spec.backup.image), set by the DevOps team, so a tenant cannot send its backups or its namespace’s S3 key elsewhere; remove it',
    ]);
    const xrd = parse(readFileSync(join(import.meta.dirname, '../../apis/tenant/definition.yaml'), 'utf8'));
    const backup = xrd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.production.properties.backup;
    expect(backup['x-kubernetes-validations'].map((v: { rule: string }) => v.rule)).toEqual(['!has(self.storage)', '!has(self.image)']);
  });

  it('a mail server’s password Secret that is not the tenant’s own mail Secret (smtp-acme): the Tenant says its server is not used, and how to fix it', async () => {
    const c = new Cluster({ ...tenant(), spec: { ...tenant().spec, mail: { outgoing: { host: 'mail.customer.example', passwordSecretRef: { name: 'odoo-backup-s3', key: 'AWS_SECRET_ACCESS_KEY' } } } } }, requiredObjects());
    await c.reconcile();
    await c.reconcile();
    expect(c.last!.status.warnings).toEqual([
      'spec.mail.outgoing is not used: its password would come from Secret "odoo-backup-s3", and App "acme" lets this tenant\'s mail server read only its own mail Secret "smtp-acme" (Odoo sends that password to the server you name). Put the password in Secret "smtp-acme" and name it in spec.mail.outgoing.passwordSecretRef; meanwhile the App\'s mail server is used',
    ]);
  });

  it('the namespaces an App serves: a Tenant of another namespace is refused, naming the App’s rule; its appRef cannot change once set', async () => {
    const refused = requiredObjects();
    app(refused).spec.tenantNamespaces = ['customer-*', 'beta'];
    const r = await new Cluster(tenant(), refused).reconcile();
    expect(r.fatal).toBe(
      'cannot compose Tenant "acme": App "acme" does not serve namespace "acme": its spec.tenantNamespaces allows "customer-*", "beta"; ask its DevOps team to add this namespace, or name an App that serves it in spec.appRef.name',
    );
    expect(r.resources).toEqual({});
    const served = requiredObjects();
    app(served).spec.tenantNamespaces = ['ac*'];
    expect((await new Cluster(tenant(), served).reconcile()).fatal).toBeUndefined();
    const xrd = parse(readFileSync(join(import.meta.dirname, '../../apis/tenant/definition.yaml'), 'utf8'));
    expect(xrd.spec.versions[0].schema.openAPIV3Schema.properties.spec['x-kubernetes-validations']).toContainEqual(expect.objectContaining({ rule: 'self.appRef == oldSelf.appRef' }));
  });
});
