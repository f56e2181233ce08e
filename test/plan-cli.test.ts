import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { PROJECT_DIR, tempDir } from './helpers';
import { RunResult, runProcess } from './process';

/** Top-level entries of the project that a repository of its own does not need (or that are links to share). */
const NOT_COPIED = new Set(['.git', 'node_modules', '.cache', 'coverage']);

function git(dir: string, args: string[]): void {
  const r = spawnSync(
    'git',
    ['-C', dir, '-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) {
    throw new Error(`git ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  }
}

/**
 * A git repository of its own holding this project's working tree (whether or not the project itself is a git
 * checkout: CI also runs the suite in a plain copy) with the seed fixture as its configuration, sharing node_modules.
 */
function repositoryOfThisTree(): string {
  const dir = path.join(tempDir('catalog-plan-cli-'), 'repo');
  fs.cpSync(PROJECT_DIR, dir, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (src) => path.dirname(src) !== PROJECT_DIR || !NOT_COPIED.has(path.basename(src)),
  });
  // the plan reads config/environments.yaml of each revision: commit the fixed seed configuration (a production
  // and a preview environment) so that the cases below do not depend on the live file
  fs.copyFileSync(
    path.join(PROJECT_DIR, 'test', 'fixtures', 'seed.yaml'),
    path.join(dir, 'config', 'environments.yaml'),
  );
  git(dir, ['init', '--quiet']);
  // .gitignore's `node_modules/` matches a folder, not the symlink below
  fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), 'node_modules\n');
  fs.symlinkSync(fs.realpathSync(path.join(PROJECT_DIR, 'node_modules')), path.join(dir, 'node_modules'), 'dir');
  git(dir, ['add', '--all']);
  git(dir, ['commit', '--quiet', '-m', 'this tree with the seed configuration']);
  return dir;
}

function plan(cwd: string, args: string[]): Promise<RunResult> {
  return runProcess(process.execPath, ['--import', 'tsx', 'scripts/plan.ts', ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      CRDS_SOURCE_DIR: path.resolve(PROJECT_DIR, process.env.CRDS_SOURCE_DIR ?? '../shared/crds'),
      ...(process.env.CRDS_FETCH && { CRDS_FETCH: process.env.CRDS_FETCH }),
    },
  });
}

describe('npm run plan', () => {
  let repo: string;
  beforeAll(() => {
    repo = repositoryOfThisTree();
  });
  afterAll(() => {
    fs.rmSync(path.dirname(repo), { recursive: true, force: true });
  });

  test('GIVEN an unchanged repository WHEN planned against HEAD THEN the plan is empty and the exit code 0', async () => {
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
