import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// `npm run test:cluster` (test/cluster/run.cjs) allows one run per checkout: runs share .cache/cluster, and a second
// run would overwrite the first one's reports. The script is run from a copy laid out like the project, so these
// tests never touch this checkout's own lock.

const SCRIPT = path.join(__dirname, 'cluster', 'run.cjs');

function checkout(): { root: string; script: string; lock: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-run-lock-'));
  const script = path.join(root, 'test', 'cluster', 'run.cjs');
  fs.mkdirSync(path.dirname(script), { recursive: true });
  fs.copyFileSync(SCRIPT, script);
  return { root, script, lock: path.join(root, '.cache', 'cluster', 'run.lock') };
}

describe('test:cluster run lock', () => {
  const made: string[] = [];
  let owner: ChildProcess | undefined;
  afterEach(() => {
    owner?.kill('SIGKILL');
    owner = undefined;
    for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  test('GIVEN a run holding the lock WHEN a second run starts THEN it is refused, names the owner and leaves the lock alone', () => {
    const c = checkout();
    made.push(c.root);
    // a live process whose command line names run.cjs stands for the first run
    owner = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', c.script], { stdio: 'ignore' });
    fs.mkdirSync(path.dirname(c.lock), { recursive: true });
    fs.writeFileSync(c.lock, `${owner.pid}\n`);
    const r = spawnSync(process.execPath, [c.script], {
      cwd: c.root,
      encoding: 'utf8',
      env: { ...process.env, CLUSTER_NETNS: '' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `another cluster run (pid ${owner.pid}) is using this checkout (.cache/cluster/run.lock)`,
    );
    expect(r.stderr).toContain('wait for it to end or stop it');
    expect(fs.readFileSync(c.lock, 'utf8')).toBe(`${owner.pid}\n`);
  });

  test('GIVEN a lock left by a run that died WHEN a run starts THEN it takes the lock over and releases it when it ends', () => {
    const c = checkout();
    made.push(c.root);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.mkdirSync(path.dirname(c.lock), { recursive: true });
    fs.writeFileSync(c.lock, `${dead.stdout}\n`);
    // the copy has no jest, so the run ends right after the lock; what matters is that it got past it
    const r = spawnSync(process.execPath, [c.script], {
      cwd: c.root,
      encoding: 'utf8',
      env: { ...process.env, CLUSTER_NETNS: '' },
    });
    expect(r.stderr).not.toContain('another cluster run');
    expect(fs.existsSync(c.lock)).toBe(false);
  });

  test('GIVEN a lock whose pid now belongs to another program WHEN a run starts THEN the lock is taken over', () => {
    const c = checkout();
    made.push(c.root);
    owner = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    fs.mkdirSync(path.dirname(c.lock), { recursive: true });
    fs.writeFileSync(c.lock, `${owner.pid}\n`);
    const r = spawnSync(process.execPath, [c.script], {
      cwd: c.root,
      encoding: 'utf8',
      env: { ...process.env, CLUSTER_NETNS: '' },
    });
    expect(r.stderr).not.toContain('another cluster run');
    expect(fs.existsSync(c.lock)).toBe(false);
  });
});
