// The image pre-pull DaemonSet (the seed's "Cache"): one init container per
// release image makes every selected node pull it, then a pause container
// keeps the Pod, and so the images, in place. An upgrade then starts in
// seconds instead of waiting for a multi-gigabyte pull on each node.
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { KubeObject } from '../shared/composition.js';
import { appLabels, LABEL } from '../shared/labels.js';
import { kubeName, shortHash } from '../shared/names.js';
import { activeReleases, releaseImage } from './release-catalogue.js';
import type { App } from './schema.js';

/** Images to pre-pull, once each, in the App's release order. */
export function prePullImages(app: App): { version: string; image: string }[] {
  const seen = new Set<string>();
  const out: { version: string; image: string }[] = [];
  for (const release of activeReleases(app)) {
    const image = releaseImage(app, release);
    if (!seen.has(image)) {
      seen.add(image);
      out.push({ version: release.version, image });
    }
  }
  return out;
}

export function imageCacheName(app: App): string {
  return kubeName(['odoo-image-cache', app.metadata.name]);
}

/** Container names from versions; "1.4.0-rc.1" and "1.4.0-rc-1" would collide, so a hash settles ties. */
function containerNames(versions: string[]): string[] {
  const used = new Set<string>();
  return versions.map((version) => {
    let name = kubeName(['pull', version]);
    if (used.has(name)) name = kubeName(['pull', version, shortHash(version)]);
    used.add(name);
    return name;
  });
}

// Pulling runs no Odoo code: tiny requests keep the DaemonSet off the scheduler's books.
const PULL_RESOURCES = { requests: { cpu: '1m', memory: '8Mi' }, limits: { memory: '32Mi' } };

export function imageCacheDaemonSet(app: App): KubeObject {
  const { cache, code } = app.spec;
  const images = prePullImages(app);
  const names = containerNames(images.map((i) => i.version));
  const labels = appLabels(app.metadata.name, 'image-cache');
  const selector = { [LABEL.app]: app.metadata.name, [LABEL.component]: 'image-cache' };
  const securityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  };
  const daemonSet: IDaemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: imageCacheName(app), namespace: cache.namespace, labels },
    spec: {
      selector: { matchLabels: selector },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%' } },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 1,
          securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
          ...(code.pullSecretName ? { imagePullSecrets: [{ name: code.pullSecretName }] } : {}),
          ...(cache.nodeSelector ? { nodeSelector: { ...cache.nodeSelector } } : {}),
          initContainers: images.map(({ image }, i) => ({
            name: names[i] ?? kubeName(['pull', String(i)]),
            image,
            imagePullPolicy: 'IfNotPresent',
            // Odoo images are Debian based: "true" exits at once, leaving the image on the node.
            command: ['true'],
            resources: PULL_RESOURCES,
            securityContext,
          })),
          containers: [
            {
              name: 'pause',
              image: cache.pauseImage,
              imagePullPolicy: 'IfNotPresent',
              resources: PULL_RESOURCES,
              securityContext,
            },
          ],
        },
      },
    },
  };
  return daemonSet as KubeObject;
}
