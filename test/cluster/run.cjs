#!/usr/bin/env node
// Runs the cluster suites (jest.cluster.config.js) inside a private network namespace with only a
// loopback interface: every program the harness starts listens on 127.0.0.1 of that namespace, so
// nothing is reachable from outside and fixed ports (provider-kubernetes binds :8080 and :9443)
// never collide with another run on the same machine. Arguments are passed on to jest
// (e.g. `npm run test:cluster -- -t 'first sync'`).
//
// The namespace is also a PID namespace whose first process is killed when `unshare` dies (`--kill-child`), and
// the kernel then kills every process in it: after Ctrl-C or a killed jest, no etcd, kube-apiserver or controller
// is left running. The harness's own signal handlers cannot promise that: jest gives each test file a copy of
// `process` (jest-util createProcessObject), so handlers registered there never see the real signal. Every
// temporary folder of the run is made under one folder (TMPDIR) that this script removes when the run ends.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const jestArgs = [jest, '-c', path.join(root, 'jest.cluster.config.js'), '--runInBand', ...process.argv.slice(2)];

if (process.env.CLUSTER_NETNS === '1') {
  // already inside the namespace (re-executed below)
  const r = spawnSync(process.execPath, jestArgs, { stdio: 'inherit', cwd: root });
  process.exit(r.status ?? 1);
}

// One run per checkout: runs share .cache/cluster (reports, built programs), so a second one would overwrite the
// first one's reports. The lock names its owner; a lock whose process is gone is taken over.
const lock = path.join(root, '.cache', 'cluster', 'run.lock');
fs.mkdirSync(path.dirname(lock), { recursive: true });
function takeLock() {
  try {
    fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
  }
  const owner = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10);
  let alive = false;
  try {
    process.kill(owner, 0);
    alive = true;
  } catch (e) {
    alive = e.code === 'EPERM';
  }
  // a pid reused by another program after the owner died is not a run
  try {
    if (alive && !fs.readFileSync(`/proc/${owner}/cmdline`, 'utf8').includes('run.cjs')) alive = false;
  } catch {
    // no /proc: trust kill(0)
  }
  if (Number.isInteger(owner) && owner > 0 && alive) {
    process.stderr.write(
      `test:cluster: another cluster run (pid ${owner}) is using this checkout (${path.relative(root, lock)}); ` +
        "wait for it to end or stop it, then run again (two runs would overwrite each other's reports)\n",
    );
    return false;
  }
  fs.rmSync(lock, { force: true });
  return takeLock();
}
if (!takeLock()) process.exit(1);
const releaseLock = () => {
  if (fs.existsSync(lock) && fs.readFileSync(lock, 'utf8').trim() === String(process.pid)) fs.rmSync(lock);
};
process.on('exit', releaseLock);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const unshare = ['--net', '--pid', '--kill-child', ...(isRoot ? [] : ['--map-root-user'])];
const probe = spawnSync('unshare', [...unshare, '--', 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
if (probe.status !== 0) {
  process.stderr.write(
    `test:cluster: cannot create a private network namespace (unshare ${unshare.join(' ')}): ${(probe.stderr || probe.error?.message || '').trim()}\n` +
      'the cluster tests need util-linux `unshare` and iproute2 `ip`, and user namespaces or root\n',
  );
  process.exit(1);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-cluster-run-'));
// Ctrl-C reaches jest and unshare too; this script waits for them and then removes the run's folder
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
const r = spawnSync(
  'unshare',
  [
    ...unshare,
    '--',
    'sh',
    '-c',
    'ip link set lo up && exec "$@"',
    'sh',
    process.execPath,
    __filename,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', cwd: root, env: { ...process.env, CLUSTER_NETNS: '1', TMPDIR: tmp } },
);
fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5 });
process.exit(r.status ?? 1);
