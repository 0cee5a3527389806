// The App's release catalogue: which image each release runs, and the newest
// usable release per Odoo series. Tenants and Instances read it from status.
import semver from 'semver';
import type { App, AppStatus, Release } from './schema.js';

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
