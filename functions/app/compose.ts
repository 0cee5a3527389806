// The App composer: (App, observed composed resources) → desired state.
import { settledTtl, TTL, type Composed, type DesiredResource, type ObservedObject, type XrCondition } from '../shared/composition.js';
import { messages } from '../shared/messages.js';
import { isReady } from '../shared/readiness.js';
import { channelGuardBinding, channelGuardPolicy } from './channel-guard.js';
import { deletionProtectionBinding, deletionProtectionName, deletionProtectionPolicy } from './deletion-protection.js';
import { imageCacheDaemonSet, prePullImages } from './image-cache.js';
import { clusterProviderConfig, providerConfigName } from './provider-config.js';
import { releaseCatalogue } from './release-catalogue.js';
import type { App } from './schema.js';

/** Keys of the App's composed resources in Crossplane's desired state. */
export const APP_RESOURCE = {
  providerConfig: 'provider-config',
  imageCache: 'image-cache',
  deletionProtection: 'deletion-protection',
  deletionProtectionBinding: 'deletion-protection-binding',
  channelGuard: 'channel-guard',
  channelGuardBinding: 'channel-guard-binding',
} as const;

function imageCacheCondition(app: App, images: number, observed: ObservedObject | undefined): XrCondition {
  const type = 'ImageCacheReady';
  if (!app.spec.cache.prePull) return { type, status: 'False', reason: 'Disabled', message: messages.imageCacheOff };
  if (images === 0) return { type, status: 'False', reason: 'NoActiveReleases', message: messages.imageCacheNoReleases };
  if (isReady(observed)) {
    return { type, status: 'True', reason: 'Available', message: `${images} release image(s) pulled on every selected node` };
  }
  const status = (observed?.status ?? {}) as Record<string, unknown>;
  const available = typeof status.numberAvailable === 'number' ? status.numberAvailable : 0;
  const desired = typeof status.desiredNumberScheduled === 'number' ? status.desiredNumberScheduled : undefined;
  const progress = desired === undefined ? 'the DaemonSet is not scheduled yet' : `${available} of ${desired} node(s) done`;
  return { type, status: 'False', reason: 'Pulling', message: `Pulling ${images} release image(s): ${progress}` };
}

export function composeApp(app: App, observed: Readonly<Record<string, ObservedObject>>): Composed {
  const resources: DesiredResource[] = [
    {
      key: APP_RESOURCE.providerConfig,
      object: clusterProviderConfig(app),
      ready: isReady(observed[APP_RESOURCE.providerConfig]),
    },
  ];
  for (const [key, object] of [
    [APP_RESOURCE.deletionProtection, deletionProtectionPolicy(app)],
    [APP_RESOURCE.deletionProtectionBinding, deletionProtectionBinding(app)],
    [APP_RESOURCE.channelGuard, channelGuardPolicy(app)],
    [APP_RESOURCE.channelGuardBinding, channelGuardBinding(app)],
  ] as const) {
    resources.push({ key, object, ready: isReady(observed[key]) });
  }
  const guarding = observed[APP_RESOURCE.deletionProtection] !== undefined && observed[APP_RESOURCE.deletionProtectionBinding] !== undefined;
  const images = prePullImages(app).length;
  if (app.spec.cache.prePull && images > 0) {
    resources.push({
      key: APP_RESOURCE.imageCache,
      object: imageCacheDaemonSet(app),
      ready: isReady(observed[APP_RESOURCE.imageCache]),
    });
  }
  const cacheCondition = imageCacheCondition(app, images, observed[APP_RESOURCE.imageCache]);
  return {
    resources,
    status: {
      ...releaseCatalogue(app),
      providerConfigName: providerConfigName(app),
      // Instances drop their Usages only once the policy that replaces them is in force.
      ...(guarding ? { deletionProtectionPolicy: deletionProtectionName(app) } : {}),
    },
    conditions: [cacheCondition],
    warnings: [],
    requirements: {},
    ttlSeconds: settledTtl(TTL.steady, resources),
  };
}
