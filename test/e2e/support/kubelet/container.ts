// One container process of the kubelet stand-in: run-container.sh in the
// Pod's network namespace and namespaces of its own, its output kept in a
// log file, its exit code and termination message read when it ends.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../../../scripts/function-process.js';
import type { Image } from './images.js';
import { watchPeakMemory } from './peak-memory.js';
import type { RunAs } from './pod-spec.js';
import type { ContainerMount } from './volumes.js';

// From the source tree, also when this module runs compiled (npm run sandbox runs dist/).
const RUNTIME = join(ROOT, 'test', 'e2e', 'support', 'kubelet', 'run-container.sh');

/**
 * A pids cgroup per container: every process of the container stays in it,
 * whatever it forks or execs, so stopping the container, or cleaning up
 * after a run that was interrupted, reaches them all.
 */
export const CGROUPS = '/sys/fs/cgroup/pids/e2e-kubelet';

function cgroupProcesses(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter((l) => l !== '').map(Number);
  } catch {
    return [];
  }
}

/** SIGKILLs every process of a container's cgroup and removes it. */
function killCgroup(dir: string): void {
  for (let round = 0; round < 50 && cgroupProcesses(dir).length > 0; round++) {
    for (const pid of cgroupProcesses(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    execFileSync('sleep', ['0.1']);
  }
  try {
    rmdirSync(dir);
  } catch {
    // gone already, or still busy: the next run cleans it
  }
}

/** Kills every container left in a cgroup by a run that was interrupted. */
export function killLeftoverContainers(): void {
  let children: string[] = [];
  try {
    children = readdirSync(CGROUPS).filter((d) => statSync(join(CGROUPS, d)).isDirectory());
  } catch {
    return;
  }
  for (const child of children) killCgroup(join(CGROUPS, child));
}

export interface ContainerSpec {
  /** Directory of this container's files (upper layer, logs). */
  dir: string;
  /** Unique name of this run of the container, for its cgroup. */
  id: string;
  netns: string;
  hostname: string;
  image: Image;
  command: string[];
  env: Record<string, string>;
  mounts: ContainerMount[];
  readOnlyRoot: boolean;
  runAs: RunAs;
  workingDir: string;
  terminationMessagePath: string;
  log: string;
}

export interface Exit {
  code: number;
  /** What the container wrote to its termination message file, at most 4096 bytes as the kubelet keeps. */
  message: string;
}

export class ContainerProcess {
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;
  private readonly terminationFile: string;
  private readonly cgroup: string;

  constructor(spec: ContainerSpec) {
    // A fresh upper layer for every start, as a new container of the same image gets.
    for (const d of ['upper', 'work', 'root']) rmSync(join(spec.dir, d), { recursive: true, force: true });
    for (const d of ['upper', 'work', 'root']) mkdirSync(join(spec.dir, d), { recursive: true });
    this.terminationFile = join(spec.dir, 'termination-log');
    // World-writable, as the kubelet makes it: the container's user writes it.
    writeFileSync(this.terminationFile, '', { mode: 0o666 });
    chmodSync(this.terminationFile, 0o666);
    const mounts = [...spec.mounts, { source: this.terminationFile, target: spec.terminationMessagePath, readOnly: false, file: true }]
      .map((m) => `${m.source}|${m.target}|${m.readOnly ? 'ro' : 'rw'}|${m.file ? 'file' : 'dir'}`)
      .join('\n');
    this.cgroup = join(CGROUPS, spec.id);
    let joinCgroup = true;
    try {
      mkdirSync(this.cgroup, { recursive: true });
    } catch {
      // No pids controller here: the process group still reaches the container.
      joinCgroup = false;
    }
    const args = [
      '/usr/sbin/ip', 'netns', 'exec', spec.netns,
      '/usr/bin/unshare', '--mount', '--pid', '--uts', '--fork', '--kill-child', '--propagation', 'private',
      '/bin/sh', RUNTIME,
      join(spec.dir, 'root'), spec.image.layers.join(':'), join(spec.dir, 'upper'), join(spec.dir, 'work'),
      spec.readOnlyRoot ? '1' : '0', `${spec.runAs.uid}:${spec.runAs.gid}`, spec.runAs.groups.join(','), spec.workingDir, spec.hostname,
      mounts, '--', ...spec.command,
    ];
    const out = createWriteStream(spec.log, { flags: 'a' });
    // Its own process group: stopping the container signals every process in it.
    // The first process joins the container's cgroup, then becomes the runtime: everything it starts is in the cgroup
    // (`ip netns exec` mounts its own /sys, where the cgroup tree is no longer visible).
    const enterCgroup = joinCgroup ? 'echo $$ > "$0/cgroup.procs" && ' : '';
    this.child = spawn('/bin/sh', ['-c', `${enterCgroup}exec "$@"`, this.cgroup, ...args], { env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    // Neither source ends the shared log (see Processes.start); the child's close does, once both are drained.
    this.child.stdout!.pipe(out, { end: false });
    this.child.stderr!.pipe(out, { end: false });
    this.child.once('close', () => out.end());
    // Its peak memory goes beside its log (<container>.memory.json), for the run's table of Jobs.
    const peakMemory = joinCgroup ? watchPeakMemory(() => cgroupProcesses(this.cgroup)) : undefined;
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        peakMemory?.(spec.log.replace(/\.log$/, '') + '.memory.json');
        // The container's first process is gone; so are the others (it was their PID namespace's init).
        killCgroup(this.cgroup);
        const message = existsSync(this.terminationFile) ? readFileSync(this.terminationFile).subarray(0, 4096).toString('utf8') : '';
        resolve({ code: code ?? 128 + signalNumber(signal), message });
      });
    });
  }

  signal(signal: NodeJS.Signals): void {
    for (const pid of [-this.child.pid!, ...cgroupProcesses(this.cgroup)]) {
      try {
        process.kill(pid, signal);
      } catch {
        // already exited
      }
    }
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when it has exited. */
  async stop(graceSeconds: number): Promise<Exit> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), Math.max(graceSeconds, 1) * 1000);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 1;
}
