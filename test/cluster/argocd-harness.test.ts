import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * The Argo CD emulation's own rules (project permission checks, which objects the deletion finalizer deletes and in
 * which wave order, which hooks a sync leaves out, RespectIgnoreDifferences, the repo server's tracking annotation)
 * as Go unit tests of test/cluster/go/argocd, run against Argo CD v3.5.1's own packages.
 */
const MODULE_DIR = path.resolve(__dirname, 'go/argocd');

describe('argocd-harness', () => {
  test('GIVEN the harness module WHEN its Go unit tests run THEN every test passes', () => {
    const res = spawnSync('go', ['test', '-count=1', './...'], {
      cwd: MODULE_DIR,
      encoding: 'utf8',
      env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: `${process.env.GOFLAGS ?? ''} -mod=readonly`.trim() },
    });
    expect({ status: res.status, output: `${res.stdout}${res.stderr}`.trim() }).toEqual({
      status: 0,
      output: expect.stringMatching(/^ok\s/),
    });
  }, 1_800_000);
});
