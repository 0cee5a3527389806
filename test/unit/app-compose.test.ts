// The App composer: what a DevOps team gets for an App, from unit level.
import { describe, expect, it } from 'vitest';
import { channelGuardBinding, channelGuardPolicy } from '../../functions/app/channel-guard.js';
import { APP_RESOURCE, composeApp } from '../../functions/app/compose.js';
import { deletionProtectionBinding, deletionProtectionPolicy } from '../../functions/app/deletion-protection.js';
import { imageCacheDaemonSet, prePullImages } from '../../functions/app/image-cache.js';
import { clusterProviderConfig } from '../../functions/app/provider-config.js';
import { latestReleases, releaseCatalogue } from '../../functions/app/release-catalogue.js';
import { TTL } from '../../functions/shared/composition.js';
import { app } from '../support/builders.js';

describe('clusterProviderConfig', () => {
  it('points provider-sql at the admin secret with the App’s ssl mode and default database', () => {
    expect(clusterProviderConfig(app())).toEqual({
      apiVersion: 'postgresql.sql.m.crossplane.io/v1alpha1',
      kind: 'ClusterProviderConfig',
      metadata: {
        name: 'odoo-acme',
        labels: {
          'app.kubernetes.io/name': 'odoo',
          'app.kubernetes.io/component': 'database-provider',
          'app.kubernetes.io/part-of': 'acme',
          'app.kubernetes.io/managed-by': 'function-odoo',
          'odoo.io/app': 'acme',
        },
      },
      spec: {
        credentials: {
          source: 'PostgreSQLConnectionSecret',
          connectionSecretRef: { name: 'postgres-admin', namespace: 'crossplane-system' },
        },
        defaultDatabase: 'postgres',
        sslMode: 'require',
      },
    });
  });

  it('maps secret keys when the admin secret uses other names', () => {
    const cpc = clusterProviderConfig(
      app({
        database: {
          host: 'pg',
          adminSecretRef: { name: 's', namespace: 'n' },
          adminSecretKeys: { username: 'user', password: 'pass' },
          sslMode: 'verify-full',
        },
      }),
    );
    expect(cpc.spec).toEqual({
      credentials: {
        source: 'PostgreSQLConnectionSecret',
        connectionSecretRef: { name: 's', namespace: 'n' },
        secretKeyMapping: { username: 'user', password: 'pass' },
      },
      defaultDatabase: 'postgres',
      sslMode: 'verify-full',
    });
  });
});

describe('release catalogue', () => {
  const releases = {
    releases: [
      { version: '1.3.2', series: '17.0', retired: true },
      { version: '1.10.0', series: '17.0' },
      { version: '1.9.0', series: '17.0' },
      { version: '2.0.0-rc.1', series: '18.0' },
      { version: '2.0.0', series: '18.0', image: 'other.example/odoo@sha256:' + 'a'.repeat(64) },
    ],
  };

  it('resolves each release to its image, defaulting to the code repository tagged with the version', () => {
    expect(releaseCatalogue(app(releases)).releases).toEqual([
      { version: '1.3.2', series: '17.0', image: 'registry.acme.example/odoo/acme:1.3.2', retired: true },
      { version: '1.10.0', series: '17.0', image: 'registry.acme.example/odoo/acme:1.10.0', retired: false },
      { version: '1.9.0', series: '17.0', image: 'registry.acme.example/odoo/acme:1.9.0', retired: false },
      { version: '2.0.0-rc.1', series: '18.0', image: 'registry.acme.example/odoo/acme:2.0.0-rc.1', retired: false },
      { version: '2.0.0', series: '18.0', image: 'other.example/odoo@sha256:' + 'a'.repeat(64), retired: false },
    ]);
  });

  it('names the newest release per series by semantic version, not by text, ignoring retired ones', () => {
    expect(latestReleases(app(releases))).toEqual({ '17.0': '1.10.0', '18.0': '2.0.0' });
  });
});

