// Pod networking for the kubelet stand-in, made by the harness itself: one
// Linux bridge on the host (10.244.0.1/16, where PostgreSQL listens for the
// Pods) and, per Pod, a network namespace joined to it by a veth pair. Every
// Pod gets its own address and loopback, so two Odoo Pods both listen on
// 8069 as in a cluster. Nothing is routed off the machine: the bridge has no
// uplink and forwarding is not turned on.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';

const BRIDGE = 'e2e-pods';
const PREFIX = 'e2e-pod-';
export const POD_GATEWAY = '10.244.0.1';
const MASK = 16;

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function quietly(run: () => unknown): void {
  try {
    run();
  } catch {
    // already gone
  }
}

export interface PodNetworkLease {
  /** Network namespace name, for `ip netns exec`. */
  netns: string;
  ip: string;
}

export class PodNetwork {
  private next = 2;
  private readonly free: number[] = [];
  private readonly leases = new Map<string, { lease: PodNetworkLease; host: number }>();

  /** Creates the bridge, after removing what an earlier run may have left. */
  setUp(): void {
    this.tearDown();
    ip('link', 'add', BRIDGE, 'type', 'bridge');
    ip('addr', 'add', `${POD_GATEWAY}/${MASK}`, 'dev', BRIDGE);
    ip('link', 'set', BRIDGE, 'up');
  }

  /** A namespace and address for a Pod, by its uid. */
  attach(podUid: string): PodNetworkLease {
    const known = this.leases.get(podUid);
    if (known) return known.lease;
    const host = this.free.shift() ?? this.next++;
    const address = `10.244.${host >> 8}.${host & 255}`;
    const id = createHash('sha256').update(podUid).digest('hex').slice(0, 8);
    const netns = `${PREFIX}${id}`;
    const veth = `e2ev${id}`;
    quietly(() => ip('netns', 'del', netns));
    ip('netns', 'add', netns);
    ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
    ip('link', 'set', veth, 'master', BRIDGE, 'up');
    ip('-n', netns, 'addr', 'add', `${address}/${MASK}`, 'dev', 'eth0');
    ip('-n', netns, 'link', 'set', 'eth0', 'up');
    ip('-n', netns, 'link', 'set', 'lo', 'up');
    ip('-n', netns, 'route', 'add', 'default', 'via', POD_GATEWAY);
    const lease = { netns, ip: address };
    this.leases.set(podUid, { lease, host });
    return lease;
  }

  /** Removes a Pod's namespace (its veth pair goes with it) and frees its address. */
  detach(podUid: string): void {
    const known = this.leases.get(podUid);
    if (!known) return;
    quietly(() => ip('netns', 'del', known.lease.netns));
    this.leases.delete(podUid);
    this.free.push(known.host);
  }

  tearDown(): void {
    for (const line of outputLines(() => ip('netns', 'list'))) {
      const name = line.split(' ')[0]!;
      if (name.startsWith(PREFIX)) quietly(() => ip('netns', 'del', name));
    }
    quietly(() => ip('link', 'del', BRIDGE));
    this.leases.clear();
  }
}

function outputLines(run: () => string): string[] {
  try {
    return run().split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}
