import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildPlan } from './index';
import { objectsFromFiles, readYamlTree } from './objects';
import { renderJson, renderMarkdown, renderText } from './render';

export const USAGE = `usage: npm run plan -- [--base <git-ref>] [--json | --markdown] [--allow-destroy] [--help]

Synthesizes the base revision and the working tree into temporary folders (dist/ is not touched) and shows, per
environment, what the change does to AWS: destroy, stuck (a field AWS sets only at creation), rollout, in-place,
with an estimated monthly cost. Exits 1 when a stateful or production resource would be destroyed, unless
--allow-destroy is given; 2 when the plan cannot be made.

  --base <git-ref>   what to compare with (default: the merge base with main, origin/main or origin/HEAD, else HEAD)
  --markdown         Markdown, for a pull-request comment
  --json             JSON
  --allow-destroy    exit 0 even when red changes are present
`;

export interface PlanArgs {
  readonly base?: string;
  readonly format: 'text' | 'markdown' | 'json';
  readonly allowDestroy: boolean;
  readonly help: boolean;
}

/** A problem with the command line or the repository: one line, no stack trace. */
export class PlanError extends Error {}

export function parseArgs(argv: readonly string[]): PlanArgs {
  let base: string | undefined;
  let format: PlanArgs['format'] = 'text';
  let allowDestroy = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--base' || a.startsWith('--base=')) {
      const value = a === '--base' ? argv[++i] : a.slice('--base='.length);
      if (!value || value.startsWith('--')) {
        throw new PlanError(
          `--base needs a git ref, got ${value === undefined ? 'nothing' : `'${value}'`}; e.g. --base origin/main`,
        );
      }
      base = value;
    } else if (a === '--json' || a === '--markdown') {
      const f = a === '--json' ? 'json' : 'markdown';
      if (format !== 'text' && format !== f) {
        throw new PlanError('--json and --markdown exclude each other; give one');
      }
      format = f;
    } else if (a === '--allow-destroy') {
      allowDestroy = true;
    } else if (a === '--help' || a === '-h') {
      help = true;
    } else {
      throw new PlanError(`unknown argument '${a}'; see --help`);
    }
  }
  return { base, format, allowDestroy, help };
}

function git(cwd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim() };
}

/** The merge base of HEAD with the main branch (local `main`, else `origin/main`, else `origin/HEAD`), else HEAD. */
export function defaultBase(cwd: string): string {
  for (const branch of ['main', 'origin/main', 'origin/HEAD']) {
    const r = git(cwd, ['merge-base', 'HEAD', branch]);
    if (r.ok && r.out) {
      return r.out;
    }
  }
  return 'HEAD';
}

interface Synth {
  readonly code: number;
  readonly stderr: string;
}

function synth(projectDir: string, outdir: string, env: NodeJS.ProcessEnv): Promise<Synth> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '-s', 'synth'], {
      cwd: projectDir,
      env: { ...env, CDK8S_OUTDIR: outdir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

export interface RunOptions {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** The project folder (holds package.json); must be inside a git repository. */
  readonly projectDir: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** `npm run plan`: returns the exit code (0 fine, 1 red without --allow-destroy, 2 the plan could not be made). */
export async function runPlan(opts: RunOptions): Promise<number> {
  const { out, err } = opts;
  let args: PlanArgs;
  try {
    args = parseArgs(opts.argv);
  } catch (e) {
    if (e instanceof PlanError) {
      err(`plan failed: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    out(USAGE);
    return 0;
  }
  const started = process.hrtime.bigint();
  const projectDir = path.resolve(opts.projectDir);
  const top = git(projectDir, ['rev-parse', '--show-toplevel']);
  if (!top.ok) {
    err(`plan failed: ${projectDir} is not inside a git repository; the plan compares with a git revision\n`);
    return 2;
  }
  const baseRef = args.base ?? defaultBase(projectDir);
  const commit = git(projectDir, ['rev-parse', '--verify', '--quiet', `${baseRef}^{commit}`]);
  if (!commit.ok) {
    err(
      `plan failed: --base '${baseRef}' is not a commit in this repository; give a branch, tag or commit (e.g. origin/main)\n`,
    );
    return 2;
  }
  const prefix = git(projectDir, ['rev-parse', '--show-prefix']).out;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-plan-'));
  try {
    // the base's own code and configuration, as committed; node_modules shared with this checkout
    const baseDir = path.join(work, 'base');
    fs.mkdirSync(baseDir);
    const archive = spawnSync('git', ['archive', '--format=tar', `${commit.out}:${prefix}`], {
      cwd: projectDir,
      maxBuffer: 1024 * 1024 * 1024,
    });
    const untar = archive.status === 0 ? spawnSync('tar', ['-x', '-C', baseDir], { input: archive.stdout }) : archive;
    if (untar.status !== 0) {
      err(`plan failed: cannot extract ${baseRef} (${commit.out.slice(0, 12)}): ${String(untar.stderr).trim()}\n`);
      return 2;
    }
    fs.symlinkSync(fs.realpathSync(path.join(projectDir, 'node_modules')), path.join(baseDir, 'node_modules'), 'dir');
    // the same CRD lock needs no second download; the base's synth still verifies every file against it
    const lock = (dir: string) => fs.readFileSync(path.join(dir, 'crds.lock.json'), 'utf8');
    if (fs.existsSync(path.join(projectDir, '.crds')) && fs.existsSync(path.join(baseDir, 'crds.lock.json'))) {
      if (lock(baseDir) === lock(projectDir)) {
        fs.cpSync(path.join(projectDir, '.crds'), path.join(baseDir, '.crds'), { recursive: true });
      }
    }
    // the base resolves the shared CRD folder from its own location unless told where this checkout finds it
    const env = {
      ...opts.env,
      CRDS_SOURCE_DIR: path.resolve(projectDir, opts.env.CRDS_SOURCE_DIR ?? '../shared/crds'),
    };
    const [b, h] = await Promise.all([
      synth(baseDir, path.join(work, 'base-out'), env),
      synth(projectDir, path.join(work, 'head-out'), env),
    ]);
    for (const [what, r] of [
      [`the base (${baseRef})`, b],
      ['the working tree', h],
    ] as const) {
      if (r.code !== 0) {
        err(`plan failed: synthesizing ${what} failed:\n${r.stderr.trimEnd()}\n`);
        return 2;
      }
    }
    const plan = buildPlan(
      baseRef,
      objectsFromFiles(readYamlTree(path.join(work, 'base-out'))),
      objectsFromFiles(readYamlTree(path.join(work, 'head-out'))),
    );
    out(
      args.format === 'json'
        ? renderJson(plan)
        : args.format === 'markdown'
          ? renderMarkdown(plan, args.allowDestroy)
          : renderText(plan, args.allowDestroy),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    err(
      `plan: ${plan.scopes.length} scopes changed, ${plan.red ? 'red' : 'no red'} changes, ${seconds.toFixed(1)} s\n`,
    );
    return plan.red && !args.allowDestroy ? 1 : 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
