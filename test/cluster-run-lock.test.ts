import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// `npm run test:cluster` (test/cluster/run.cjs) and `npm run cluster:build` (test/cluster/build.cjs): one run per
// checkout, settings checked once before anything starts, and nothing of a run left after it is stopped. The
// scripts run from a copy laid out like the project whose "jest" is a stand-in that records its pid and waits, so
// these tests never touch this checkout's own lock, and need no cluster.

const SCRIPTS = ['run.cjs', 'build.cjs', 'preflight.cjs'];
// its pid as the test sees it: the first NSpid of /proc/self/status (process.pid is its pid inside the run's PID
// namespace)
const STAND_IN_JEST = `const fs = require('node:fs');
const nspid = fs.readFileSync('/proc/self/status', 'utf8').match(/^NSpid:\\s+(\\d+)/m)[1];
fs.writeFileSync(process.env.JEST_PID_FILE, nspid);
setInterval(() => {}, 1000);
`;

interface Checkout {
  readonly root: string;
  /** TMPDIR of the scripts: inside the copy, so nothing a killed run leaves outlives the test. */
  readonly tmp: string;
  readonly run: string;
  readonly build: string;
  readonly lock: string;
  readonly jestPid: string;
}

function checkout(made: string[]): Checkout {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-run-lock-'));
  made.push(root);
  const dir = path.join(root, 'test', 'cluster');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of SCRIPTS) fs.copyFileSync(path.join(__dirname, 'cluster', f), path.join(dir, f));
  const jest = path.join(root, 'node_modules', 'jest', 'bin');
  fs.mkdirSync(jest, { recursive: true });
  fs.writeFileSync(path.join(jest, 'jest.js'), STAND_IN_JEST);
  fs.mkdirSync(path.join(root, 'tmp'));
  return {
    root,
    tmp: path.join(root, 'tmp'),
    run: path.join(dir, 'run.cjs'),
    build: path.join(dir, 'build.cjs'),
    lock: path.join(root, '.cache', 'cluster', 'run.lock'),
    jestPid: path.join(root, 'jest.pid'),
  };
}

