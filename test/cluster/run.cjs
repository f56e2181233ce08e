#!/usr/bin/env node
// Runs the cluster suites (jest.cluster.config.js) inside a private network namespace with only a
// loopback interface: every program the harness starts listens on 127.0.0.1 of that namespace, so
// nothing is reachable from outside and fixed ports (provider-kubernetes binds :8080 and :9443)
// never collide with another run on the same machine. Arguments are passed on to jest
// (e.g. `npm run test:cluster -- -t 'first sync'`).
//
// The namespace is also a PID namespace whose first process is killed when `unshare` dies (`--kill-child`), and
// the kernel then kills every process in it: after Ctrl-C, `kill <pid>` of this script (even with SIGKILL), its npm
// ending or a killed jest, no etcd, kube-apiserver or controller is left running. The harness's own signal handlers
// cannot promise that: jest gives each test file a copy of `process` (jest-util createProcessObject), so handlers
// registered there never see the real signal. Every
// temporary folder of the run is made under one folder (TMPDIR) that this script removes when the run ends, or the
// next run removes when this script was killed. One run per checkout (preflight.cjs).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const { parentOf, releaseLock, settingProblems, takeLock } = require('./preflight.cjs');
const jestArgs = [jest, '-c', path.join(root, 'jest.cluster.config.js'), '--runInBand', ...process.argv.slice(2)];

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const signalCode = (signal) => 128 + os.constants.signals[signal];

if (process.env.CLUSTER_NETNS === '1') {
  // already inside the namespace (re-executed below), as its PID 1: the kernel drops a signal PID 1 has no handler
  // for, so without these `kill` of this process would do nothing. When it exits, the kernel kills the namespace.
  const child = spawn(process.execPath, jestArgs, { stdio: 'inherit', cwd: root });
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      process.stderr.write(`test:cluster: stopped by ${signal}\n`);
      process.exit(signalCode(signal));
    });
  }
  child.on('exit', (code, signal) => {
    if (signal) process.stderr.write(`test:cluster: jest ended by ${signal}\n`);
    process.exit(signal ? signalCode(signal) : (code ?? 1));
  });
  return;
}

const problems = settingProblems();
if (problems.length > 0) {
  for (const p of problems) process.stderr.write(`test:cluster: ${p}\n`);
  process.exit(1);
}

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
const lock = takeLock(tmp);
if (lock.busy) {
  fs.rmSync(tmp, { recursive: true, force: true });
  process.stderr.write(`test:cluster: ${lock.busy}\n`);
  process.exit(1);
}
if (lock.notice) process.stderr.write(`test:cluster: ${lock.notice}\n`);
// `setpriv --pdeathsig KILL` makes unshare die with this script, even when this script is killed with SIGKILL;
// unshare's --kill-child then takes the PID namespace, and so every program of the run, with it.
const child = spawn(
  'setpriv',
  [
    '--pdeathsig',
    'KILL',
    'unshare',
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
// Ctrl-C, `kill <pid>` of this script, or its parent (npm) ending: the run ends at once (unshare killed, the
// namespace with it), and the exit below still removes the run's folder and lock. npm does not pass every signal
// on, and a parent killed with -9 passes none: this script then finds itself re-parented.
let stoppedBy;
function stop(reason, code) {
  if (stoppedBy) return;
  stoppedBy = { reason, code };
  child.kill('SIGKILL');
}
for (const signal of SIGNALS) process.on(signal, () => stop(` by ${signal}`, signalCode(signal)));
// the processes that started this one, up to npm (`npm run` starts scripts through `sh -c`, which outlives npm
// killed with -9): when one is gone or re-parented, the run was abandoned
const starters = [];
for (let pid = process.ppid, depth = 0; pid > 1 && depth < 4; depth++) {
  const up = parentOf(pid);
  if (up === undefined) break;
  starters.push({ pid, parent: up });
  let cmdline = '';
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // gone already: caught below
  }
  if (/(^|\/)npm(-cli\.js)?(\0| |$)/.test(cmdline)) break;
  pid = up;
}
setInterval(() => {
  const gone = starters.find((a) => parentOf(a.pid) !== a.parent);
  if (gone) stop(`: the process that started it (pid ${gone.pid}) ended`, 1);
}, 500).unref();
function finish(code) {
  fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5 });
  releaseLock();
  process.exit(code);
}
child.on('error', (e) => {
  process.stderr.write(`test:cluster: cannot start setpriv (util-linux): ${e.message}\n`);
  finish(1);
});
child.on('exit', (code) => {
  if (stoppedBy) process.stderr.write(`test:cluster: stopped${stoppedBy.reason}\n`);
  finish(stoppedBy ? stoppedBy.code : (code ?? 1));
});
