// What `npm run test:cluster` and `npm run cluster:build` check before they start, shared by both scripts:
// the settings a user passes (CLUSTER_DIST, KUBEBUILDER_ASSETS), checked once with one clear message instead of
// an error in every suite, and the one-run-per-checkout lock.
//
// Runs share .cache/cluster (reports, program logs, built programs), so a second run in the same checkout would
// overwrite the first one's reports, and a build would replace programs the first run is using (or two builds
// write the same build folder). The lock file holds the owner's pid, its temporary folder and the owner's start
// time (/proc/<pid>/stat field 22), so a pid the kernel gave to another program since is not taken for the owner.
// A lock whose owner is gone is taken over, saying so, and the dead run's temporary folder is removed when it is
// one of ours in the temporary directory.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const lockFile = path.join(root, '.cache', 'cluster', 'run.lock');

/** Problems with CLUSTER_DIST and KUBEBUILDER_ASSETS, one line each (setting, value, fix); none when both are fine. */
function settingProblems(env = process.env) {
  const problems = [];
  if (env.CLUSTER_DIST) {
    const dir = path.resolve(root, env.CLUSTER_DIST);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      problems.push(
        `CLUSTER_DIST=${env.CLUSTER_DIST}: no folder ${dir}; set it to a folder laid out like dist/ ` +
          '(platform/, environments/<name>/, argocd/) or unset it',
      );
    }
  }
  if (env.KUBEBUILDER_ASSETS) {
    for (const name of ['etcd', 'kube-apiserver']) {
      const file = path.join(env.KUBEBUILDER_ASSETS, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
      } catch {
        problems.push(
          `KUBEBUILDER_ASSETS=${env.KUBEBUILDER_ASSETS}: no executable ${name} at ${file}; ` +
            'point it at an envtest assets folder (etcd, kube-apiserver) or unset it',
        );
      }
    }
  }
  return problems;
}

/** Field `n` (1-based, as proc(5) numbers them) of /proc/<pid>/stat; undefined without /proc or the process. */
function statField(pid, n) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (field 2), which is in parentheses and may hold spaces
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[n - 3];
  } catch {
    return undefined;
  }
}

/** A process's start time in clock ticks since boot (field 22). */
const startTime = (pid) => statField(pid, 22);

/** A process's parent pid (field 4); undefined when it is gone. */
function parentOf(pid) {
  const ppid = statField(pid, 4);
  return ppid === undefined ? undefined : Number(ppid);
}

/** The lock as written: its text, the owner's pid, temporary folder and start time; undefined when there is none. */
function readLock(file = lockFile) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const [pidLine, tmp, start] = text.split('\n');
  return { text, pid: Number.parseInt(pidLine, 10), tmp: tmp || undefined, start: start || undefined };
}

/** Whether the lock's owner still runs: its pid alive and, where /proc tells, started when the lock says. */
function isLive(lock) {
  if (!Number.isInteger(lock.pid) || lock.pid <= 0) return false;
  try {
    process.kill(lock.pid, 0);
  } catch (e) {
    if (e.code !== 'EPERM') return false;
  }
  const now = startTime(lock.pid);
  if (now === undefined) return true; // no /proc: trust kill(0)
  return lock.start !== undefined && lock.start === now;
}

/** The run or build holding the lock, when it is alive: `{ pid, tmp }`; otherwise undefined. */
function liveOwner() {
  const lock = readLock();
  return lock && isLive(lock) ? { pid: lock.pid, tmp: lock.tmp } : undefined;
}

/** Why a run or build cannot start while `owner` runs, and what to do (no program prefix). */
function busyMessage(owner) {
  return (
    `another cluster run or build (pid ${owner.pid}) is using this checkout (${path.relative(root, lockFile)}); ` +
    `wait for it to end or stop it (kill ${owner.pid}), then run again ` +
    "(two runs would overwrite each other's reports and programs)"
  );
}

/** Whether `dir` is a run folder this script makes: `catalog-cluster-run-*` directly in the temporary directory. */
function isRunFolder(dir) {
  return (
    path.dirname(path.resolve(dir)) === path.resolve(os.tmpdir()) &&
    path.basename(dir).startsWith('catalog-cluster-run-')
  );
}

/**
 * Takes the lock for this process, recording `tmp` (the run's temporary folder, '' for a build).
 * @returns `{ busy }` with why not when another run or build is alive, else `{ notice }` saying what it took over
 *   from a dead owner (undefined when the lock was free); messages have no program prefix
 */
function takeLock(tmp) {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  let notice;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n${tmp}\n${startTime(process.pid) ?? ''}\n`, { flag: 'wx' });
      return { notice };
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    const lock = readLock();
    if (!lock) continue; // released meanwhile
    if (isLive(lock)) return { busy: busyMessage({ pid: lock.pid }) };
    // stale: move it aside atomically, and only if what was moved is the lock judged stale (another starting run
    // may have replaced it meanwhile) remove the dead run's temporary folder with it
    const aside = `${lockFile}.${process.pid}`;
    try {
      fs.renameSync(lockFile, aside);
    } catch {
      continue; // taken aside by another starting run
    }
    const moved = readLock(aside);
    if (moved && moved.text === lock.text) {
      const owner = Number.isInteger(lock.pid) ? `pid ${lock.pid}, no longer running` : 'unreadable';
      let removed = '';
      if (lock.tmp && isRunFolder(lock.tmp) && fs.existsSync(lock.tmp)) {
        fs.rmSync(lock.tmp, { recursive: true, force: true });
        removed = `, and removed its folder ${lock.tmp}`;
      }
      notice = `took over a stale lock (${owner})${removed}`;
    } else {
      try {
        fs.linkSync(aside, lockFile); // a fresh lock of another run: put it back
      } catch {
        // a third run holds the lock now; its own check decides
      }
    }
    fs.rmSync(aside, { force: true });
  }
}

/** Removes the lock when this process holds it. */
function releaseLock() {
  try {
    if (fs.readFileSync(lockFile, 'utf8').split('\n')[0] === String(process.pid)) fs.rmSync(lockFile);
  } catch {
    // no lock
  }
}

module.exports = { liveOwner, lockFile, parentOf, releaseLock, settingProblems, takeLock };
