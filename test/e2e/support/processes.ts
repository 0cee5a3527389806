// Child processes of the end-to-end control plane: started with their
// output kept in a log file, stopped (also when a test fails) in reverse
// order of start.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Managed {
  name: string;
  child: ChildProcess;
  log: string;
  stop: () => Promise<void>;
}

export class Processes {
  private readonly started: Managed[] = [];

  constructor(readonly logDir: string) {}

  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Managed {
    const log = join(this.logDir, `${name}.log`);
    const out = createWriteStream(log, { flags: 'a' });
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    const managed: Managed = {
      name,
      child,
      log,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    };
    this.started.push(managed);
    return managed;
  }

  /** The last lines a process logged, for error messages. */
  tail(managed: Managed, lines = 30): string {
    try {
      return readFileSync(managed.log, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  async stopAll(): Promise<void> {
    for (const m of [...this.started].reverse()) await m.stop();
    this.started.length = 0;
  }
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
