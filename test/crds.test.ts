import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { PREFIXED_IMPORTS, runImports } from '../lib/crds/imports';
import { CrdLockError, materialize, materializedGroups, readLock, sha256 } from '../lib/crds/lock';
import { PROJECT_DIR, tempDir } from './helpers';

const SHARED = path.resolve(PROJECT_DIR, '../shared/crds');

/** A throw-away project folder holding only a lock file. */
function projectWith(files: Array<{ path: string; url: string; sha256: string }>): string {
  const dir = tempDir('catalog-lock-');
  fs.writeFileSync(path.join(dir, 'crds.lock.json'), JSON.stringify({ files }));
  return dir;
}

describe('pinned CRDs', () => {
  const lock = readLock(PROJECT_DIR);

  test('every locked file names its release, an upstream URL at that tag and a sha256', () => {
    for (const f of lock.files) {
      expect(f.url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/v\d+\.\d+\.\d+\//);
      expect(f.url.endsWith(path.basename(f.path))).toBe(true);
      expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(f.url).toContain(`/${f.path.split('/')[0].replace(/^.*-(v\d)/, '$1')}/`);
    }
  });

  test('the materialized files match the lock byte for byte', () => {
    for (const f of lock.files) {
      expect([f.path, sha256(fs.readFileSync(path.join(PROJECT_DIR, '.crds/files', f.path)))]).toEqual([
        f.path,
        f.sha256,
      ]);
    }
  });

  test('materialize fails clearly on a hash mismatch and leaves nothing half-written', async () => {
    const [first] = lock.files;
    const dir = projectWith([{ ...first, sha256: '0'.repeat(64) }]);
    await expect(materialize(dir, { sourceDir: SHARED })).rejects.toThrow(
      new RegExp(`sha256 mismatch for '${first.path}': expected 0{64}, got ${first.sha256}`),
    );
    expect(fs.existsSync(path.join(dir, '.crds'))).toBe(false);
  });

  test('materialize fails clearly on a missing file', async () => {
    const dir = projectWith([
      { path: 'provider-upjet-aws-v2.6.0/nope.yaml', url: 'https://example.invalid/nope.yaml', sha256: '0'.repeat(64) },
    ]);
    const err = await materialize(dir, { sourceDir: SHARED }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CrdLockError);
    expect((err as CrdLockError).missing.map((m) => m.path)).toEqual(['provider-upjet-aws-v2.6.0/nope.yaml']);
    expect(fs.existsSync(path.join(dir, '.crds'))).toBe(false);
  });

  test('materialize fetches a file missing locally from its upstream URL when allowed, and verifies it', async () => {
    const [first] = lock.files;
    const dir = projectWith([first]);
    const fetched: string[] = [];
    const r = await materialize(dir, {
      sourceDir: path.join(dir, 'empty'),
      fetchMissing: async (url) => {
        fetched.push(url);
        return fs.readFileSync(path.join(SHARED, first.path));
      },
    });
    expect(fetched).toEqual([first.url]);
    expect(r.files).toBe(1);
  });

  test('cdk8s.yaml imports exactly the locked groups (the prefixed ones separately)', () => {
    const cdk8s = parse(fs.readFileSync(path.join(PROJECT_DIR, 'cdk8s.yaml'), 'utf8'));
    const listed = (cdk8s.imports as string[]).map((i) => path.basename(i, '.yaml'));
    expect([...listed, ...Object.keys(PREFIXED_IMPORTS)].sort()).toEqual(materializedGroups(PROJECT_DIR));
  });

  test('imports/ is exactly what cdk8s import generates from the locked CRDs', () => {
    // WHEN imports are regenerated into a fresh folder
    const out = tempDir('catalog-imports-');
    runImports(PROJECT_DIR, out);
    // THEN no file differs, none is missing and none is extra
    const committed = fs.readdirSync(path.join(PROJECT_DIR, 'imports')).sort();
    expect(fs.readdirSync(out).sort()).toEqual(committed);
    for (const f of committed) {
      const same = fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(PROJECT_DIR, 'imports', f)));
      expect([f, same]).toEqual([f, true]);
    }
  });
});