describe('image cache DaemonSet', () => {
  it('pulls each active release image once, in release order, then pauses', () => {
    const a = app({
      releases: [
        { version: '1.3.2', series: '17.0', retired: true },
        { version: '1.4.0', series: '17.0' },
        { version: '1.4.1', series: '17.0', image: 'registry.acme.example/odoo/acme:1.4.0' },
        { version: '2.0.0', series: '18.0' },
      ],
      code: { imageRepository: 'registry.acme.example/odoo/acme', pullSecretName: 'pull' },
      cache: { nodeSelector: { 'odoo.io/pool': 'web' } },
    });
    expect(prePullImages(a)).toEqual([
      { version: '1.4.0', image: 'registry.acme.example/odoo/acme:1.4.0' },
      { version: '2.0.0', image: 'registry.acme.example/odoo/acme:2.0.0' },
    ]);
    const ds = imageCacheDaemonSet(a) as any;
    expect(ds.metadata).toMatchObject({ name: 'odoo-image-cache-acme', namespace: 'odoo-system' });
    const pod = ds.spec.template.spec;
    expect(pod.initContainers.map((c: any) => [c.name, c.image, c.command])).toEqual([
      ['pull-1-4-0', 'registry.acme.example/odoo/acme:1.4.0', ['true']],
      ['pull-2-0-0', 'registry.acme.example/odoo/acme:2.0.0', ['true']],
    ]);
    expect(pod.containers.map((c: any) => c.image)).toEqual(['registry.k8s.io/pause:3.10']);
    expect(pod.imagePullSecrets).toEqual([{ name: 'pull' }]);
    expect(pod.nodeSelector).toEqual({ 'odoo.io/pool': 'web' });
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(ds.spec.selector.matchLabels).toEqual({ 'odoo.io/app': 'acme', 'app.kubernetes.io/component': 'image-cache' });
  });

  it('gives versions that sanitise alike distinct container names', () => {
    const ds = imageCacheDaemonSet(
      app({ releases: [{ version: '1.4.0-rc.1', series: '17.0' }, { version: '1.4.0-rc-1', series: '17.0' }] }),
    ) as any;
    const names = ds.spec.template.spec.initContainers.map((c: any) => c.name);
    expect(names[0]).toBe('pull-1-4-0-rc-1');
    expect(names[1]).toMatch(/^pull-1-4-0-rc-1-[0-9a-f]{8}$/);
  });
});

