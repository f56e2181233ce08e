import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

/** A program the harness started: its own process group, stdout and stderr in one log file. */
export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Set once the process has exited: its code or signal. */
  readonly exit: () => string | undefined;
}

const running = new Map<number, { child: ChildProcess; name: string }>();

/**
 * Start `command args` in a new process group (so stopping it also stops whatever it forked), with
 * stdout and stderr appended to `logFile`.
 */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = {},
): Started {
  const fd = fs.openSync(logFile, 'a');
  fs.writeSync(fd, `$ ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  fs.closeSync(fd);
  if (child.pid === undefined) throw new Error(`cannot start ${name} (${command})`);
  let exit: string | undefined;
  child.on('exit', (code, signal) => {
    exit = signal ? `signal ${signal}` : `exit code ${code}`;
    running.delete(child.pid!);
  });
  child.on('error', (e) => {
    exit = `error ${e.message}`;
  });
  running.set(child.pid, { child, name });
  return { name, pid: child.pid, logFile, exit: () => exit };
}

function alive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stop a process group: SIGTERM, then SIGKILL after `graceMs`. Resolves when the group is gone. */
export async function stopProcess(p: Started, graceMs = 5000): Promise<void> {
  if (!alive(p.pid)) return;
  try {
    process.kill(-p.pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = performance.now() + graceMs;
  while (alive(p.pid) && performance.now() < deadline) await sleep(100);
  if (alive(p.pid)) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    while (alive(p.pid)) await sleep(50);
  }
}

/** Last `lines` lines of a log file, for failure messages. */
export function tail(file: string, lines = 40): string {
  try {
    const text = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for the program to bind). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Poll `check` until it returns a value, the process died or `timeoutMs` passed; the error names
 * what was awaited and shows the end of the process log.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  proc?: Started,
  intervalMs = 250,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    if (proc?.exit()) {
      throw new Error(`${proc.name} exited (${proc.exit()}) while waiting for ${what}; log:\n${tail(proc.logFile)}`);
    }
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (performance.now() > deadline) {
      const reason = last instanceof Error ? `; last error: ${last.message}` : '';
      const log = proc ? `; ${proc.name} log:\n${tail(proc.logFile)}` : '';
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${reason}${log}`);
    }
    await sleep(intervalMs);
  }
}

const cleanups = new Set<() => void>();

/** Run `fn` (synchronous) if the test process exits or is interrupted before it is unregistered. */
export function onExit(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Kill every process group this module started and run the registered clean-ups. */
export function killAll(): void {
  for (const [pid] of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // best effort while exiting
    }
  }
  cleanups.clear();
}

process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}
