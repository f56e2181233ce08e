import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { baseConfigFile, PROJECT_DIR } from './helpers';

/** The synth entry point as `npm run synth` runs it: the bundle jest's global setup builds from the sources. */
export const MAIN_BUNDLE = path.join(PROJECT_DIR, '.cache', 'build', 'main.js');

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command` with `args` in a child process (nothing inherited but what `env` holds) and collects its output.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  opts: { cwd: string; env: Record<string, string> },
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs the synth entry point (`main.ts`) in a child process. */
export function runMain(opts: { cwd?: string; env: Record<string, string>; args?: string[] }): Promise<RunResult> {
  return runProcess(process.execPath, [MAIN_BUNDLE, ...(opts.args ?? [])], {
    cwd: opts.cwd ?? PROJECT_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
  });
}

/** Runs `jobs` with at most `limit` at a time, keeping their order. */
export async function pool<T>(jobs: Array<() => Promise<T>>, limit = 4): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}

/** Every file under `dir` with its bytes. */
export function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'latin1');
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

export function writeConfig(dir: string, name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : stringify(content));
  return file;
}

/** A configuration with `n` generated preview environments (pr1000, pr1001, ...). */
export function previews(n: number): any {
  return {
    ...baseConfigFile(),
    environments: Array.from({ length: n }, (_, i) => ({ suffix: `pr${1000 + i}`, profile: 'preview' })),
  };
}
