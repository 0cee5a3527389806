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
  /** SIGTERM, then SIGKILL after 10 s. */
  stop: () => Promise<void>;
  /** SIGKILL: the process gets no chance to clean up, as when its node dies. */
  kill: () => Promise<void>;
  /** The process is about to exit on purpose by other means (pg_ctl stop): do not report it. */
  expectExit: () => void;
}

export class Processes {
  private readonly started: Managed[] = [];
  /** Processes that exited without being asked to. */
  readonly died: string[] = [];

  constructor(readonly logDir: string) {
    liveness = () => this.assertAlive();
  }

  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Managed {
    const log = join(this.logDir, `${name}.log`);
    const out = createWriteStream(log, { flags: 'a' });
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    // Two sources share the log: neither may end it (the first to close would,
    // and the other's last lines would then be written after end); the child's
    // close, once both are drained, does.
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    child.once('close', () => out.end());
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let stopping = false;
    // A program that cannot be started at all is reported like one that died.
    child.once('error', (error) => {
      const why = `${name} could not be started (${command}): ${error.message}`;
      this.died.push(why);
      process.stderr.write(`e2e: ${why}\n`);
    });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      const why = `${name} exited unexpectedly (${signal ?? `code ${code}`}); its log: ${log}`;
      this.died.push(why);
      process.stderr.write(`e2e: ${why}\n${this.tail(managed, 15)}\n`);
    });
    const signal = async (first: NodeJS.Signals) => {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill(first);
      await exited;
      clearTimeout(timer);
    };
    const managed: Managed = {
      name,
      child,
      log,
      stop: () => signal('SIGTERM'),
      kill: () => signal('SIGKILL'),
      expectExit: () => {
        stopping = true;
      },
    };
    this.started.push(managed);
    return managed;
  }

  /** Throws when a process of the control plane died on its own: waiting longer would not help. */
  assertAlive(): void {
    if (this.died.length > 0) throw new Error(this.died.join('; '));
  }

  /** The process of that name started last. */
  latest(name: string): Managed {
    const found = [...this.started].reverse().find((m) => m.name === name);
    if (!found) throw new Error(`no process ${name} was started`);
    return found;
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

/** Thrown by a check passed to eventually() when waiting longer cannot help (an instance failed). */
export class GiveUp extends Error {}

// Set by the Processes of the run: eventually() stops waiting as soon as a process died.
let liveness: (() => void) | undefined;

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    liveness?.();
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
