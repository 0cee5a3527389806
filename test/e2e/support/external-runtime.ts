// What a package runtime does for Crossplane started with
// --package-runtime=External, played by the harness for the revisions the
// package manager creates. Crossplane's revision controller will not
// establish a revision's objects until the runtime has named its TLS
// Secrets (the package manager copies those names into the revision's spec
// only for the Deployment runtime: pkg/manager/reconciler.go
// WithManagingRevisionRuntimeSpec), created them and recorded them in its
// status (pkg/runtime: Pre; revision/establisher.go: "waiting for package
// runtime controller to set revision's webhook TLS secret"); and it calls a
// function at the endpoint the runtime records.
// The Deployment runtime would also start Pods; here the harness runs the
// processes itself. For a provider it makes what the Deployment runtime
// would, without Pods: a ServiceAccount and a Deployment of no replicas
// owned by the revision, naming that account. Crossplane's RBAC manager
// binds the provider's own ClusterRole to the account a Deployment owned by
// the revision names (rbac/provider/binding), and the harness runs the
// provider's process with a token of that account.
import * as k8s from '@kubernetes/client-node';

const NAMESPACE = 'crossplane-system';
const GROUP = 'pkg.crossplane.io';

interface Revision {
  metadata: { name: string; uid: string; labels?: Record<string, string> };
  spec: { desiredState?: string; image?: string; tlsServerSecretName?: string; tlsClientSecretName?: string };
  status?: { tlsServerSecretName?: string; tlsClientSecretName?: string; endpoint?: string; conditions?: Condition[] };
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  lastTransitionTime?: string;
}

export interface ServingCertificate {
  crt: Buffer;
  key: Buffer;
  ca: Buffer;
}

export class ExternalPackageRuntime {
  private readonly custom: k8s.CustomObjectsApi;
  private readonly core: k8s.CoreV1Api;
  private readonly apps: k8s.AppsV1Api;
  /** Packages whose process the harness runs: their runtime is healthy (the package's Healthy needs it). */
  private readonly running = new Set<string>();
  /** Function revisions of another version, by the package they were installed from (spec.image): the process of that version. */
  private readonly endpointsByImage = new Map<string, string>();

  /**
   * @param certificate signed by Crossplane's CA: the function serves with it; provider-sql serves no webhook here (its package has none), so for it the Secret is only what Crossplane waits for.
   * @param endpoints function package name (pkg.crossplane.io/package label) → address its process listens on.
   */
  constructor(kc: k8s.KubeConfig, private readonly certificate: ServingCertificate, private readonly endpoints: Record<string, string>) {
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
  }

  /**
   * The address of the process serving the function revision installed
   * from `image` (a revision's spec.image, e.g. after an upgrade of the
   * package), instead of the package's own address.
   */
  serveImage(image: string, endpoint: string): void {
    this.endpointsByImage.set(image, endpoint);
  }

  /** Records that the process of a package (its pkg.crossplane.io/package name) serves. */
  markRunning(packageName: string): void {
    this.running.add(packageName);
  }

  /** One pass over every active Function and Provider revision; safe to repeat. */
  async reconcile(): Promise<void> {
    for (const plural of ['functionrevisions', 'providerrevisions']) {
      const list = (await this.custom.listClusterCustomObject({ group: GROUP, version: 'v1', plural })) as { items: Revision[] };
      for (const revision of list.items) {
        if (revision.spec.desiredState !== 'Active') continue;
        const packageName = revision.metadata.labels?.['pkg.crossplane.io/package'];
        if (packageName === undefined) continue;
        // The names Crossplane gives them (apis/pkg/v1: GetSecretNameWithSuffix), for packages of short names.
        const names = { tlsServerSecretName: `${packageName}-tls-server`, tlsClientSecretName: `${packageName}-tls-client` };
        if (revision.spec.tlsServerSecretName !== names.tlsServerSecretName || revision.spec.tlsClientSecretName !== names.tlsClientSecretName) {
          await this.custom.patchClusterCustomObject(
            { group: GROUP, version: 'v1', plural, name: revision.metadata.name, body: { spec: names } },
            k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
          );
        }
        const wanted: NonNullable<Revision['status']> = {};
        for (const [key, name] of Object.entries(names) as [keyof typeof names, string][]) {
          await this.ensureSecret(name);
          wanted[key] = name;
        }
        if (plural === 'providerrevisions') await this.ensureProviderAccount(packageName, revision);
        const endpoint = plural === 'functionrevisions' ? (this.endpointsByImage.get(revision.spec.image ?? '') ?? this.endpoints[packageName]) : undefined;
        if (endpoint !== undefined) wanted.endpoint = endpoint;
        const current = revision.status ?? {};
        const conditions = current.conditions ?? [];
        const healthy = this.running.has(packageName) && conditions.some((c) => c.type === 'RuntimeHealthy' && c.status === 'True');
        if (this.running.has(packageName) && !healthy) {
          // A merge patch replaces the list: keep the revision controller's conditions.
          const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
          wanted.conditions = [...conditions.filter((c) => c.type !== 'RuntimeHealthy'), { type: 'RuntimeHealthy', status: 'True', reason: 'HealthyPackageRevision', lastTransitionTime: now }];
        }
        if (Object.entries(wanted).every(([k, v]) => current[k as keyof typeof current] === v)) continue;
        await this.custom.patchClusterCustomObjectStatus(
          { group: GROUP, version: 'v1', plural, name: revision.metadata.name, body: { status: wanted } },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
        );
      }
    }
  }

  /** The provider's ServiceAccount (named after its package), and a Deployment of no replicas owned by its revision that names it. */
  private async ensureProviderAccount(packageName: string, revision: Revision): Promise<void> {
    const ignoreExists = (error: unknown) => {
      if ((error as { code?: number }).code !== 409) throw error;
    };
    await this.core.createNamespacedServiceAccount({ namespace: NAMESPACE, body: { metadata: { name: packageName } } }).catch(ignoreExists);
    const labels = { 'pkg.crossplane.io/revision': revision.metadata.name };
    await this.apps
      .createNamespacedDeployment({
        namespace: NAMESPACE,
        body: {
          metadata: {
            name: revision.metadata.name,
            labels,
            ownerReferences: [{ apiVersion: `${GROUP}/v1`, kind: 'ProviderRevision', name: revision.metadata.name, uid: revision.metadata.uid, controller: true }],
          },
          spec: {
            replicas: 0,
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: { serviceAccountName: packageName, containers: [{ name: 'package-runtime', image: revision.spec.image ?? packageName }] } },
          },
        },
      })
      .catch(ignoreExists);
  }

  private async ensureSecret(name: string): Promise<void> {
    const exists = await this.core.readNamespacedSecret({ name, namespace: NAMESPACE }).then(
      () => true,
      () => false,
    );
    if (exists) return;
    const data = { 'tls.crt': this.certificate.crt, 'tls.key': this.certificate.key, 'ca.crt': this.certificate.ca };
    await this.core
      .createNamespacedSecret({
        namespace: NAMESPACE,
        body: { metadata: { name }, type: 'kubernetes.io/tls', data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString('base64')])) },
      })
      .catch((error: unknown) => {
        if ((error as { code?: number }).code !== 409) throw error;
      });
  }
}