const env = (c: Checkout, extra: Record<string, string> = {}) => ({
  ...process.env,
  CLUSTER_NETNS: '',
  CLUSTER_DIST: '',
  KUBEBUILDER_ASSETS: '',
  JEST_PID_FILE: c.jestPid,
  TMPDIR: c.tmp,
  ...extra,
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, seconds = 60): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not within ${seconds} s: ${what}`);
}

interface Run {
  readonly run: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Host pid of the stand-in jest. */
  readonly jest: number;
  readonly stderr: () => string;
}

/**
 * A run of the copy's run.cjs (or of `command`, which starts it), waited for until its stand-in jest runs inside
 * the namespace.
 */
async function startRun(c: Checkout, command: readonly string[] = [process.execPath, c.run]): Promise<Run> {
  const run = spawn(command[0], command.slice(1), { cwd: c.root, env: env(c), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  run.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => run.on('exit', (code) => resolve(code)));
  await until('the stand-in jest started', () => fs.existsSync(c.jestPid) && fs.readFileSync(c.jestPid, 'utf8') !== '');
  const jest = Number(fs.readFileSync(c.jestPid, 'utf8'));
  // the pid is the stand-in's: its command line is the copy's jest
  expect(fs.readFileSync(`/proc/${jest}/cmdline`, 'utf8')).toContain(path.join(c.root, 'node_modules', 'jest'));
  return { run, exited, jest, stderr: () => stderr };
}

/** The parent's pid of `pid` (/proc/<pid>/stat field 4). */
function parentOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Kills every process whose command line names a file of `root` (what a failed test may leave). */
function killAllOf(root: string): void {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(root)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

describe('test:cluster run lock', () => {
  const made: string[] = [];
  const started: ChildProcess[] = [];
  afterEach(() => {
    for (const p of started.splice(0)) p.kill('SIGKILL');
    for (const d of made.splice(0)) {
      killAllOf(d);
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  test('GIVEN a run going WHEN a second run or a build starts in the same checkout THEN each is refused, names the owner and leaves its lock alone', async () => {
    const c = checkout(made);
    const first = await startRun(c);
    started.push(first.run);
    const lock = fs.readFileSync(c.lock, 'utf8');
    expect(lock.split('\n')[0]).toBe(String(first.run.pid));

    const second = spawnSync(process.execPath, [c.run], { cwd: c.root, encoding: 'utf8', env: env(c) });
    expect(second.status).toBe(1);
    expect(second.stderr).toBe(
      `test:cluster: another cluster run or build (pid ${first.run.pid}) is using this checkout (.cache/cluster/run.lock); ` +
        `wait for it to end or stop it (kill ${first.run.pid}), then run again ` +
        "(two runs would overwrite each other's reports and programs)\n",
    );
    const build = spawnSync(process.execPath, [c.build], { cwd: c.root, encoding: 'utf8', env: env(c) });
    expect(build.status).toBe(1);
    expect(build.stderr).toContain(`cluster:build: another cluster run or build (pid ${first.run.pid})`);
    expect(fs.readFileSync(c.lock, 'utf8')).toBe(lock);
  });

  test('GIVEN a run going WHEN its script is stopped with kill <pid> THEN the run ends at once and its lock and folder go', async () => {
    const c = checkout(made);
    const { run, exited, jest } = await startRun(c);
    started.push(run);
    const tmp = fs.readFileSync(c.lock, 'utf8').split('\n')[1];
    expect(fs.existsSync(tmp)).toBe(true);
    run.kill('SIGTERM');
    expect(await exited).toBe(143);
    await until('the stand-in jest is gone', () => !alive(jest));
    expect(fs.existsSync(c.lock)).toBe(false);
    expect(fs.existsSync(tmp)).toBe(false);
  });

  test('GIVEN a run going WHEN its script is killed with SIGKILL THEN every program of the run dies, and the next run takes the lock and removes the dead run’s folder', async () => {
    const c = checkout(made);
    const { run, exited, jest } = await startRun(c);
    started.push(run);
    const tmp = fs.readFileSync(c.lock, 'utf8').split('\n')[1];
    run.kill('SIGKILL');
    await exited;
    await until('the stand-in jest is gone', () => !alive(jest));
    // the killed script could not clean up: its lock and folder are still there
    expect(fs.existsSync(tmp)).toBe(true);
    fs.rmSync(c.jestPid);
    const next = await startRun(c);
    started.push(next.run);
    expect(fs.readFileSync(c.lock, 'utf8').split('\n')[0]).toBe(String(next.run.pid));
    expect(fs.existsSync(tmp)).toBe(false);
    next.run.kill('SIGTERM');
    await next.exited;
  });

  test('GIVEN a lock whose pid now belongs to another program, even one naming run.cjs, WHEN a run starts THEN it takes the lock over and says so', async () => {
    const c = checkout(made);
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', c.run], { stdio: 'ignore' });
    started.push(other);
    fs.mkdirSync(path.dirname(c.lock), { recursive: true });
    fs.writeFileSync(c.lock, `${other.pid}\n\n`);
    const next = await startRun(c);
    started.push(next.run);
    expect(fs.readFileSync(c.lock, 'utf8').split('\n')[0]).toBe(String(next.run.pid));
    expect(next.stderr()).toContain(`test:cluster: took over a stale lock (pid ${other.pid}, no longer running)`);
    expect(alive(other.pid!)).toBe(true);
    next.run.kill('SIGTERM');
    await next.exited;
  });

  test('GIVEN a stale lock naming a folder outside the temporary directory WHEN a run takes it over THEN that folder is kept', async () => {
    const c = checkout(made);
    const decoy = path.join(c.root, 'catalog-cluster-run-decoy');
    fs.mkdirSync(decoy);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.mkdirSync(path.dirname(c.lock), { recursive: true });
    fs.writeFileSync(c.lock, `${dead.stdout}\n${decoy}\n1\n`);
    const next = await startRun(c);
    started.push(next.run);
    expect(fs.existsSync(decoy)).toBe(true);
    expect(next.stderr()).toContain(`took over a stale lock (pid ${dead.stdout}, no longer running)\n`);
    next.run.kill('SIGTERM');
    await next.exited;
  });

  test('GIVEN a run started by a parent process WHEN the parent is killed with -9 THEN the run stops within seconds and cleans up', async () => {
    const c = checkout(made);
    // like npm: a shell that does not exec the script
    const r = await startRun(c, ['sh', '-c', `"${process.execPath}" "${c.run}"; echo ended`]);
    started.push(r.run);
    // jest, the inner run.cjs (the namespace's first process), unshare, then the script
    const script = parentOf(parentOf(parentOf(r.jest)));
    const tmp = fs.readFileSync(c.lock, 'utf8').split('\n')[1];
    expect(fs.readFileSync(c.lock, 'utf8').split('\n')[0]).toBe(String(script));
    r.run.kill('SIGKILL');
    await until('the stand-in jest is gone', () => !alive(r.jest), 30);
    await until('the run script is gone', () => !alive(script), 30);
    expect(fs.existsSync(c.lock)).toBe(false);
    expect(fs.existsSync(tmp)).toBe(false);
  });

  test('GIVEN a run started as npm starts it (npm, then sh -c) WHEN npm is killed with -9 and sh lives on THEN the run stops and says why', async () => {
    const c = checkout(made);
    // a stand-in npm: a node process named npm whose child shell starts the script and outlives it
    const npm = `process.title = 'npm'; require('node:child_process').spawn('sh', ['-c', '"${process.execPath}" "${c.run}"; sleep 30'], { stdio: 'inherit' }); setInterval(() => {}, 1000);`;
    const r = await startRun(c, [process.execPath, '-e', npm]);
    started.push(r.run);
    const script = parentOf(parentOf(parentOf(r.jest)));
    const shell = parentOf(script);
    r.run.kill('SIGKILL');
    await until('the stand-in jest is gone', () => !alive(r.jest), 30);
    await until('the run script is gone', () => !alive(script), 30);
    expect(alive(shell)).toBe(true);
    expect(fs.existsSync(c.lock)).toBe(false);
    await until('the run said why it stopped', () =>
      r.stderr().includes('test:cluster: stopped: the process that started it (pid'),
    );
    process.kill(shell, 'SIGKILL');
  });

  test('GIVEN a run WHEN the namespace’s first process (the inner run.cjs) is sent SIGTERM THEN the run ends with 143 and says so', async () => {
    const c = checkout(made);
    const r = await startRun(c);
    started.push(r.run);
    const inner = parentOf(r.jest);
    expect(fs.readFileSync(`/proc/${inner}/status`, 'utf8')).toMatch(/^NSpid:\s+\d+\s+1$/m);
    process.kill(inner, 'SIGTERM');
    expect(await r.exited).toBe(143);
    expect(r.stderr()).toContain('test:cluster: stopped by SIGTERM');
    expect(alive(r.jest)).toBe(false);
    expect(fs.existsSync(c.lock)).toBe(false);
  });

  test('GIVEN a run WHEN its jest is killed THEN the run ends non-zero and names the signal', async () => {
    const c = checkout(made);
    const r = await startRun(c);
    started.push(r.run);
    process.kill(r.jest, 'SIGKILL');
    expect(await r.exited).toBe(137);
    expect(r.stderr()).toContain('test:cluster: jest ended by SIGKILL');
    expect(fs.existsSync(c.lock)).toBe(false);
  });

  test('GIVEN a build going WHEN a second build starts in the same checkout THEN the second is refused', async () => {
    const c = checkout(made);
    // a `go` that takes its time answering `go version`, so the first build holds the lock
    const bin = path.join(c.root, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'go'), '#!/bin/sh\nsleep 30\necho go version go1.26.0 linux/amd64\n', {
      mode: 0o755,
    });
    const buildEnv = env(c, { PATH: `${bin}:${process.env.PATH}` });
    const first = spawn(process.execPath, [c.build], { cwd: c.root, env: buildEnv, stdio: 'ignore' });
    started.push(first);
    await until('the first build holds the lock', () => fs.existsSync(c.lock));
    const second = spawnSync(process.execPath, [c.build], { cwd: c.root, encoding: 'utf8', env: buildEnv });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`cluster:build: another cluster run or build (pid ${first.pid})`);
  });
});

describe('test:cluster settings', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  test.each([
    ['CLUSTER_DIST', 'run.cjs', 'test:cluster'],
    ['CLUSTER_DIST', 'build.cjs', 'cluster:build'],
    ['KUBEBUILDER_ASSETS', 'run.cjs', 'test:cluster'],
    ['KUBEBUILDER_ASSETS', 'build.cjs', 'cluster:build'],
  ])(
    'GIVEN %s pointing nowhere WHEN %s starts THEN it stops once, naming the setting, the value and the fix',
    (setting, script, prefix) => {
      const c = checkout(made);
      const missing = path.join(c.root, 'nowhere');
      const r = spawnSync(process.execPath, [path.join(c.root, 'test', 'cluster', script)], {
        cwd: c.root,
        encoding: 'utf8',
        env: env(c, { [setting]: missing }),
      });
      expect(r.status).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines.every((l) => l.startsWith(`${prefix}: ${setting}=${missing}: `))).toBe(true);
      expect(r.stderr).toMatch(
        setting === 'CLUSTER_DIST' ? /laid out like dist\/.* or unset it/ : /envtest assets folder .* or unset it/,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(c.lock)).toBe(false);
      expect(fs.existsSync(c.jestPid)).toBe(false);
    },
  );
});
