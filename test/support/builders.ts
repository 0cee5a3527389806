// Typed fixtures: an App (and later Tenants and Instances) as an author would
// write it, with overrides. The XR goes through the real schema, so a fixture
// can never be a shape the function would refuse.
import { appResource, type App } from '../../functions/app/schema.js';

type DeepPartial<T> = T extends readonly (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** The App as a user writes it (before defaults). */
export function appManifest(spec: Record<string, unknown> = {}, name = 'acme'): Record<string, unknown> {
  return {
    apiVersion: 'app.odoo.io/v1alpha1',
    kind: 'App',
    metadata: { name, uid: '6a1f5c0e-0000-4000-8000-000000000001' },
    spec: {
      database: {
        host: 'postgres.databases.svc.cluster.local',
        adminSecretRef: { name: 'postgres-admin', namespace: 'crossplane-system' },
      },
      code: { imageRepository: 'registry.acme.example/odoo/acme' },
      releases: [
        { version: '1.4.0', series: '17.0' },
        { version: '2.0.0', series: '18.0' },
      ],
      network: { postgres: { cidrs: ['10.20.0.5/32'] } },
      ...spec,
    },
  };
}

/** A parsed App with defaults applied, as composers receive it. */
export function app(spec: DeepPartial<App['spec']> | Record<string, unknown> = {}, name = 'acme'): App {
  return appResource.parse(appManifest(spec as Record<string, unknown>, name));
}
