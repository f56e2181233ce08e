import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { PREFIXED_IMPORTS } from '../lib/crds/imports';
import { synthesizeToDist } from '../lib/synth/run';
import { baseConfigFile, PROJECT_DIR, tempDir, withEnvironment } from './helpers';
import { RunResult, snapshotDir, writeConfig, runProcess } from './process';

const CDK8S_YAML = parse(fs.readFileSync(path.join(PROJECT_DIR, 'cdk8s.yaml'), 'utf8'));
const BAD = () => withEnvironment('pr5706', { network: { vpcCidr: 'nope' } });

/** A copy of the project the cdk8s CLI may run in: sources, committed dist/, materialized CRDs, shared node_modules. */
function projectCopy(): string {
  const dir = tempDir('catalog-cli-');
  for (const f of [
    'cdk8s.yaml',
    'main.ts',
    'package.json',
    'tsconfig.json',
    'lib',
    'imports',
    'config',
    'dist',
    '.crds',
  ]) {
    fs.cpSync(path.join(PROJECT_DIR, f), path.join(dir, f), { recursive: true });
  }
  fs.symlinkSync(path.join(PROJECT_DIR, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/**
 * Runs the project's pinned cdk8s CLI in `cwd`, with its upgrade check off the way README.md says: the
 * CDK8S_CHECK_UPGRADE variable (yargs reads every option from a `CDK8S_` variable), and a HOME of its own, so no
 * cached answer of an earlier check hides the notice.
 */
function cdk8s(cwd: string, args: string[], env: Record<string, string>): Promise<RunResult> {
  return runProcess(path.join(PROJECT_DIR, 'node_modules', '.bin', 'cdk8s'), args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: tempDir('catalog-home-'), CDK8S_CHECK_UPGRADE: 'false', ...env },
  });
}

describe('cdk8s.yaml', () => {
  test('the CLI output folder is a git-ignored scratch folder, never dist/', () => {
    // GIVEN cdk8s-cli 2.207.60 empties `output` before running the app (lib/cli/cmds/synth.js, `fs.rmSync(outdir)`)
    const output = path.normalize(CDK8S_YAML.output as string);
    // THEN it is neither dist/ nor anything dist/ lies in
    expect(path.relative(output, 'dist').startsWith('..')).toBe(true);
    expect(output.split(path.sep)[0]).toBe('.cache');
    expect(fs.readFileSync(path.join(PROJECT_DIR, '.gitignore'), 'utf8').split('\n')).toContain('.cache/');
  });

  test('names every imported group: the prefixed ones with the prefix npm run import uses', () => {
    const text = fs.readFileSync(path.join(PROJECT_DIR, 'cdk8s.yaml'), 'utf8');
    for (const [group, prefix] of Object.entries(PREFIXED_IMPORTS)) {
      expect(text).toContain(`${group} is imported too, by \`npm run import\``);
      expect(text).toContain(`--class-prefix\n# ${prefix}\``);
    }
    // AND the imports it lists come from .crds/, whose comment says what to run on a fresh clone
    for (const i of CDK8S_YAML.imports as string[]) {
      expect(i.startsWith('.crds/groups/')).toBe(true);
    }
    expect(text).toContain('a bare `cdk8s import` fails with ENOENT on them: run `npm run crds`, or `npm run import`');
  });

  test('npm run import materializes the CRDs before it imports them', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, 'package.json'), 'utf8'));
    expect(pkg.scripts.import.split(' && ')[0]).toBe('npm run -s crds');
  });
});

describe('synth messages', () => {
  const quiet = { log: () => undefined };

  test('GIVEN no CDK8S_OUTDIR WHEN the configuration is bad THEN dist/ is untouched and says so', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'dist', 'keep.yaml'), 'kind: Keep\n');
    const errors: string[] = [];
    const env = { CATALOG_CONFIG: writeConfig(dir, 'bad.yaml', BAD()) };
    const rc = synthesizeToDist({ env, cwd: dir, projectDir: dir, ...quiet, error: (l) => errors.push(l) });
    expect(rc).toBe(1);
    expect(errors[0]).toBe('synth failed: invalid configuration; dist/ was not changed');
    expect(snapshotDir(path.join(dir, 'dist'))).toEqual({ 'keep.yaml': 'kind: Keep\n' });
  });

  test('GIVEN CDK8S_OUTDIR (as the CLI sets it) WHEN synth fails THEN it claims nothing about that folder or dist/', () => {
    const dir = tempDir();
    const errors: string[] = [];
    const env = { CATALOG_CONFIG: writeConfig(dir, 'bad.yaml', BAD()), CDK8S_OUTDIR: '.cache/cdk8s-cli' };
    const rc = synthesizeToDist({ env, cwd: dir, projectDir: dir, ...quiet, error: (l) => errors.push(l) });
    expect(rc).toBe(1);
    expect(errors[0]).toBe('synth failed: invalid configuration; nothing was written to .cache/cdk8s-cli/');
    expect(errors.join('\n')).not.toMatch(/not changed/);
    expect(fs.existsSync(path.join(dir, '.cache'))).toBe(false);
  });
});

