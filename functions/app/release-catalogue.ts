// The App's release catalogue: which image each release runs, and the newest
// usable release per Odoo series. Tenants and Instances read it from status.
import semver from 'semver';
import type { App, AppStatus, OdooSeries, Release } from './schema.js';

/** The image a release runs: its own, or the code repository tagged with the version. */
export function releaseImage(app: App, release: Release): string {
  return release.image ?? `${app.spec.code.imageRepository}:${release.version}`;
}

/** Releases that are not retired, in the order the App lists them. */
export function activeReleases(app: App): Release[] {
  return app.spec.releases.filter((r) => !r.retired);
}

/** Newest release that is not retired, per series, with series in ascending order. */
export function latestReleases(app: App): Record<string, string> {
  const latest = new Map<string, string>();
  for (const release of activeReleases(app)) {
    const current = latest.get(release.series);
    if (current === undefined || semver.gt(release.version, current)) latest.set(release.series, release.version);
  }
  return Object.fromEntries([...latest.entries()].sort(([a], [b]) => Number.parseFloat(a) - Number.parseFloat(b)));
}

export function releaseCatalogue(app: App): Required<Pick<AppStatus, 'releases' | 'latestReleases'>> {
  return {
    releases: app.spec.releases.map((r) => ({
      version: r.version,
      series: r.series,
      image: releaseImage(app, r),
      retired: r.retired,
    })),
    latestReleases: latestReleases(app),
  };
}

/**
 * UID of the odoo user in the official image of each series: the image's
 * base distribution decides it (Debian bullseye and Ubuntu jammy give 101,
 * Ubuntu noble 100). A Pod that runs as a UID its image has no passwd entry
 * for fails at start: Odoo calls getpass.getuser().
 */
export const OFFICIAL_IMAGE_UID: Readonly<Record<OdooSeries, number>> = { '16.0': 101, '17.0': 101, '18.0': 100, '19.0': 100 };

/** The UID a release's Pods run Odoo as: the release's, the code's, else the official image's. */
export function releaseUid(app: App, release: Release): number {
  return release.runAsUser ?? app.spec.code.runAsUser ?? OFFICIAL_IMAGE_UID[release.series];
}
