/**
 * lib/common/code-cache.cjs, which runs the bundles with V8's code cache: the cache is written after a run, and a
 * changed bundle never runs with the code cached for the old one (V8 itself checks only the source's length).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_DIR, tempDir } from './helpers';

const LOADER = path.join(PROJECT_DIR, 'lib', 'common', 'code-cache.cjs');

function run(bundle: string, main = false): { status: number | null; stdout: string; stderr: string } {
  const load = `require(${JSON.stringify(LOADER)}).runCached(process.argv[1], { main: ${main} })`;
  return spawnSync(process.execPath, ['-e', load, bundle], { encoding: 'utf8' });
}

describe('code cache', () => {
  test('GIVEN a bundle WHEN it runs THEN it runs as a module and leaves a cache beside it', () => {
    const bundle = path.join(tempDir('catalog-code-cache-'), 'b.js');
    fs.writeFileSync(
      bundle,
      'console.log(typeof require, typeof module.exports, path(__filename));\nfunction path(f) { return require("node:path").basename(f); }\n',
    );
    const r = run(bundle);
    expect([r.status, r.stdout.trim()]).toEqual([0, 'function object b.js']);
    expect(fs.existsSync(`${bundle}.v8cache`)).toBe(true);
  });

  test('GIVEN a cached bundle WHEN it is replaced by one of the same length THEN the new code runs', () => {
    const bundle = path.join(tempDir('catalog-code-cache-'), 'b.js');
    fs.writeFileSync(bundle, 'console.log("old")\n');
    expect(run(bundle).stdout).toBe('old\n');
    expect(run(bundle).stdout).toBe('old\n');
    fs.writeFileSync(bundle, 'console.log("new")\n');
    // V8 would take the cache made for the old bytes, which have the same length
    expect(run(bundle).stdout).toBe('new\n');
  });

  test('GIVEN a damaged cache file WHEN the bundle runs THEN it runs and the cache is rewritten', () => {
    const bundle = path.join(tempDir('catalog-code-cache-'), 'b.js');
    fs.writeFileSync(bundle, 'console.log("ok")\n');
    run(bundle);
    const cache = `${bundle}.v8cache`;
    const key = fs.readFileSync(cache).subarray(0, fs.readFileSync(cache).indexOf(0x0a) + 1);
    fs.writeFileSync(cache, Buffer.concat([key, Buffer.from('garbage')]));
    expect(run(bundle).stdout).toBe('ok\n');
    expect(fs.readFileSync(cache).length).toBeGreaterThan(key.length + 'garbage'.length);
  });

  test.each([
    [true, 'main'],
    [false, 'not main'],
  ])(
    'GIVEN a bundle that runs only as the main module WHEN it is loaded with main %s THEN it sees itself as %s',
    (main, seen) => {
      const bundle = path.join(tempDir('catalog-code-cache-'), 'b.js');
      fs.writeFileSync(bundle, 'console.log(require.main === module ? "main" : "not main");\n');
      expect(run(bundle, main).stdout).toBe(`${seen}\n`);
    },
  );
});

describe('bundles', () => {
  test('GIVEN the validate bundle WHEN it is started as npm run validate starts it THEN it runs its command line', () => {
    const r = spawnSync(process.execPath, [path.join(PROJECT_DIR, '.cache', 'build', 'validate.js'), '--help'], {
      encoding: 'utf8',
    });
    expect([r.status, r.stdout]).toEqual([0, expect.stringMatching(/^usage: npm run validate/)]);
  });
});
