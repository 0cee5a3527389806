// What generated runs reached, counted so a run that never composed a kind,
// parsed an odoo.conf or checked a host fails instead of passing without
// running its checks. Shared by the fuzz and the property tests.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { goldenComposedKinds, kindOf, type Obj } from './world.js';

/**
 * Kinds the fuzz composes that no golden scenario shows, each reached by a
 * variant of its world: the Usages of an Instance whose App has no
 * deletion-protection policy yet. A kind that a golden gains leaves this
 * list (the fuzz checks it holds none of theirs).
 */
export const KINDS_BEYOND_GOLDENS: Readonly<Record<string, readonly string[]>> = {
  Instance: ['protection.crossplane.io/v1beta1 Usage'],
};

/** Declared extras that a golden scenario already composes: each should leave KINDS_BEYOND_GOLDENS. */
export function extrasInGoldens(): string[] {
  const golden = goldenComposedKinds();
  return Object.entries(KINDS_BEYOND_GOLDENS).flatMap(([xr, kinds]) => kinds.filter((k) => golden[xr]?.includes(k)).map((k) => `${xr} → ${k}`));
}

/** The kinds each XR kind must have composed at least once: the goldens' and the declared extras. */
export function expectedKinds(): Record<string, string[]> {
  const out = goldenComposedKinds();
  for (const [xr, kinds] of Object.entries(KINDS_BEYOND_GOLDENS)) out[xr] = [...new Set([...(out[xr] ?? []), ...kinds])].sort();
  return out;
}

/** The XR kind a composer answers for (the claims edition's XInstance is an Instance). */
export const composerKind = (xrKind: string): string => xrKind.replace(/^X(?=Instance$|Tenant$)/, '');

export class Reach {
  /** `boundaries`: whether the run checks odoo.conf files and hosts (the fuzz does; the properties do not), and so reports them. */
  constructor(private readonly boundaries = true) {}

  cases = 0;
  refused = 0;
  /** Answered without Fatal but composed nothing (waiting, or nothing to compose yet). */
  composedNothing = 0;
  /** Answered with at least one composed object. */
  composedSome = 0;
  crashes = 0;
  unclear = 0;
  /** odoo.conf files checked (each key once, the instance's own database), and the distinct ones Python's strict parser read. */
  confsChecked = 0;
  confsParsed = 0;
  hostsChecked = 0;
  /** Objects checked, by "XR kind → apiVersion kind". */
  readonly objects: Record<string, number> = {};
  /** Lifecycle phases (scenario seeds) whose cases composed at least one object. */
  readonly phases = new Set<string>();

  object(xrKind: string, o: Obj): void {
    const key = `${composerKind(xrKind)} → ${kindOf(o)}`;
    this.objects[key] = (this.objects[key] ?? 0) + 1;
  }

  /** Expected kinds never composed, as "XR kind → apiVersion kind". */
  missing(expected: Record<string, string[]> = expectedKinds()): string[] {
    return Object.entries(expected).flatMap(([xr, kinds]) => kinds.map((k) => `${xr} → ${k}`).filter((k) => this.objects[k] === undefined));
  }

  figures(): Obj {
    const { objects, phases, boundaries, ...counts } = this;
    if (!boundaries) for (const k of ['confsChecked', 'confsParsed', 'hostsChecked'] as const) delete (counts as Partial<typeof counts>)[k];
    return { ...counts, phases: phases.size, objects: Object.fromEntries(Object.entries(objects).sort(([a], [b]) => a.localeCompare(b))) };
  }

  /** A table a person reads at the end of the run. */
  table(title: string, expected: Record<string, string[]> = expectedKinds()): string {
    const rows = Object.entries(this.objects).sort(([a], [b]) => a.localeCompare(b));
    const width = Math.max(...rows.map(([k]) => k.length), 30);
    const line = (k: string, v: number | string) => `  ${k.padEnd(width)} ${String(v).padStart(9)}`;
    return [
      title,
      line('cases', this.cases),
      line('refused (one Fatal result)', this.refused),
      line('composed nothing', this.composedNothing),
      line('composed at least one object', this.composedSome),
      line('phases that composed', this.phases.size),
      line('crashes', this.crashes),
      line('unclear refusals', this.unclear),
      ...(this.boundaries
        ? [line('odoo.conf checked', this.confsChecked), line('odoo.conf parsed (strict, distinct)', this.confsParsed), line('hosts checked', this.hostsChecked)]
        : []),
      '  objects checked, by XR kind → composed kind:',
      ...rows.map(([k, v]) => line(k, v)),
      ...this.missing(expected).map((k) => line(`NEVER REACHED: ${k}`, 0)),
    ].join('\n');
  }
}

/**
 * Odoo reads odoo.conf with Python's configparser: each text must parse
 * strictly (a key twice, or a line injected into another section, stops
 * Odoo) with exactly one [options] section, still so after the init
 * container appends admin_passwd and smtp_password at run time. Returns how
 * many parsed; throws with the first that did not.
 */
export function parseConfs(confs: readonly string[], file: string): number {
  if (confs.length === 0) return 0;
  writeFileSync(file, JSON.stringify(confs));
  const script = [
    'import configparser, json, sys',
    'n = 0',
    'for text in json.load(open(sys.argv[1])):',
    "    for t in (text, text + 'admin_passwd = x\\nsmtp_password = y\\n'):",
    '        p = configparser.ConfigParser(strict=True, interpolation=None)',
    '        p.read_string(t)',
    "        assert p.sections() == ['options'], (p.sections(), text)",
    '    n += 1',
    'print(n)',
  ].join('\n');
  return Number(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }).trim());
}
