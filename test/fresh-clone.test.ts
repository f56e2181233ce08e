/**
 * A fresh clone has no .crds/ (git-ignored), and cdk8s.yaml's imports are files in it: cdk8s-cli 2.207.60 reads a
 * local import spec with `fs.readFile` (lib/util.js `download`), so without them `npx cdk8s import` stops on a raw
 * ENOENT. npm's postinstall (scripts/postinstall.cjs) materializes them on `npm ci`; when it cannot, the install still
 * succeeds and says what to run once the pinned CRDs are available.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_DIR, tempDir } from './helpers';
import { RunResult, runProcess } from './process';

/** What a fresh clone holds that the CRDs and the cdk8s CLI need, sharing the project's node_modules. */
function freshClone(): string {
  const dir = tempDir('catalog-clone-');
  for (const f of ['cdk8s.yaml', 'crds.lock.json', 'package.json', 'tsconfig.json', 'scripts', 'lib']) {
    fs.cpSync(path.join(PROJECT_DIR, f), path.join(dir, f), { recursive: true });
  }
  fs.symlinkSync(path.join(PROJECT_DIR, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string>): Promise<RunResult> {
  return runProcess(cmd, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: tempDir('catalog-home-'), CDK8S_CHECK_UPGRADE: 'false', ...env },
  });
}

/** The pinned CRD files as this project's own `npm run crds` verified them (the suite runs it first). */
const SOURCE = path.join(PROJECT_DIR, '.crds', 'files');

describe('npm postinstall on a fresh clone', () => {
  test('GIVEN the pinned CRDs WHEN npm runs postinstall THEN npx cdk8s import finds every import cdk8s.yaml lists', async () => {
    const dir = freshClone();
    const install = await run('npm', ['run', '-s', 'postinstall'], dir, { CRDS_SOURCE_DIR: SOURCE });
    expect([install.status, install.stderr]).toEqual([0, '']);
    const imports = parse(fs.readFileSync(path.join(dir, 'cdk8s.yaml'), 'utf8')).imports as string[];
    // WHEN the CLI imports what cdk8s.yaml lists
    const r = await run(
      path.join(PROJECT_DIR, 'node_modules', '.bin', 'cdk8s'),
      ['import', '--no-save', '--output', '.cache/imports'],
      dir,
      {},
    );
    // THEN each group becomes one module
    expect([r.status, r.stderr]).toEqual([0, expect.not.stringContaining('ENOENT')]);
    expect(fs.readdirSync(path.join(dir, '.cache', 'imports')).sort()).toEqual(
      imports.map((i) => `${path.basename(i, '.yaml')}.ts`).sort(),
    );
  });

  test('GIVEN no pinned CRDs WHEN npm runs postinstall THEN the install succeeds and says what to run once they are there', async () => {
    const dir = freshClone();
    const r = await run('npm', ['run', '-s', 'postinstall'], dir, { CRDS_SOURCE_DIR: tempDir('catalog-no-crds-') });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('the pinned CRDs were not materialized into .crds/');
    expect(r.stderr).toContain('npx cdk8s import read .crds/: run `npm run crds` (or `npm run import`)');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(fs.existsSync(path.join(dir, '.crds', 'groups'))).toBe(false);
  });
});
