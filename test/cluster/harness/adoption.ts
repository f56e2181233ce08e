/**
 * The cut-over from a CDKTF/Terraform stack as a user runs it, for the cluster scenarios: a repository of its own
 * (a copy of this project with a one-environment configuration), `npm run adopt` on a Terraform state, and
 * `npm run synth` per phase; plus the SIMULATED AWS account that already holds what the state lists.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { PROJECT_DIR } from './binaries';

/** Top-level entries of the project a copy does not need (or shares by a link). */
const NOT_COPIED = new Set(['.git', 'node_modules', '.cache', 'coverage', 'dist']);

/** A copy of the project whose configuration holds exactly one environment of the seed fixture. */
export interface AdoptionRepository {
  /** Folder of the temp files: the repository (`repo/`), each phase's `<phase>/dist`, the inventory. */
  readonly root: string;
  readonly repo: string;
  readonly suffix: string;
}

function npm(repo: string, args: readonly string[], env: Record<string, string> = {}): string {
  // the copy's own configuration and dist folder, whatever the caller's environment says
  const inherited = { ...process.env };
  delete inherited.CATALOG_CONFIG;
  delete inherited.CDK8S_OUTDIR;
  try {
    return execFileSync('npm', ['run', '-s', ...args], {
      cwd: repo,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...inherited,
        CRDS_SOURCE_DIR: path.resolve(PROJECT_DIR, process.env.CRDS_SOURCE_DIR ?? '../shared/crds'),
        ...env,
      },
    });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    throw new Error(
      `cluster harness: npm run ${args.join(' ')} failed: ${(err.stderr || err.stdout || String(e)).trim()}`,
    );
  }
}

/**
 * Copy the project (sharing node_modules) with `test/fixtures/seed.yaml` cut down to environment `suffix` as its
 * configuration, so that one environment is synthesized whatever config/environments.yaml holds.
 */
export function adoptionRepository(suffix: string): AdoptionRepository {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-adopt-'));
  const repo = path.join(root, 'repo');
  fs.cpSync(PROJECT_DIR, repo, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (src) => path.dirname(src) !== PROJECT_DIR || !NOT_COPIED.has(path.basename(src)),
  });
  fs.symlinkSync(fs.realpathSync(path.join(PROJECT_DIR, 'node_modules')), path.join(repo, 'node_modules'), 'dir');
  fs.rmSync(path.join(repo, 'config', 'adoption'), { recursive: true, force: true });
  const seed = parse(fs.readFileSync(path.join(PROJECT_DIR, 'test', 'fixtures', 'seed.yaml'), 'utf8'));
  seed.environments = (seed.environments as { suffix: string }[]).filter((e) => e.suffix === suffix);
  if (seed.environments.length !== 1) {
    throw new Error(`cluster harness: test/fixtures/seed.yaml has no environment ${suffix}`);
  }
  fs.writeFileSync(path.join(repo, 'config', 'environments.yaml'), stringify(seed));
  return { root, repo, suffix };
}

/** `npm run adopt -- --state <state> --suffix <suffix> --report <root>/adoption-<suffix>.json`; returns the report. */
export function runAdopt(r: AdoptionRepository, state: string): any {
  const report = path.join(r.root, `adoption-${r.suffix}.json`);
  npm(r.repo, ['adopt', '--', '--state', state, '--suffix', r.suffix, '--report', report]);
  return JSON.parse(fs.readFileSync(report, 'utf8'));
}

/** The adoption file `npm run adopt` wrote, as the user edits it: its `phase:` line set to `phase`. */
export function setPhase(r: AdoptionRepository, phase: 'observe' | 'manage'): void {
  const file = path.join(r.repo, 'config', 'adoption', `${r.suffix}.yaml`);
  const text = fs.readFileSync(file, 'utf8');
  if (!/^phase: \w+$/m.test(text)) throw new Error(`cluster harness: ${file} has no phase line`);
  fs.writeFileSync(file, text.replace(/^phase: \w+$/m, `phase: ${phase}`));
}

/** `npm run synth` of the repository into `<root>/<label>/dist` (Applications read paths relative to its parent). */
export function synthInto(r: AdoptionRepository, label: string): string {
  const dist = path.join(r.root, label, 'dist');
  npm(r.repo, ['synth'], { CDK8S_OUTDIR: dist });
  return dist;
}

/** One resource the SIMULATED AWS account holds: a Terraform resource instance (type and attributes). */
export interface InventoryResource {
  readonly type: string;
  readonly attributes: Record<string, unknown>;
}

/**
 * What AWS holds for a stack Terraform created: every managed resource instance of its state (`terraform show
 * -json`, or the raw version 4 state file), read here without the project's adoption code, so that the SIMULATED
 * account (`simulated-aws --inventory`) is what the state says runs, not what adoption made of it.
 */
export function inventoryFromState(stateFile: string): InventoryResource[] {
  const data = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  const out: InventoryResource[] = [];
  const walk = (m: any) => {
    for (const r of m?.resources ?? []) {
      if (r.mode === 'managed') out.push({ type: r.type, attributes: r.values ?? {} });
    }
    for (const c of m?.child_modules ?? []) walk(c);
  };
  if (data.values) walk(data.values.root_module);
  else {
    for (const r of data.resources ?? []) {
      if (r.mode !== 'managed') continue;
      for (const i of r.instances ?? []) out.push({ type: r.type, attributes: i.attributes ?? {} });
    }
  }
  return out;
}

/** Write the inventory where `simulated-aws --inventory` reads it. */
export function writeInventory(r: AdoptionRepository, resources: readonly InventoryResource[]): string {
  const file = path.join(r.root, 'inventory.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      simulated: 'SIMULATED AWS account: the resources of a Terraform state, as AWS would hold them',
      resources,
    }),
  );
  return file;
}
