// What `npm run test:cluster` and `npm run cluster:build` check before they start, shared by both scripts:
// the settings a user passes (CLUSTER_DIST, KUBEBUILDER_ASSETS), checked once with one clear message instead of
// an error in every suite, and the one-run-per-checkout lock.
//
// Runs share .cache/cluster (reports, program logs, built programs), so a second run in the same checkout would
// overwrite the first one's reports, and a build would replace programs the first run is using. The lock file
// holds the owner's pid and its temporary folder; a lock whose owner is gone (or whose pid now belongs to another
// program) is taken over, and the dead run's temporary folder removed.
'use strict';
const fs = require('node:fs');
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

/** The lock as written: its text, the owner's pid and its temporary folder; undefined when there is none. */
function readLock(file = lockFile) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const [pidLine, tmp] = text.split('\n');
  return { text, pid: Number.parseInt(pidLine, 10), tmp: tmp || undefined };
}

/** Whether `pid` is a live cluster run (a pid reused by another program after the run died is not). */
function isLiveRun(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (e.code !== 'EPERM') return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('run.cjs');
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** The run holding the lock, when its process is alive: `{ pid, tmp }`; otherwise undefined. */
function liveOwner() {
  const lock = readLock();
  return lock && isLiveRun(lock.pid) ? { pid: lock.pid, tmp: lock.tmp } : undefined;
}

/** Why a run or build cannot start while `owner` runs, and what to do (no program prefix). */
function busyMessage(owner) {
  return (
    `another cluster run (pid ${owner.pid}) is using this checkout (${path.relative(root, lockFile)}); ` +
    `wait for it to end or stop it (kill ${owner.pid}), then run again ` +
    "(two runs would overwrite each other's reports and programs)"
  );
}

/**
 * Takes the lock for this process, recording `tmp` as the run's temporary folder.
 * @returns undefined when taken, else why not (another run is alive; no program prefix)
 */
function takeLock(tmp) {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  for (;;) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n${tmp}\n`, { flag: 'wx' });
      return undefined;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    const lock = readLock();
    if (!lock) continue; // released meanwhile
    if (isLiveRun(lock.pid)) return busyMessage({ pid: lock.pid });
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
      if (lock.tmp && path.basename(lock.tmp).startsWith('catalog-cluster-run-')) {
        fs.rmSync(lock.tmp, { recursive: true, force: true });
      }
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

module.exports = { busyMessage, liveOwner, lockFile, releaseLock, settingProblems, takeLock };
