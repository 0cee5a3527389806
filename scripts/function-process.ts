// Starts the built function-odoo (dist/functions/main.js) as its own process
// on a free loopback port, and stops it. Used by render, tests and benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file with a package.json (works from scripts/ and dist/scripts/). */
function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A free TCP port on 127.0.0.1, found by binding port 0 and releasing it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningFunction {
  address: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Runs the production build, `node dist/function-odoo.cjs <args>
 * --address=127.0.0.1:<port>`, and resolves once it logs that it listens.
 * `args` defaults to --insecure.
 */
export async function startFunction(args: string[] = ['--insecure'], entry = 'dist/function-odoo.cjs'): Promise<RunningFunction> {
  return startProcess(process.execPath, [join(ROOT, entry), ...args]);
}

/** Starts bench/go-function (function-go-templating's stand-in), built by scripts/lib.sh into $GO_FUNCTION. */
export async function startGoFunction(): Promise<RunningFunction> {
  const binary = process.env.GO_FUNCTION;
  if (!binary) throw new Error('GO_FUNCTION is not set: run through npm test or npm run render, which build bench/go-function');
  return startProcess(binary, ['--insecure']);
}

async function startProcess(command: string, args: string[]): Promise<RunningFunction> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const child = spawn(command, [...args, `--address=${address}`], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`function did not start within 15s:\n${output}`)), 15_000);
    const check = () => {
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      } else if (output.includes('bind error')) {
        clearTimeout(timer);
        reject(new Error(`function could not listen on ${address}:\n${output}`));
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`function exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    address,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
