import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCK_FILE, MATERIALIZED_DIR, readLock, sha256 } from '../../../lib/crds/lock';
import { PROJECT_DIR } from './binaries';
import { readObjects } from './manifests';
import { objectRef, type Kube, type KubeObject } from './kube';
import { waitFor } from './process';

/** Field manager the harness installs CRDs and cluster fixtures with. */
export const HARNESS_MANAGER = 'cluster-test';

/**
 * The pinned CRDs: every file crds.lock.json lists, read from the verified copies `npm run crds`
 * materializes (digest checked again here).
 */
export function lockedCrds(projectDir = PROJECT_DIR): KubeObject[] {
  return readLock(projectDir).files.flatMap((f) => {
    const file = path.join(projectDir, MATERIALIZED_DIR, 'files', f.path);
    if (!fs.existsSync(file)) {
      throw new Error(`cluster harness: ${f.path} from ${LOCK_FILE} is not materialized; run \`npm run crds\``);
    }
    if (sha256(fs.readFileSync(file)) !== f.sha256) {
      throw new Error(`cluster harness: ${file} does not match its digest in ${LOCK_FILE}; run \`npm run crds\``);
    }
    return readObjects(file);
  });
}

/**
 * The CRDs of a Crossplane package that is built here from its Go module: the files under
 * `package/crds/` of that module at the version the harness module pins (the module download is
 * verified against go.sum). Crossplane's package manager installs every CRD of a package, so these
 * are what a cluster running that provider has, beyond the ones our manifests use.
 */
export function packageCrds(goModuleDir: string, modulePath: string): KubeObject[] {
  let dir: string;
  try {
    dir = execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', modulePath], {
      cwd: goModuleDir,
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local' },
    }).trim();
  } catch (e) {
    throw new Error(`cluster harness: cannot locate module ${modulePath} from ${goModuleDir}: ${(e as Error).message}`);
  }
  const crdDir = path.join(dir, 'package', 'crds');
  return fs
    .readdirSync(crdDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => readObjects(path.join(crdDir, f)));
}

/** Apply CRDs (each name once; the first wins) and wait until every one is Established. */
export async function installCrds(kube: Kube, crds: readonly KubeObject[], timeoutMs = 120_000): Promise<string[]> {
  const seen = new Map<string, KubeObject>();
  for (const crd of crds) {
    if (crd.kind !== 'CustomResourceDefinition') throw new Error(`cluster harness: ${objectRef(crd)} is not a CRD`);
    if (!seen.has(crd.metadata.name)) seen.set(crd.metadata.name, crd);
  }
  // a few at a time: the provider CRDs are large and the API server compiles their schemas
  const queue = [...seen.values()];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let crd = queue.shift(); crd; crd = queue.shift()) {
        await kube.apply(crd, { fieldManager: HARNESS_MANAGER, force: true });
      }
    }),
  );
  const names = [...seen.keys()];
  await waitFor(
    `${names.length} CRDs to be Established`,
    async () => {
      const list = await kube.request<{ items: KubeObject[] }>(
        'GET',
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      );
      const established = new Set(
        list.items
          .filter((c) =>
            (c.status?.conditions ?? []).some(
              (x: { type: string; status: string }) => x.type === 'Established' && x.status === 'True',
            ),
          )
          .map((c) => c.metadata.name),
      );
      return names.every((n) => established.has(n)) ? true : undefined;
    },
    timeoutMs,
  );
  return names;
}
