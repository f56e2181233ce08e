import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The project root (where package.json is). */
export const PROJECT_DIR = path.resolve(__dirname, '..', '..', '..');
/** Where `npm run cluster:build` puts the programs built from test/cluster/go/*. */
export const BIN_DIR = path.join(PROJECT_DIR, '.cache', 'cluster', 'bin');

/** Programs an envtest `KUBEBUILDER_ASSETS` folder holds; only these may come from there. */
const ENVTEST_PROGRAMS = new Set(['etcd', 'kube-apiserver']);

/**
 * Absolute path of a program the harness runs: `KUBEBUILDER_ASSETS/<name>` for etcd and
 * kube-apiserver when that variable is set, otherwise `.cache/cluster/bin/<name>`.
 * Throws naming the path looked at and how to get the program.
 */
export function binary(name: string): string {
  const assets = process.env.KUBEBUILDER_ASSETS;
  const file = assets && ENVTEST_PROGRAMS.has(name) ? path.join(assets, name) : path.join(BIN_DIR, name);
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    const fix =
      assets && ENVTEST_PROGRAMS.has(name)
        ? `KUBEBUILDER_ASSETS=${assets} has no executable ${name}; point it at an envtest assets folder or unset it`
        : 'run `npm run cluster:build` first';
    throw new Error(`cluster harness: ${name} not found at ${file}; ${fix}`);
  }
  return file;
}

/**
 * Runs the Go unit tests of one of our modules under test/cluster/go (`module`, e.g. `simaws`) with the pinned
 * toolchain and go.sum (`GOTOOLCHAIN=local`, `-mod=readonly`).
 * @returns go test's exit status and its output, stdout then stderr, trimmed
 */
export function goUnitTests(module: string): { status: number | null; output: string } {
  const res = spawnSync('go', ['test', '-count=1', './...'], {
    cwd: path.join(PROJECT_DIR, 'test', 'cluster', 'go', module),
    encoding: 'utf8',
    env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: `${process.env.GOFLAGS ?? ''} -mod=readonly`.trim() },
  });
  return { status: res.status, output: `${res.stdout}${res.stderr}`.trim() };
}
