#!/usr/bin/env node
// Builds every Go module under test/cluster/go/*/ into .cache/cluster/bin/.
// Upstream programs are `tool` directives of a module (exact versions in its go.mod/go.sum);
// our own programs are main packages inside the module. A module is rebuilt only when its
// go.mod, go.sum, Go sources or the Go toolchain changed (stamp file per module).
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { releaseLock, settingProblems, takeLock } = require('./preflight.cjs');

const root = path.resolve(__dirname, '..', '..');
const modulesDir = path.join(__dirname, 'go');
const cacheDir = path.join(root, '.cache', 'cluster');
const binDir = path.join(cacheDir, 'bin');
const stampDir = path.join(cacheDir, 'stamps');

// The default binary name of a main package whose path ends in a major-version element is the
// element before it (`server` for etcd), and upstream mains are often called `provider`: name
// them after what they are.
const binaryNames = {
  'go.etcd.io/etcd/server/v3': 'etcd',
  'github.com/crossplane-contrib/provider-kubernetes/cmd/provider': 'provider-kubernetes',
};

// our own mains are named after their module folder; the harness starts them by what they do
const ownMainNames = { simaws: 'simulated-aws' };

function fail(message) {
  process.stderr.write(`cluster:build: ${message}\n`);
  process.exit(1);
}

function goFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'testdata' && !entry.name.startsWith('.')) out.push(...goFiles(full));
    } else if (entry.name.endsWith('.go') || entry.name === 'go.mod' || entry.name === 'go.sum') {
      out.push(full);
    } else if (dir !== modulesDir && /\.(lua|ya?ml|json)$/.test(entry.name)) {
      // embedded files of our own programs
      out.push(full);
    }
  }
  return out;
}

function toolsOf(goMod) {
  const tools = [];
  const lines = fs.readFileSync(goMod, 'utf8').split('\n');
  let inBlock = false;
  for (const raw of lines) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (inBlock) {
      if (line === ')') inBlock = false;
      else if (line) tools.push(line);
    } else if (line === 'tool (') inBlock = true;
    else if (line.startsWith('tool ')) tools.push(line.slice(5).trim());
  }
  return tools;
}

function defaultBinaryName(pkg) {
  const parts = pkg.split('/');
  const last = parts[parts.length - 1];
  return /^v[0-9]+$/.test(last) && parts.length > 1 ? parts[parts.length - 2] : last;
}

function goVersion() {
  try {
    return execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    fail('the go command was not found on PATH; install Go 1.26 or newer (the modules need it)');
  }
}

function buildModule(name, dir, version) {
  const goMod = path.join(dir, 'go.mod');
  const tools = toolsOf(goMod);
  const hash = crypto.createHash('sha256').update(version).update('\0');
  for (const file of goFiles(dir)) {
    hash.update(path.relative(dir, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  const digest = hash.digest('hex');
  const stampFile = path.join(stampDir, `${name}.json`);
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  } catch {
    stamp = undefined;
  }
  if (stamp && stamp.digest === digest && stamp.binaries.every((b) => fs.existsSync(path.join(binDir, b)))) {
    process.stdout.write(`cluster:build: ${name}: up to date (${stamp.binaries.join(', ')})\n`);
    return;
  }

  const outDir = path.join(cacheDir, 'build', name);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const hasOwnMain = fs.readdirSync(dir).some((f) => f.endsWith('.go'));
  const patterns = [...(tools.length ? ['tool'] : []), ...(hasOwnMain ? ['./...'] : [])];
  if (!patterns.length) fail(`${name}: ${path.relative(root, goMod)} has no tool directive and no Go sources`);
  process.stdout.write(`cluster:build: ${name}: building ${patterns.join(' ')} ...\n`);
  const started = performance.now();
  const res = spawnSync('go', ['build', '-o', outDir + path.sep, ...patterns], {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'inherit'],
    // never switch toolchains behind the user's back, and never edit go.mod/go.sum while building
    env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: `${process.env.GOFLAGS ?? ''} -mod=readonly`.trim() },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (res.status !== 0) fail(`${name}: go build failed after ${seconds} s (exit ${res.status ?? res.signal})`);

  const produced = fs.readdirSync(outDir);
  const renames = new Map(tools.map((t) => [defaultBinaryName(t), binaryNames[t] ?? defaultBinaryName(t)]));
  fs.mkdirSync(binDir, { recursive: true });
  const binaries = [];
  for (const file of produced) {
    const target = renames.get(file) ?? ownMainNames[file] ?? file;
    fs.renameSync(path.join(outDir, file), path.join(binDir, target));
    binaries.push(target);
  }
  fs.mkdirSync(stampDir, { recursive: true });
  fs.writeFileSync(stampFile, JSON.stringify({ digest, binaries: binaries.sort(), seconds: Number(seconds) }, null, 2));
  process.stdout.write(`cluster:build: ${name}: built ${binaries.join(', ')} in ${seconds} s\n`);
}

function main() {
  // before a build that can take half an hour: a setting the run would refuse, or a run or build using this
  // checkout (the build holds the lock while it writes .cache/cluster)
  const problems = settingProblems();
  if (problems.length > 0) fail(problems.join('\ncluster:build: '));
  const lock = takeLock('');
  if (lock.busy) fail(lock.busy);
  process.on('exit', releaseLock);
  if (lock.notice) process.stdout.write(`cluster:build: ${lock.notice}\n`);
  const only = process.argv.slice(2);
  const version = goVersion();
  const modules = fs
    .readdirSync(modulesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(modulesDir, e.name, 'go.mod')))
    .map((e) => e.name)
    .sort()
    .filter((m) => only.length === 0 || only.includes(m));
  for (const wanted of only) {
    if (!modules.includes(wanted))
      fail(`unknown module '${wanted}'; modules: ${fs.readdirSync(modulesDir).join(', ')}`);
  }
  if (process.env.KUBEBUILDER_ASSETS) {
    process.stdout.write(
      `cluster:build: KUBEBUILDER_ASSETS=${process.env.KUBEBUILDER_ASSETS}: the harness takes etcd and kube-apiserver from there (the kube module is still built, for kube-controller-manager)\n`,
    );
  }
  const started = performance.now();
  for (const m of modules) buildModule(m, path.join(modulesDir, m), version);
  process.stdout.write(`cluster:build: done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

main();
