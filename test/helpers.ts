import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { buildApp, BuiltApp, render, RenderedFile } from '../lib/app';
import { loadConfig, merge } from '../lib/config/load';
import { Config } from '../lib/config/types';

export const PROJECT_DIR = path.resolve(__dirname, '..');

/** Fixed configurations the suites build from (see the comment at the top of each file). */
export const FIXTURES_DIR = path.join(__dirname, 'fixtures');

/**
 * `test/fixtures/<name>.yaml` loaded as the app loads a configuration. `seed` is production `prod` and preview
 * `pr5706` at every default; `edited` is the seed after typical user edits (an environment added, settings changed).
 */
export function fixtureConfig(name: 'seed' | 'edited' = 'seed', env: Record<string, string> = {}): Config {
  return loadConfig({ env: { ...env, CATALOG_CONFIG: path.join(FIXTURES_DIR, `${name}.yaml`) }, cwd: FIXTURES_DIR });
}

/** The seed fixture loaded (`fixtureConfig('seed', env)`). */
export function seedConfig(env: Record<string, string> = {}): Config {
  return fixtureConfig('seed', env);
}

/**
 * The live `config/environments.yaml`, which users edit. Only invariants and the stale-`dist/` check may use it;
 * everything that asserts a value builds from a fixture.
 */
export function repoConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ env, cwd: PROJECT_DIR });
}

const madeDirs: string[] = [];

/** A new folder under the OS temp folder; removed after the test file's last test. */
export function tempDir(prefix = 'catalog-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

/** Removes every folder `tempDir` made so far (run after each test file that imports this module). */
export function removeTempDirs(): void {
  for (const dir of madeDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

// A full `npm test` makes hundreds of folders; on a shared machine each run would otherwise leave them all in /tmp.
afterAll(removeTempDirs);

/** The seed fixture file (`test/fixtures/seed.yaml`), parsed, for tests that mutate it. */
export function baseConfigFile(): any {
  return parse(fs.readFileSync(path.join(FIXTURES_DIR, 'seed.yaml'), 'utf8'));
}

/** Writes `content` (an object rendered as YAML, or raw text) to a temp config file and loads it. */
export function loadFrom(content: unknown, env: Record<string, string> = {}): Config {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-test-'));
  try {
    const file = path.join(dir, 'environments.yaml');
    fs.writeFileSync(file, typeof content === 'string' ? content : stringify(content));
    return loadConfig({ env: { ...env, CATALOG_CONFIG: file }, cwd: dir });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The seed fixture file with `patch` deep-merged into the environment with `suffix`. */
export function withEnvironment(suffix: string, patch: unknown): any {
  const cfg = baseConfigFile();
  cfg.environments = cfg.environments.map((e: any) => (e.suffix === suffix ? merge(e, patch) : e));
  return cfg;
}

const cached = new Map<string, { built: BuiltApp; files: RenderedFile[] }>();
function cachedSynth(key: string, config: () => Config): { built: BuiltApp; files: RenderedFile[] } {
  let hit = cached.get(key);
  if (!hit) {
    const built = buildApp(config());
    hit = { built, files: render(built) };
    cached.set(key, hit);
  }
  return hit;
}

/** The synth of the seed fixture (every setting at its default), built once per test file. */
export function defaultSynth(): { built: BuiltApp; files: RenderedFile[] } {
  return cachedSynth('seed', () => fixtureConfig('seed'));
}

/** The synth of the `edited` fixture, built once per test file. */
export function editedSynth(): { built: BuiltApp; files: RenderedFile[] } {
  return cachedSynth('edited', () => fixtureConfig('edited'));
}

/** The synth of the live `config/environments.yaml`, built once per test file; for invariants only. */
export function liveSynth(): { built: BuiltApp; files: RenderedFile[] } {
  return cachedSynth('live', () => repoConfig());
}

export function synth(config: Config): RenderedFile[] {
  return render(buildApp(config));
}

export function allObjects(files: readonly RenderedFile[]): any[] {
  return files.flatMap((f) => f.objects);
}

export function objectsOf(files: readonly RenderedFile[], suffix: string): any[] {
  return files.filter((f) => f.file.startsWith(`environments/${suffix}/`)).flatMap((f) => f.objects);
}

/** The one object of `kind` named `name` (optionally in `namespace`); fails clearly when absent or ambiguous. */
export function find(objects: readonly any[], kind: string, name: string, namespace?: string): any {
  const hits = objects.filter(
    (o) =>
      o.kind === kind && o.metadata?.name === name && (namespace === undefined || o.metadata?.namespace === namespace),
  );
  if (hits.length !== 1) {
    const have = objects.filter((o) => o.kind === kind).map((o) => o.metadata?.name);
    throw new Error(
      `expected exactly one ${kind} '${name}', found ${hits.length}; ${kind} objects: ${have.join(', ')}`,
    );
  }
  return hits[0];
}

export function ofKind(objects: readonly any[], kind: string): any[] {
  return objects.filter((o) => o.kind === kind);
}
