import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureSourcePaths, withApplicationEnvironments, type PullRequest } from './harness/applications';
import { loadDist } from './harness/manifests';
import type { KubeObject } from './harness';
import { isRunProviderKubernetes, simulatedInstalledStatus } from './harness/packages';

// The harness's own rules, without a cluster: where a generated Application's manifests come from,
// and which Provider packages the harness stands in for.

const pr: PullRequest = { number: 77, branch: 'feature/x', headSha: 'abcdef0123456789' };

function app(name: string, sourcePath: string): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name },
    spec: { source: { path: sourcePath } },
  };
}

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A project folder with package.json `scripts` and an empty `dist/environments/prod`. */
function project(scripts: Record<string, string>, files: Record<string, string> = {}): { dir: string; dist: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-project-'));
  made.push(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'p', scripts }));
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  const dist = path.join(dir, 'dist');
  fs.mkdirSync(path.join(dist, 'environments', 'prod'), { recursive: true });
  return { dir, dist };
}

describe('ensureSourcePaths', () => {
  test('GIVEN every source path exists WHEN checked THEN the manifest folder itself is used', () => {
    const p = project({});
    expect(ensureSourcePaths(p.dist, [app('catalog-api-prod', 'dist/environments/prod')], [pr], p.dir)).toBe(p.dist);
  });

  test('GIVEN a generated preview whose path is missing and no preview:render script WHEN checked THEN it fails naming the Application and the path', () => {
    const p = project({});
    expect(() => ensureSourcePaths(p.dist, [app('catalog-api-pr77', 'dist/environments/pr77')], [pr], p.dir)).toThrow(
      /Application catalog-api-pr77: source.path dist\/environments\/pr77 does not exist .* no preview:render script/,
    );
  });

  test('GIVEN a preview:render script WHEN a path is missing THEN it renders that pull request with its image tag into a copy, leaving the folder as it was', () => {
    const render =
      "const a = process.argv.slice(2); const v = (k) => a[a.indexOf(k) + 1]; const fs = require('fs'); const d = v('--out') + '/environments/pr' + v('--pr');" +
      "fs.mkdirSync(d, { recursive: true }); fs.writeFileSync(d + '/service.k8s.yaml', 'tag: ' + v('--image-tag') + '\\n');";
    const p = project({ 'preview:render': 'node render.js' }, { 'render.js': render });
    const out = ensureSourcePaths(p.dist, [app('catalog-api-pr77', 'dist/environments/pr77')], [pr], p.dir);
    made.push(path.dirname(out));
    expect(out).not.toBe(p.dist);
    expect(path.basename(out)).toBe('dist');
    expect(fs.readFileSync(path.join(out, 'environments', 'pr77', 'service.k8s.yaml'), 'utf8')).toBe('tag: abcdef0\n');
    expect(fs.existsSync(path.join(out, 'environments', 'prod'))).toBe(true);
    expect(fs.existsSync(path.join(p.dist, 'environments', 'pr77'))).toBe(false);
  });

  test("GIVEN a preview Application reading the root of its rendered branch (source.path environments/pr<n>) WHEN its path is missing THEN the pull request is rendered beside the manifest folder's copy", () => {
    const render =
      "const a = process.argv.slice(2); const v = (k) => a[a.indexOf(k) + 1]; const fs = require('fs'); const d = v('--out') + '/environments/pr' + v('--pr');" +
      "fs.mkdirSync(d, { recursive: true }); fs.writeFileSync(d + '/service.k8s.yaml', 'tag: ' + v('--image-tag') + '\\n');";
    const p = project({ 'preview:render': 'node render.js' }, { 'render.js': render });
    const out = ensureSourcePaths(p.dist, [app('catalog-api-pr77', 'environments/pr77')], [pr], p.dir);
    made.push(path.dirname(out));
    expect(fs.readFileSync(path.join(path.dirname(out), 'environments', 'pr77', 'service.k8s.yaml'), 'utf8')).toBe(
      'tag: abcdef0\n',
    );
  });
});

describe('withApplicationEnvironments', () => {
  test('GIVEN a preview rendered beside the manifest folder WHEN the manifests are loaded with the Applications THEN its objects are an environment like any other', () => {
    const p = project({});
    fs.writeFileSync(
      path.join(p.dist, 'environments', 'prod', 'a.k8s.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: catalog-api-prod\n',
    );
    fs.mkdirSync(path.join(p.dir, 'environments', 'pr77'), { recursive: true });
    fs.writeFileSync(
      path.join(p.dir, 'environments', 'pr77', 'a.k8s.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: catalog-api-pr77\n',
    );
    const dist = withApplicationEnvironments(loadDist(p.dist), [
      app('catalog-api-prod', 'dist/environments/prod'),
      app('catalog-api-pr77', 'environments/pr77'),
    ]);
    expect([...dist.environments.keys()].sort()).toEqual(['pr77', 'prod']);
    expect(dist.environments.get('pr77')!.map((o) => o.metadata.name)).toEqual(['catalog-api-pr77']);
  });
});

describe('SIMULATED package installation', () => {
  test('GIVEN Provider packages WHEN matched against the provider-kubernetes the harness runs THEN only that package at that version is stood in for', () => {
    expect(isRunProviderKubernetes('xpkg.crossplane.io/crossplane-contrib/provider-kubernetes:v1.2.1', 'v1.2.1')).toBe(
      true,
    );
    expect(isRunProviderKubernetes('xpkg.crossplane.io/crossplane-contrib/provider-kubernetes:v1.3.0', 'v1.2.1')).toBe(
      false,
    );
    expect(isRunProviderKubernetes('xpkg.crossplane.io/crossplane-contrib/provider-aws-ec2:v2.6.0', 'v1.2.1')).toBe(
      false,
    );
  });

  test("GIVEN a Provider the package manager paused WHEN marked installed THEN Installed and Healthy are True with the package manager's reasons and other conditions stay", () => {
    const live = {
      apiVersion: 'pkg.crossplane.io/v1',
      kind: 'Provider',
      metadata: { name: 'provider-kubernetes' },
      spec: { package: 'xpkg.crossplane.io/crossplane-contrib/provider-kubernetes:v1.2.1' },
      status: { conditions: [{ type: 'Synced', status: 'False', reason: 'ReconcilePaused' }] },
    };
    const { changed, status } = simulatedInstalledStatus(live, new Date('2026-01-01T00:00:00Z'));
    expect(changed).toBe(true);
    expect(status.conditions.map((c: any) => `${c.type} ${c.status} ${c.reason}`)).toEqual([
      'Synced False ReconcilePaused',
      'Installed True ActivePackageRevision',
      'Healthy True HealthyPackageRevision',
    ]);
    expect(status.conditions[1].message).toMatch(/^SIMULATED: /);
    expect(simulatedInstalledStatus({ ...live, status }, new Date()).changed).toBe(false);
  });
});