describe('composeApp', () => {
  const daemonSetReady = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'odoo-image-cache-acme', generation: 2 },
    status: { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 },
  };
  const providerConfig = { apiVersion: 'postgresql.sql.m.crossplane.io/v1alpha1', kind: 'ClusterProviderConfig', metadata: { name: 'odoo-acme' } };
  const policy = {
    [APP_RESOURCE.deletionProtection]: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'odoo-deletion-protection-acme' } },
    [APP_RESOURCE.deletionProtectionBinding]: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'odoo-deletion-protection-acme' } },
    [APP_RESOURCE.channelGuard]: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'odoo-channel-guard-acme' } },
    [APP_RESOURCE.channelGuardBinding]: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'odoo-channel-guard-acme' } },
  };
  const KEYS = ['provider-config', 'deletion-protection', 'deletion-protection-binding', 'channel-guard', 'channel-guard-binding', 'image-cache'];

  const cases = [
    {
      name: 'NothingObservedYet',
      reason: 'a new App composes its provider config and cache, neither ready, and asks to be called again soon',
      observed: {},
      want: { keys: KEYS, ready: [false, false, false, false, false, false], ttl: TTL.watched, cache: ['False', 'Pulling', 'Pulling 2 release image(s): the DaemonSet is not scheduled yet'] },
    },
    {
      name: 'CachePulling',
      reason: 'a DaemonSet still pulling says how many nodes are done',
      observed: { [APP_RESOURCE.providerConfig]: providerConfig, ...policy, [APP_RESOURCE.imageCache]: { ...daemonSetReady, status: { ...daemonSetReady.status, numberAvailable: 1 } } },
      want: { keys: KEYS, ready: [true, true, true, true, true, false], ttl: TTL.watched, cache: ['False', 'Pulling', 'Pulling 2 release image(s): 1 of 3 node(s) done'] },
    },
    {
      name: 'Steady',
      reason: 'once everything is observed ready the App is steady and polled slowly',
      observed: { [APP_RESOURCE.providerConfig]: providerConfig, ...policy, [APP_RESOURCE.imageCache]: daemonSetReady },
      want: { keys: KEYS, ready: [true, true, true, true, true, true], ttl: TTL.steady, cache: ['True', 'Available', '2 release image(s) pulled on every selected node'] },
    },
  ];

  it.each(cases)('$name: $reason', ({ observed, want }) => {
    const out = composeApp(app(), observed);
    expect(out.resources.map((r) => r.key)).toEqual(want.keys);
    expect(out.resources.map((r) => r.ready)).toEqual(want.ready);
    expect(out.ttlSeconds).toBe(want.ttl);
    expect(out.conditions).toEqual([{ type: 'ImageCacheReady', status: want.cache[0], reason: want.cache[1], message: want.cache[2] }]);
    // Instances read the policy's name to know their Usages can go: only once it and its binding exist.
    const guarding = APP_RESOURCE.deletionProtection in observed ? { deletionProtectionPolicy: 'odoo-deletion-protection-acme' } : {};
    expect(out.status).toEqual({ ...releaseCatalogue(app()), providerConfigName: 'odoo-acme', ...guarding });
  });

  it('composes no DaemonSet when pre-pull is off, and says so', () => {
    const out = composeApp(app({ cache: { prePull: false } }), {});
    expect(out.resources.map((r) => r.key)).toEqual(['provider-config', 'deletion-protection', 'deletion-protection-binding', 'channel-guard', 'channel-guard-binding']);
    expect(out.conditions[0]).toEqual({
      type: 'ImageCacheReady',
      status: 'False',
      reason: 'Disabled',
      message: 'Image pre-pull is off (spec.cache.prePull: false); nodes pull release images when an instance starts',
    });
  });

  it('composes no DaemonSet when every release is retired, and says what to do', () => {
    const out = composeApp(app({ releases: [{ version: '1.0.0', series: '17.0', retired: true }] }), {});
    expect(out.resources.map((r) => r.key)).toEqual(['provider-config', 'deletion-protection', 'deletion-protection-binding', 'channel-guard', 'channel-guard-binding']);
    expect(out.conditions[0]?.reason).toBe('NoActiveReleases');
  });
});

