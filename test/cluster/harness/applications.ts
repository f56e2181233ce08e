/**
 * The Applications Argo CD would hold for a manifest folder: the plain Applications of `<dist>/argocd`
 * plus the ones its ApplicationSets generate, expanded by `argocd-harness appset` with Argo CD v3.5.1's
 * own ApplicationSet generator and template code (list and pullRequest generators; GitHub's
 * pull-request API is SIMULATED and fed the open pull requests given here).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { binary, PROJECT_DIR } from './binaries';
import type { KubeObject } from './kube';
import { readObjects, yamlFiles, type Dist } from './manifests';

/** An open pull request as the SIMULATED GitHub API lists it. */
export interface PullRequest {
  readonly number: number;
  readonly branch: string;
  readonly headSha: string;
  readonly title?: string;
  readonly targetBranch?: string;
  readonly author?: string;
  readonly labels?: readonly string[];
  /** Image tag a preview of this pull request deploys. @default the first 7 characters of headSha */
  readonly imageTag?: string;
}

/**
 * The open pull requests the harness feeds to pullRequest generators: `CLUSTER_PULL_REQUESTS=<file.json>`
 * (a JSON array of PullRequest) when set, otherwise one pull request made up for the test.
 */
export function openPullRequests(): PullRequest[] {
  const file = process.env.CLUSTER_PULL_REQUESTS;
  if (!file) {
    return [
      {
        number: 4242,
        branch: 'cluster-test',
        headSha: 'c1a57e5c0ffee4242c1a57e5c0ffee4242c1a57e',
        title: 'cluster test',
        targetBranch: 'main',
        author: 'cluster-test',
        labels: ['preview'],
      },
    ];
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PullRequest[];
  } catch (e) {
    throw new Error(
      `cluster harness: CLUSTER_PULL_REQUESTS=${file}: ${(e as Error).message}; set it to a JSON array of {number, branch, headSha, ...} or unset it`,
    );
  }
}

/** Write the pull requests where argocd-harness reads them (`--pull-requests`). */
export function writePullRequests(dir: string, prs: readonly PullRequest[]): string {
  const file = path.join(dir, 'pull-requests.json');
  fs.writeFileSync(
    file,
    JSON.stringify(
      prs.map((p) => ({
        ...p,
        targetBranch: p.targetBranch ?? 'main',
        title: p.title ?? '',
        author: p.author ?? '',
        labels: p.labels ?? [],
      })),
    ),
  );
  return file;
}

/** The Applications the ApplicationSets of `distDir/argocd` generate (argocd-harness appset). */
export function generatedApplications(distDir: string, pullRequestsFile: string): KubeObject[] {
  try {
    return JSON.parse(
      execFileSync(binary('argocd-harness'), ['appset', '--dist', distDir, '--pull-requests', pullRequestsFile], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    ) as KubeObject[];
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? (e as Error).message;
    throw new Error(
      `cluster harness: cannot expand the ApplicationSets of ${distDir}: ${stderr.trim().split('\n')[0]}`,
    );
  }
}

/** The folder an Application's `source.path` names: relative to the repository root, the parent of the dist folder. */
export function sourceDir(distDir: string, app: KubeObject): string {
  return path.join(path.dirname(path.resolve(distDir)), app.spec?.source?.path ?? '');
}

/**
 * Make sure every Application's source path exists. A generated preview whose path is missing (its
 * manifests are rendered per pull request, not kept in the folder) is rendered with the project's
 * `npm run -s preview:render -- --pr <n> --image-tag <tag> --out <dir>` into a copy of the manifest
 * folder, when package.json has that script; otherwise this fails naming the missing path.
 * Returns the folder to run against: `distDir` itself, or the copy.
 */
export function ensureSourcePaths(
  distDir: string,
  apps: readonly KubeObject[],
  prs: readonly PullRequest[],
  projectDir = PROJECT_DIR,
): string {
  const missing = apps.filter((a) => !fs.existsSync(sourceDir(distDir, a)));
  if (!missing.length) return distDir;
  const scripts = JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8')).scripts ?? {};
  const names = missing.map((a) => `Application ${a.metadata.name}: source.path ${a.spec?.source?.path}`).join('; ');
  if (!scripts['preview:render']) {
    throw new Error(
      `cluster harness: ${names} does not exist under ${path.dirname(path.resolve(distDir))} and package.json has no preview:render script to render it`,
    );
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-manifests-'));
  const copy = path.join(root, path.basename(path.resolve(distDir)));
  fs.cpSync(distDir, copy, { recursive: true });
  try {
    for (const app of missing) {
      const rel = app.spec.source.path as string;
      // `dist/environments/pr<n>` in a folder like dist/, or `environments/pr<n>` at the root of a rendered branch
      const m = /^(?:(.*)\/)?environments\/pr(\d+)\/?$/.exec(rel);
      const pr = m && prs.find((p) => p.number === Number(m[2]));
      if (!m || !pr) {
        throw new Error(
          `cluster harness: Application ${app.metadata.name}: source.path ${rel} does not exist and names no open pull request (environments/pr<n>)`,
        );
      }
      const out = path.join(root, m[1] ?? '');
      execFileSync(
        'npm',
        [
          'run',
          '-s',
          'preview:render',
          '--',
          '--pr',
          String(pr.number),
          '--image-tag',
          pr.imageTag ?? pr.headSha.slice(0, 7),
          '--out',
          out,
        ],
        {
          cwd: projectDir,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      if (!fs.existsSync(path.join(root, rel))) {
        throw new Error(
          `cluster harness: npm run preview:render -- --pr ${pr.number} --out ${out} did not write ${rel}`,
        );
      }
    }
  } catch (e) {
    fs.rmSync(root, { recursive: true, force: true });
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(
      err.stderr ? `cluster harness: npm run preview:render failed: ${err.stderr.toString().trim()}` : err.message,
    );
  }
  return copy;
}

/**
 * The manifests with every Application's environment in `environments`: a preview rendered for a pull
 * request lives beside the folder (its Application reads `environments/pr<n>` at the root of its rendered
 * branch), not under `<dist>/environments`, yet the scenarios look its objects up like any other environment's.
 */
export function withApplicationEnvironments(dist: Dist, apps: readonly KubeObject[]): Dist {
  const environments = new Map(dist.environments);
  for (const app of apps) {
    const m = /(?:^|\/)environments\/([^/]+)\/?$/.exec(app.spec?.source?.path ?? '');
    const dir = sourceDir(dist.dir, app);
    if (m && !environments.has(m[1]) && fs.existsSync(dir)) {
      environments.set(m[1], yamlFiles(dir).flatMap(readObjects));
    }
  }
  return { ...dist, environments };
}
