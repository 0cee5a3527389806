// How much memory a container of the kubelet stand-in used at its peak, for
// the e2e's table of each Job's time and memory (docs/development.md, Real Odoo). The
// stand-in has no memory cgroup per container (a real kubelet's cgroup
// would also charge the page cache a dump or a copy fills, which a limit
// reclaims), so it samples the resident memory of the processes in the
// container's pids cgroup every two seconds: the sum of their RSS (what a
// memory limit on the container has to hold at once) and the largest
// VmHWM, the kernel's own high-water mark of one process (Odoo's, in a
// one-shot Job). Growth in a process's last two seconds can be missed by
// the sum; VmHWM keeps it as long as the process is alive at one sample.
import { readFileSync, writeFileSync } from 'node:fs';

export interface PeakMemory {
  /** Largest sum of the container's processes' resident memory seen at one sample, in MiB. */
  peakSumRssMiB: number;
  /** Largest high-water mark (VmHWM) of one of its processes, in MiB. */
  largestProcessPeakMiB: number;
  samples: number;
}

const SAMPLE_MS = 2000;

/** kB of a /proc/<pid>/status line such as `VmHWM:   123456 kB`, or 0. */
export function statusKiB(status: string, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

interface Watched {
  processes: () => number[];
  sumKiB: number;
  hwmKiB: number;
  samples: number;
}

const watched = new Set<Watched>();
let timer: NodeJS.Timeout | undefined;

function sampleAll(): void {
  for (const w of watched) {
    let sum = 0;
    for (const pid of w.processes()) {
      let status: string;
      try {
        status = readFileSync(`/proc/${pid}/status`, 'utf8');
      } catch {
        continue; // exited between the listing and the read
      }
      sum += statusKiB(status, 'VmRSS');
      w.hwmKiB = Math.max(w.hwmKiB, statusKiB(status, 'VmHWM'));
    }
    w.sumKiB = Math.max(w.sumKiB, sum);
    w.samples++;
  }
}

/**
 * Samples the processes `processes()` lists until the returned function is
 * called; that writes the peak to `file` (JSON) and returns it. One timer
 * serves every container.
 */
export function watchPeakMemory(processes: () => number[]): (file: string) => PeakMemory {
  const w: Watched = { processes, sumKiB: 0, hwmKiB: 0, samples: 0 };
  watched.add(w);
  timer ??= setInterval(sampleAll, SAMPLE_MS).unref();
  return (file) => {
    watched.delete(w);
    if (watched.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
    const peak = { peakSumRssMiB: Math.round(w.sumKiB / 1024), largestProcessPeakMiB: Math.round(w.hwmKiB / 1024), samples: w.samples };
    writeFileSync(file, `${JSON.stringify(peak)}\n`);
    return peak;
  };
}
