import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { buildApp, BuiltApp, render, RenderedFile } from '../lib/app';
import { loadConfig, merge } from '../lib/config/load';
import { Config } from '../lib/config/types';

export const PROJECT_DIR = path.resolve(__dirname, '..');

/** The repository's own configuration, as the default synth sees it. */
export function repoConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ env, cwd: PROJECT_DIR });
}

export function tempDir(prefix = 'catalog-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The repository's configuration file, parsed, for tests that mutate it. */
export function baseConfigFile(): any {
  return parse(fs.readFileSync(path.join(PROJECT_DIR, 'config/environments.yaml'), 'utf8'));
}

/** Writes `content` (an object rendered as YAML, or raw text) to a temp config file and loads it. */
export function loadFrom(content: unknown, env: Record<string, string> = {}): Config {
  const dir = tempDir();
  const file = path.join(dir, 'environments.yaml');
  fs.writeFileSync(file, typeof content === 'string' ? content : stringify(content));
  return loadConfig({ env: { ...env, CATALOG_CONFIG: file }, cwd: dir });
}

/** The base configuration file with `patch` deep-merged into the environment with `suffix`. */
export function withEnvironment(suffix: string, patch: unknown): any {
  const cfg = baseConfigFile();
  cfg.environments = cfg.environments.map((e: any) => (e.suffix === suffix ? merge(e, patch) : e));
  return cfg;
}

let cached: { built: BuiltApp; files: RenderedFile[] } | undefined;
/** The default synth, built once per test file. */
export function defaultSynth(): { built: BuiltApp; files: RenderedFile[] } {
  if (!cached) {
    const built = buildApp(repoConfig());
    cached = { built, files: render(built) };
  }
  return cached;
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
