// Isolates a tenant's namespace: Odoo Pods take traffic only from the Gateway
// namespace (on the Odoo ports) and from their own namespace, and reach only
// their own namespace, DNS, PostgreSQL and, unless turned off, internet
// services Odoo talks to (SMTP, HTTPS) — never other tenants.
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { KubeObject } from '../shared/composition.js';
import { LABEL, MANAGED_BY } from '../shared/labels.js';
import { ROUTE_PORTS } from './routes.js';
import type { Tenant } from './schema.js';

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'];

export function tenantNetworkPolicy(tenant: Tenant, gatewayNamespace: string | undefined, databasePort: number): KubeObject {
  const sameNamespace = [{ podSelector: {} }];
  const policy: INetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: 'odoo-tenant-isolation',
      namespace: tenant.metadata.namespace ?? 'default',
      labels: { [LABEL.name]: 'odoo', [LABEL.component]: 'network-policy', [LABEL.managedBy]: MANAGED_BY, [LABEL.tenant]: tenant.metadata.name },
    },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: sameNamespace },
        ...(gatewayNamespace
          ? [
              {
                from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': gatewayNamespace } } }],
                ports: [
                  { protocol: 'TCP' as const, port: ROUTE_PORTS.http },
                  { protocol: 'TCP' as const, port: ROUTE_PORTS.websocket },
                ],
              },
            ]
          : []),
      ],
      egress: [
        { to: sameNamespace },
        {
          to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { protocol: 'UDP' as const, port: 53 },
            { protocol: 'TCP' as const, port: 53 },
          ],
        },
        {
          ...(tenant.spec.networkPolicy.postgresCIDR ? { to: [{ ipBlock: { cidr: tenant.spec.networkPolicy.postgresCIDR } }] } : {}),
          ports: [{ protocol: 'TCP' as const, port: databasePort }],
        },
        ...(tenant.spec.networkPolicy.internetEgress
          ? [
              {
                to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_RANGES } }],
                ports: [
                  { protocol: 'TCP' as const, port: 25 },
                  { protocol: 'TCP' as const, port: 465 },
                  { protocol: 'TCP' as const, port: 587 },
                  { protocol: 'TCP' as const, port: 443 },
                ],
              },
            ]
          : []),
      ],
    },
  };
  return policy as KubeObject;
}
