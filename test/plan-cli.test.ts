import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { PROJECT_DIR, tempDir } from './helpers';
import { RunResult } from './process';

/** A clone of this repository at its HEAD commit with the seed fixture as its configuration, sharing node_modules. */
function cloneAtHead(): string {
  const dir = path.join(tempDir('catalog-plan-cli-'), 'repo');
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_DIR, encoding: 'utf8' }).stdout.trim();
  for (const args of [
    ['clone', '--quiet', '--no-checkout', PROJECT_DIR, dir],
    ['-C', dir, 'checkout', '--quiet', '--detach', head],
  ]) {
    const r = spawnSync('git', args, { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    }
  }
  // the plan reads config/environments.yaml of each revision: commit the fixed seed configuration (a production
  // and a preview environment) so that the cases below do not depend on the live file
  fs.copyFileSync(
    path.join(PROJECT_DIR, 'test', 'fixtures', 'seed.yaml'),
    path.join(dir, 'config', 'environments.yaml'),
  );
  const commit = spawnSync(
    'git',
    [
      '-C',
      dir,
      '-c',
      'user.name=test',
      '-c',
      'user.email=test@example.com',
      'commit',
      '--quiet',
      '-am',
      'seed configuration',
    ],
    { encoding: 'utf8' },
  );
  if (commit.status !== 0 && !/nothing to commit/.test(commit.stdout)) {
    throw new Error(`git commit: ${commit.stderr}${commit.stdout}`);
  }
  fs.symlinkSync(fs.realpathSync(path.join(PROJECT_DIR, 'node_modules')), path.join(dir, 'node_modules'), 'dir');
  // .gitignore's `node_modules/` matches a folder, not this symlink
  fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), 'node_modules\n');
  return dir;
}

function plan(cwd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/plan.ts', ...args], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        CRDS_SOURCE_DIR: path.resolve(PROJECT_DIR, process.env.CRDS_SOURCE_DIR ?? '../shared/crds'),
        ...(process.env.CRDS_FETCH && { CRDS_FETCH: process.env.CRDS_FETCH }),
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('npm run plan', () => {
  let repo: string;
  beforeAll(() => {
    repo = cloneAtHead();
  });
  afterAll(() => {
    fs.rmSync(path.dirname(repo), { recursive: true, force: true });
  });

  test('GIVEN an unchanged clone WHEN planned against HEAD THEN the plan is empty and the exit code 0', async () => {
    const r = await plan(repo, ['--base', 'HEAD', '--json']);
    expect(r.stderr).toMatch(/^plan: 0 scopes changed, no red changes, [\d.]+ s\n$/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.scopes).toEqual([]);
    expect(out.counts).toEqual({ destroy: 0, stuck: 0, rollout: 0, 'in-place': 0 });
    expect(out.unchanged).toBeGreaterThan(100);
    expect(fs.existsSync(path.join(repo, 'dist.staging'))).toBe(false);
    expect(spawnSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' }).stdout).toBe('');
  });

  test('GIVEN the preview environment replaced by another WHEN planned THEN its removal is red and exits 1', async () => {
    const file = path.join(repo, 'config', 'environments.yaml');
    const cfg = parse(fs.readFileSync(file, 'utf8'));
    cfg.environments = cfg.environments.map((e: { suffix: string }) =>
      e.suffix === 'pr5706' ? { ...e, suffix: 'pr5707' } : e,
    );
    fs.writeFileSync(file, stringify(cfg));
    const r = await plan(repo, ['--base', 'HEAD', '--markdown']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^## Plan against `HEAD`/);
    expect(r.stdout).toContain('### environment pr5706');
    expect(r.stdout).toContain(
      '| 🔴 destroy | delete | rds.aws.m.upbound.io/Cluster | catalog-api-pr5706/rds-cluster-pr5706 |',
    );
    expect(r.stdout).toContain('### environment pr5707');
    expect(r.stdout).toContain('Estimated monthly cost (estimate)');
    // dist/ stays the committed one: the plan synthesizes into temporary folders only
    expect(spawnSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' }).stdout.trim()).toBe(
      'M config/environments.yaml',
    );
  });

  test('GIVEN bad arguments WHEN planned THEN one clear line and exit 2, nothing synthesized', async () => {
    const unknown = await plan(repo, ['--base', 'no-such-branch']);
    expect(unknown).toMatchObject({ status: 2, stdout: '' });
    expect(unknown.stderr).toBe(
      "plan failed: --base 'no-such-branch' is not a commit in this repository; give a branch, tag or commit (e.g. origin/main)\n",
    );
    const both = await plan(repo, ['--json', '--markdown']);
    expect(both).toMatchObject({
      status: 2,
      stderr: 'plan failed: --json and --markdown exclude each other; give one\n',
    });
    const help = await plan(repo, ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(
      'usage: npm run plan -- [--base <git-ref>] [--json | --markdown] [--allow-destroy] [--help]',
    );
  });
});
