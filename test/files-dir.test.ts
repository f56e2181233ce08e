/**
 * npm runs every script in the project folder; a file named on the command line is meant relative to the folder the
 * user ran npm in (`INIT_CWD`), while a relative `CATALOG_CONFIG` resolves as in every script. The scripts pass
 * `filesDir` for the former; these tests give each command a `cwd` and a `filesDir` that differ.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adoptMain } from '../lib/adoption/cli';
import { previewMain } from '../lib/synth/preview';
import { STATE_FIXTURES_DIR } from './adoption-support';
import { FIXTURES_DIR, PROJECT_DIR, tempDir } from './helpers';

/** A working folder holding the seed configuration as `seed.yaml`, named relatively by `CATALOG_CONFIG`. */
function workingFolder(): string {
  const cwd = tempDir('catalog-files-cwd-');
  fs.copyFileSync(path.join(FIXTURES_DIR, 'seed.yaml'), path.join(cwd, 'seed.yaml'));
  return cwd;
}

describe('npm run adopt: file arguments', () => {
  test('GIVEN --state, --lookup and --report relative to the folder npm was run in WHEN adopted THEN they are read and written there', () => {
    // GIVEN
    const cwd = workingFolder();
    const here = tempDir('catalog-files-here-');
    for (const f of ['pr5706.tfstate', 'pr5706.sg-rules.json']) {
      fs.copyFileSync(path.join(STATE_FIXTURES_DIR, f), path.join(here, f));
    }
    const project = tempDir('catalog-files-project-');
    const err: string[] = [];
    // WHEN
    const code = adoptMain(
      ['--state', 'pr5706.tfstate', '--suffix', 'pr5706', '--lookup', 'pr5706.sg-rules.json', '--report', 'r.json'],
      {
        env: { CATALOG_CONFIG: 'seed.yaml' },
        cwd,
        filesDir: here,
        projectDir: project,
        log: () => undefined,
        error: (l) => err.push(l),
      },
    );
    // THEN
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(here, 'r.json'), 'utf8'))).toHaveProperty('resources');
    expect(fs.existsSync(path.join(cwd, 'r.json'))).toBe(false);
    expect(fs.existsSync(path.join(project, 'config', 'adoption', 'pr5706.yaml'))).toBe(true);
  });
});

describe('npm run preview:render: --out', () => {
  test('GIVEN --out relative to the folder npm was run in WHEN rendered THEN the preview is written there and shown relative to it', () => {
    // GIVEN
    const cwd = workingFolder();
    const here = tempDir('catalog-files-here-');
    const out: string[] = [];
    const err: string[] = [];
    // WHEN
    const code = previewMain(['render', '--pr', '12', '--out', 'out'], {
      env: { CATALOG_CONFIG: 'seed.yaml' },
      cwd,
      filesDir: here,
      projectDir: PROJECT_DIR,
      log: (l) => out.push(l),
      error: (l) => err.push(l),
    });
    // THEN
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual([
      expect.stringMatching(/^preview:render: pr12, \d+ files, \d+ objects in out\/environments\/pr12\/$/),
    ]);
    expect(fs.readdirSync(path.join(here, 'out', 'environments', 'pr12')).length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(cwd, 'out'))).toBe(false);
  });
});