describe('deletion protection of customer data (the App’s ValidatingAdmissionPolicy)', () => {
  const policy = deletionProtectionPolicy(app());
  const spec = policy.spec as any;

  it('is enforced by the API server on deleting an Instance (XR or claim), a filestore claim or a Database object, and refuses when it cannot decide', () => {
    expect(spec.failurePolicy).toBe('Fail');
    expect(spec.matchConstraints.resourceRules).toEqual([
      { apiGroups: ['instance.odoo.io'], apiVersions: ['*'], operations: ['DELETE'], resources: ['instances', 'xinstances'] },
      { apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE'], resources: ['persistentvolumeclaims'] },
      { apiGroups: ['postgresql.sql.m.crossplane.io'], apiVersions: ['*'], operations: ['DELETE'], resources: ['databases'] },
    ]);
    const binding = deletionProtectionBinding(app());
    expect(binding.spec).toEqual({ policyName: policy.metadata.name, validationActions: ['Deny'] });
  });

  it('reads the Instance’s status.deletionProtection, and only this App’s labelled claims and Databases', () => {
    const [instance, labelled] = spec.validations;
    expect(instance.expression).toContain('oldObject.status.deletionProtection == true');
    expect(instance.messageExpression).toContain('is protected (spec.deletionProtection): set it to false before deleting');
    expect(labelled.expression).toContain(`oldObject.metadata.labels['odoo.io/deletion-protection'] == 'true'`);
    expect(labelled.expression).toContain(`oldObject.metadata.labels['odoo.io/app'] == 'acme'`);
    // Another App's policy leaves acme's objects to acme's.
    expect((deletionProtectionPolicy(app({}, 'other')).spec as any).validations[1].expression).toContain(`== 'other'`);
  });
});

describe('channel guard (the App’s ValidatingAdmissionPolicy over spec.crossplane)', () => {
  const spec = (a = app()) => channelGuardPolicy(a).spec as any;
  const condition = (a: ReturnType<typeof app>, name: string) => spec(a).matchConditions.find((c: { name: string }) => c.name === name)?.expression;

  it('is enforced by the API server on creating and updating Tenants and Instances, and refuses when it cannot decide', () => {
    expect(spec().failurePolicy).toBe('Fail');
    expect(spec().matchConstraints.resourceRules).toEqual([
      { apiGroups: ['tenant.odoo.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['tenants'] },
      { apiGroups: ['instance.odoo.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['instances'] },
    ]);
    expect(channelGuardBinding(app()).spec).toEqual({ policyName: 'odoo-channel-guard-acme', validationActions: ['Deny'] });
  });

  it('lets the App’s movers and Crossplane’s own service account through, by default system:masters and crossplane-system:crossplane', () => {
    expect(condition(app(), 'not-a-mover')).toBe(
      "!(request.userInfo.username in ['system:serviceaccount:crossplane-system:crossplane'] || request.userInfo.groups.exists(g, g in ['system:masters']))",
    );
    const named = app({ channels: { movers: { groups: ['platform-admins'], users: ['kam@example.com'] }, crossplaneServiceAccount: 'xp:core' } });
    expect(condition(named, 'not-a-mover')).toBe(
      "!(request.userInfo.username in ['kam@example.com', 'system:serviceaccount:xp:core'] || request.userInfo.groups.exists(g, g in ['platform-admins']))",
    );
    expect(spec(named).validations[1].messageExpression).toContain('spec.channels.movers: group platform-admins, user kam@example.com');
  });

  it('guards only the App’s tenant namespaces: names and name prefixes; every namespace when the App names none', () => {
    expect(condition(app(), 'in-tenant-namespaces')).toBeUndefined();
    expect(condition(app({ tenantNamespaces: ['acme', 'customer-*'] }), 'in-tenant-namespaces')).toBe(
      "request.namespace in ['acme'] || ['customer-'].exists(p, request.namespace.startsWith(p))",
    );
  });

  it('guards no namespace when the App serves none (an empty list), as the App refuses their Tenants', () => {
    expect(condition(app({ tenantNamespaces: [] }), 'in-tenant-namespaces')).toBe('false');
  });

  it('lets others create with no Composition, selector or revision of their own (Crossplane gives the stable one), and change none of them after', () => {
    const [create, update] = spec().validations;
    expect(create.expression).toBe(
      "request.operation != 'CREATE' || (!object.?spec.?crossplane.?compositionRef.hasValue() && !object.?spec.?crossplane.?compositionSelector.hasValue()" +
        " && !object.?spec.?crossplane.?compositionRevisionRef.hasValue() && !object.?spec.?crossplane.?compositionRevisionSelector.hasValue()" +
        " && object.?spec.?crossplane.?compositionUpdatePolicy.orValue('Automatic') == 'Automatic')",
    );
    expect(update.expression).toBe(
      "request.operation != 'UPDATE' || (" +
        ['compositionRef', 'compositionSelector', 'compositionRevisionRef', 'compositionRevisionSelector', 'compositionUpdatePolicy'].map((f) => `object.?spec.?crossplane.?${f} == oldObject.?spec.?crossplane.?${f}`).join(' && ') +
        ')',
    );
  });

  it('quotes the names the App gives as CEL strings, and refuses names with control characters', () => {
    const quoted = app({ channels: { movers: { groups: ["o'brien\\ops"] } } });
    expect(condition(quoted, 'not-a-mover')).toContain("g in ['o\\'brien\\\\ops']");
    expect(() => app({ channels: { movers: { users: ['kam\nx'] } } })).toThrow(/no control character/);
  });
});