describe('the pinned cdk8s CLI in a copy of the project', () => {
  let dir: string;
  let dist: Record<string, string>;
  let synth: RunResult;
  let stdout: RunResult;
  let failed: RunResult;
  let distAfter: Record<string, string>;

  beforeAll(async () => {
    dir = projectCopy();
    dist = snapshotDir(path.join(dir, 'dist'));
    const good = writeConfig(dir, 'good.yaml', baseConfigFile());
    const bad = writeConfig(dir, 'bad.yaml', BAD());
    // one after the other: each run starts the app through tsx, and the CLI reuses its own output folder
    synth = await cdk8s(dir, ['synth'], { CATALOG_CONFIG: good });
    stdout = await cdk8s(dir, ['synth', '--stdout'], { CATALOG_CONFIG: good });
    failed = await cdk8s(dir, ['synth'], { CATALOG_CONFIG: bad });
    distAfter = snapshotDir(path.join(dir, 'dist'));
  });

  test('with CDK8S_CHECK_UPGRADE=false the CLI claims no upgrade and prints no stack trace', () => {
    // cdk8s-cli 2.207.60 lib/cli/index.js: the `check-upgrade` option (default true) asks registry.npmjs.org on every
    // run and, when that fails, announces "a new version undefined"; `.env('CDK8S')` lets the variable turn it off
    for (const r of [synth, stdout, failed]) {
      expect(r.stderr).not.toMatch(/new version|npm install -g|http error/);
    }
    // (a failed app run is still followed by the CLI's own stack trace of "returned a non-zero exit code", which no
    // setting turns off)
    for (const r of [synth, stdout]) {
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });

  test('cdk8s synth writes its own folder and leaves dist/ byte-identical', () => {
    expect(synth.status).toBe(0);
    expect(synth.stdout).toMatch(/^ {2}- \.cache\/cdk8s-cli\/environments\/.+\.k8s\.yaml$/m);
    expect(distAfter).toEqual(dist);
  });

  test('cdk8s synth --stdout prints the manifests and leaves dist/ byte-identical', () => {
    expect(stdout.status).toBe(0);
    expect(stdout.stdout).toMatch(/^kind: /m);
    expect(stdout.stdout).not.toMatch(/^synth: /m);
    expect(distAfter).toEqual(dist);
  });

  test('a failed cdk8s synth exits non-zero, leaves dist/ byte-identical, and says only what is true', () => {
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain('synth failed: invalid configuration; nothing was written to .cache/cdk8s-cli/');
    expect(failed.stderr).not.toMatch(/dist\/ was not changed/);
    expect(distAfter).toEqual(dist);
  });
});

describe('the pinned cdk8s CLI on a fresh clone', () => {
  test('a bare cdk8s import fails on the not yet materialized .crds/, as cdk8s.yaml and README.md say', async () => {
    // GIVEN a copy without .crds/ (git-ignored, so absent from a fresh clone)
    const dir = projectCopy();
    fs.rmSync(path.join(dir, '.crds'), { recursive: true, force: true });
    // WHEN
    const r = await cdk8s(dir, ['import', '--no-save', '--output', '.cache/imports'], {});
    // THEN it fails naming the first listed file, and cdk8s.yaml's own comment says what to run instead
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`ENOENT: no such file or directory, open '${(CDK8S_YAML.imports as string[])[0]}'`);
    expect(fs.readFileSync(path.join(dir, 'cdk8s.yaml'), 'utf8')).toContain(
      'a bare `cdk8s import` fails with ENOENT on them: run `npm run crds`, or `npm run import`',
    );
  });
});
