/**
 * How lib/common/code-cache.cjs reads what it runs: a pre-wrapped bundle is compiled as it is (no second copy of its
 * text), anything else is refused in that mode, and an ASCII file becomes a one-byte string without changing what a
 * non-ASCII file says. The bundles scripts/build.cjs writes are ASCII and pre-wrapped.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { PROJECT_DIR, tempDir } from './helpers';

const LOADER = path.join(PROJECT_DIR, 'lib', 'common', 'code-cache.cjs');

function run(file: string, wrapped: boolean): { status: number | null; stdout: string; stderr: string } {
  const load = `require(${JSON.stringify(LOADER)}).runCached(process.argv[1], { wrapped: ${wrapped} })`;
  return spawnSync(process.execPath, ['-e', load, file], { encoding: 'utf8' });
}

describe('runCached', () => {
  test('GIVEN a file written as Module.wrap of its code WHEN it runs wrapped THEN it runs as a module, twice the same', () => {
    const file = path.join(tempDir('catalog-bundle-load-'), 'b.js');
    fs.writeFileSync(
      file,
      Module.wrap('console.log(typeof module.exports, require("node:path").basename(__filename));'),
    );
    expect([run(file, true).stdout, run(file, true).stdout]).toEqual(['object b.js\n', 'object b.js\n']);
  });

  test('GIVEN a plain script WHEN it is run as a wrapped module THEN it is refused and none of it runs', () => {
    const file = path.join(tempDir('catalog-bundle-load-'), 'b.js');
    fs.writeFileSync(file, 'console.log("ran at the top level");\n');
    const r = run(file, true);
    expect([r.status, r.stdout, r.stderr]).toEqual([1, '', expect.stringContaining('is not a wrapped module')]);
  });

  test.each([
    ['non-ASCII', 'µs, μs and ✓'],
    ['ASCII', 'plain text'],
  ])('GIVEN a %s module WHEN it runs THEN its strings are what the file says', (_, text) => {
    const file = path.join(tempDir('catalog-bundle-load-'), 'b.js');
    fs.writeFileSync(file, `console.log(${JSON.stringify(text)}, ${JSON.stringify(text)}.length);\n`, 'utf8');
    expect(run(file, false).stdout).toBe(`${text} ${text.length}\n`);
    // and again from the code cache the first run left
    expect(run(file, false).stdout).toBe(`${text} ${text.length}\n`);
  });
});

describe('bundles', () => {
  test.each(['main', 'validate', 'preview'])(
    'GIVEN the %s bundle WHEN it is read THEN it is ASCII and pre-wrapped, so V8 keeps one one-byte copy of it',
    (entry) => {
      const bytes = fs.readFileSync(path.join(PROJECT_DIR, '.cache', 'build', 'bundle', `${entry}.js`));
      expect(bytes.findIndex((b) => b > 0x7f)).toBe(-1);
      expect(bytes.toString('latin1').startsWith(Module.wrap('\0').split('\0')[0])).toBe(true);
    },
  );
});
