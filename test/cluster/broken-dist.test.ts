import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { objectRef, writeReport, type KubeObject } from './harness';
import { distDir, loadDist } from './harness/manifests';
import { Stack } from './harness/stack';

// CLUSTER_DIST runs the harness against any folder laid out like dist/; a broken one must fail naming
// the object and the reason. Here the folder is a copy of the manifests with one wrong reference.

/** Copy `dir` to `<tmp>/dist` (Application paths are relative to the folder that holds dist/). */
function copyOf(dir: string): string {
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-broken-')), 'dist');
  fs.cpSync(dir, copy, { recursive: true });
  return copy;
}

/** Rewrite the first object of `envDir`'s files matching `pick` with `change`; returns the object. */
function breakOne(envDir: string, pick: (o: KubeObject) => boolean, change: (o: KubeObject) => void): KubeObject {
  for (const file of fs.readdirSync(envDir).filter((f) => f.endsWith('.yaml'))) {
    const objects = parseAllDocuments(fs.readFileSync(path.join(envDir, file), 'utf8')).map(
      (d) => d.toJS() as KubeObject,
    );
    const target = objects.find(pick);
    if (!target) continue;
    change(target);
    fs.writeFileSync(path.join(envDir, file), objects.map((o) => stringify(o)).join('---\n'));
    return target;
  }
  throw new Error(`no object to break in ${envDir}`);
}

let stack: Stack | undefined;

afterAll(async () => {
  await stack?.stop('broken-dist');
}, 120_000);

describe('CLUSTER_DIST', () => {
  test('GIVEN a manifest folder whose subnet references a VPC that does not exist WHEN its environment is synced THEN the sync fails naming the subnet and the unresolved reference', async () => {
    const dist = copyOf(distDir());
    const [env] = [...loadDist(dist).environments.keys()];
    const subnet = breakOne(
      path.join(dist, 'environments', env),
      (o) => o.kind === 'Subnet' && o.spec?.forProvider?.vpcIdRef?.name,
      (o) => (o.spec.forProvider.vpcIdRef.name = 'vpc-that-does-not-exist'),
    );
    stack = await Stack.start({ dist: loadDist(dist) });
    stack.temp.push(path.dirname(dist));
    const app = stack.environmentApps().get(env)!;
    const report: Record<string, unknown> = { dist, broken: objectRef(subnet) };
    try {
      const platform = await stack.argo('sync', stack.platformApp().metadata.name, 'broken-dist');
      expect(platform.code).toBe(0);
      const run = await stack.argo('sync', app.metadata.name, 'broken-dist', { timeout: '3m' });
      const output = `${run.stdout}\n${run.stderr}`;
      report.exit = run.code;
      report.error = run.stderr.trim().split('\n').slice(0, 20);
      expect(run.code).not.toBe(0);
      // the failure names the object (group/kind namespace/name) and why it is not healthy
      const line = run.stderr
        .split('\n')
        .find((l) => l.includes(`Subnet ${subnet.metadata.namespace}/${subnet.metadata.name}`));
      expect({ line }).toEqual({ line: expect.stringMatching(/vpc-that-does-not-exist.*not found/) });
      expect(output).toMatch(/did not finish syncing within 3m/);
    } finally {
      writeReport('broken-dist', report);
    }
  }, 1_800_000);
});
