import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PROJECT_DIR } from './binaries';
import type { KubeObject } from './kube';

/** The synthesized manifests the cluster tests run against. */
export interface Dist {
  readonly dir: string;
  /** `platform/*.yaml`: what the platform Application syncs. */
  readonly platform: readonly KubeObject[];
  /** `environments/<name>/*.yaml` per environment name. */
  readonly environments: ReadonlyMap<string, readonly KubeObject[]>;
  /** `argocd/*.yaml`: the Argo CD Applications and AppProjects. */
  readonly argocd: readonly KubeObject[];
}

/** `CLUSTER_DIST` when set (any folder laid out like dist/), otherwise the project's dist/. */
export function distDir(): string {
  const dir = process.env.CLUSTER_DIST ? path.resolve(process.env.CLUSTER_DIST) : path.join(PROJECT_DIR, 'dist');
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(
      `cluster harness: CLUSTER_DIST=${process.env.CLUSTER_DIST ?? '(unset)'}: no folder ${dir}; set it to a folder laid out like dist/ (platform/, environments/<name>/, argocd/) or unset it`,
    );
  }
  return dir;
}

/** The YAML files of one folder, sorted; none when the folder does not exist. */
export function yamlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Every object of a multi-document YAML file; a document that is not a Kubernetes object is an error naming file and index. */
export function readObjects(file: string): KubeObject[] {
  const out: KubeObject[] = [];
  parseAllDocuments(fs.readFileSync(file, 'utf8')).forEach((doc, i) => {
    if (doc.errors.length) throw new Error(`${file}: document ${i + 1}: ${doc.errors[0].message}`);
    const o = doc.toJS() as KubeObject | null;
    if (o === null) return;
    if (!o.apiVersion || !o.kind || !o.metadata?.name) {
      throw new Error(
        `${file}: document ${i + 1} is not a Kubernetes object (apiVersion, kind and metadata.name needed)`,
      );
    }
    out.push(o);
  });
  return out;
}

/**
 * The objects of pull request `pr`'s preview, rendered by `npm run preview:render` as the preview workflow renders
 * it (dist/ holds long-lived environments only). The rendered folder is removed afterwards.
 *
 * @throws Error with preview:render's stderr when it exits non-zero
 */
export function renderPreview(pr: number): KubeObject[] {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-preview-'));
  try {
    const r = spawnSync('npm', ['run', '-s', 'preview:render', '--', '--pr', String(pr), '--out', out], {
      cwd: PROJECT_DIR,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`npm run preview:render failed: ${r.stderr}`);
    return yamlFiles(path.join(out, 'environments', `pr${pr}`)).flatMap(readObjects);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

export function loadDist(dir = distDir()): Dist {
  const platform = yamlFiles(path.join(dir, 'platform')).flatMap(readObjects);
  const environments = new Map<string, KubeObject[]>();
  const envRoot = path.join(dir, 'environments');
  if (fs.existsSync(envRoot)) {
    for (const env of fs.readdirSync(envRoot).sort()) {
      const envDir = path.join(envRoot, env);
      if (fs.statSync(envDir).isDirectory()) environments.set(env, yamlFiles(envDir).flatMap(readObjects));
    }
  }
  const argocd = yamlFiles(path.join(dir, 'argocd')).flatMap(readObjects);
  if (!platform.length && !environments.size) {
    throw new Error(`cluster harness: ${dir} holds no platform/*.yaml and no environments/<name>/*.yaml`);
  }
  return { dir, platform, environments, argocd };
}

/** Every object of the dist folder, platform first, then each environment, then Argo CD's. */
export function allObjects(dist: Dist): KubeObject[] {
  return [...dist.platform, ...[...dist.environments.values()].flat(), ...dist.argocd];
}
