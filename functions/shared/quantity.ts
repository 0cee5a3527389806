// Kubernetes quantities (2Gi, 512M) to bytes, for odoo.conf memory limits.
const SUFFIX: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  m: 1e-3,
};

export function quantityToBytes(quantity: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(quantity);
  const factor = match ? SUFFIX[match[2] ?? ''] : undefined;
  if (!match || factor === undefined) throw new Error(`"${quantity}" is not a Kubernetes quantity`);
  return Math.round(Number(match[1]) * factor);
}

/** A quantity's value in its base unit, unrounded: cores for CPU (500m → 0.5), bytes for memory and storage. */
export function quantityValue(quantity: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(quantity);
  const factor = match ? SUFFIX[match[2] ?? ''] : undefined;
  if (!match || factor === undefined) throw new Error(`"${quantity}" is not a Kubernetes quantity`);
  return Number(match[1]) * factor;
}
