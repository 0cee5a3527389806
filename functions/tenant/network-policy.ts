// Isolates a tenant: its Pods take traffic only from the Gateway namespace
// (on the Odoo ports) and from the tenant's own Pods, and reach only the
// tenant's own Pods, the cluster DNS, the PostgreSQL the App names and,
// unless turned off, the internet services the App lists (SMTP and HTTPS by
// default; IMAP, POP and LDAP when the App opens them) — never
// other tenants, even in the same namespace. One policy per Tenant, named
// after it.
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { KubeObject } from '../shared/composition.js';
import { LABEL, MANAGED_BY } from '../shared/labels.js';
import { ROUTE_PORTS } from './routes.js';
import { MAILPIT_HTTP_PORT } from '../shared/tenant-names.js';
import { INTERNET_SERVICES, type App } from '../app/schema.js';
import { kubeName } from '../shared/names.js';
import type { Tenant } from './schema.js';

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'];

/** The TCP ports of the internet services the App opens, in a stable order. */
function internetPorts(app: App): { protocol: 'TCP'; port: number }[] {
  const ports = app.spec.network.internetServices.flatMap((service) => INTERNET_SERVICES[service]);
  return [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP' as const, port }));
}

export function networkPolicyName(tenant: Tenant): string {
  return kubeName(['odoo-tenant', tenant.metadata.name]);
}

export function tenantNetworkPolicy(tenant: Tenant, gatewayNamespace: string | undefined, app: App): KubeObject {
  const tenantPods = { matchLabels: { [LABEL.tenant]: tenant.metadata.name } };
  const sameTenant = [{ podSelector: tenantPods }];
  const { postgres, dns } = app.spec.network;
  const databasePort = app.spec.database.port;
  const postgresPeers = [
    ...(postgres.cidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
    ...(postgres.namespace !== undefined
      ? [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': postgres.namespace } }, podSelector: { matchLabels: postgres.podLabels ?? {} } }]
      : []),
  ];
  const policy: INetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: networkPolicyName(tenant),
      namespace: tenant.metadata.namespace ?? 'default',
      labels: { [LABEL.name]: 'odoo', [LABEL.component]: 'network-policy', [LABEL.managedBy]: MANAGED_BY, [LABEL.tenant]: tenant.metadata.name },
    },
    spec: {
      podSelector: tenantPods,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: sameTenant },
        ...(gatewayNamespace
          ? [
              {
                from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': gatewayNamespace } } }],
                ports: [
                  { protocol: 'TCP' as const, port: ROUTE_PORTS.http },
                  { protocol: 'TCP' as const, port: ROUTE_PORTS.websocket },
                  // The mail catcher's UI, when the App routes it.
                  ...(app.spec.mail.catcher.enabled && app.spec.mail.catcher.uiAuthSecretName !== undefined ? [{ protocol: 'TCP' as const, port: MAILPIT_HTTP_PORT }] : []),
                ],
              },
            ]
          : []),
      ],
      egress: [
        { to: sameTenant },
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': dns.namespace } }, podSelector: { matchLabels: dns.podLabels } }],
          ports: [
            { protocol: 'UDP' as const, port: 53 },
            { protocol: 'TCP' as const, port: 53 },
          ],
        },
        { to: postgresPeers, ports: [{ protocol: 'TCP' as const, port: databasePort }] },
        ...(tenant.spec.networkPolicy.internetEgress && app.spec.network.internetServices.length > 0
          ? [
              {
                to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_RANGES } }],
                ports: internetPorts(app),
              },
            ]
          : []),
      ],
    },
  };
  return policy as KubeObject;
}
