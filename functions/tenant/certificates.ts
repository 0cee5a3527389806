// Certificates of a tenant's custom domains. The Gateway belongs to the
// platform, and a tenant cannot add listeners to it: cert-manager issues a
// Certificate per domain into the tenant's namespace, and a ReferenceGrant
// lets Gateways of the Gateway's namespace (only those) read exactly these
// Secrets, for the HTTPS listener the platform adds per domain (or a
// ListenerSet, once the Gateway implements that experimental API).
import type { App } from '../app/schema.js';
import type { KubeObject } from '../shared/composition.js';
import { tenantLabels } from './labels.js';
import { kubeName } from '../shared/names.js';
import { customDomainRouteName } from './routes.js';
import type { Tenant } from './schema.js';


/** The Secret cert-manager writes the domain's key pair to, for the Gateway listener to name. */
export function customDomainSecretName(tenant: Tenant, host: string): string {
  return kubeName([customDomainRouteName(tenant, host), 'tls']);
}

export function customDomainCertificate(tenant: Tenant, host: string, issuer: NonNullable<NonNullable<App['spec']['routing']>['certificateIssuer']>): KubeObject {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: customDomainRouteName(tenant, host), namespace: tenant.metadata.namespace ?? 'default', labels: tenantLabels(tenant, 'custom-domain') },
    spec: {
      secretName: customDomainSecretName(tenant, host),
      dnsNames: [host],
      issuerRef: { group: 'cert-manager.io', kind: issuer.kind, name: issuer.name },
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      secretTemplate: { labels: tenantLabels(tenant, 'custom-domain') },
    },
  };
}

/** Lets the Gateways of `gatewayNamespace` use the certificates' Secrets, and nothing else of the namespace. */
export function certificateReferenceGrant(tenant: Tenant, hosts: readonly string[], gatewayNamespace: string): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: kubeName([tenant.metadata.name, 'custom-domain-certificates']), namespace: tenant.metadata.namespace ?? 'default', labels: tenantLabels(tenant, 'custom-domain') },
    spec: {
      from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: gatewayNamespace }],
      to: hosts.map((h) => ({ group: '', kind: 'Secret', name: customDomainSecretName(tenant, h) })),
    },
  };
}
