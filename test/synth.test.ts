import * as fs from 'node:fs';
import * as path from 'node:path';
import { recoverInterruptedSwap, writeAtomically } from '../lib/synth/write';
import { spawnSync } from 'node:child_process';
import { buildApp, render } from '../lib/app';
import { baseConfigFile, PROJECT_DIR, repoConfig, tempDir, withEnvironment } from './helpers';
import { runMain, snapshotDir, writeConfig } from './process';

let configs = 0;
function runSynth(outdir: string, config: unknown) {
  const file = writeConfig(path.dirname(outdir), `config-${configs++}.yaml`, config);
  return runMain({ env: { CATALOG_CONFIG: file, CDK8S_OUTDIR: outdir } });
}

describe('synth entry point', () => {
  test('writes one folder per environment and is byte-identical when run twice', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'dist');
    const first = await runSynth(out, baseConfigFile());
    expect(first.status).toBe(0);
    const a = snapshotDir(out);
    expect(Object.keys(a)).toEqual(
      expect.arrayContaining(['environments/prod/network.k8s.yaml', 'environments/pr5706/network.k8s.yaml']),
    );
    expect((await runSynth(out, baseConfigFile())).status).toBe(0);
    expect(snapshotDir(out)).toEqual(a);
  });

  test('a bad configuration exits 1 with one line per problem, no stack trace, and dist/ untouched', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'dist');
    expect((await runSynth(out, baseConfigFile())).status).toBe(0);
    const before = snapshotDir(out);
    // WHEN
    const r = await runSynth(out, withEnvironment('pr5706', { network: { vpcCidr: 'nope' } }));
    // THEN
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`synth failed: invalid configuration; nothing was written to ${out}/`);
    expect(r.stderr).toMatch(/environments\[pr5706\]\.network\.vpcCidr: is not an IPv4 CIDR block \(got "nope"\)/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(snapshotDir(out)).toEqual(before);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('dist.'))).toEqual([]);
  });
});

describe('writeAtomically', () => {
  test('replaces the folder with exactly the new files', () => {
    const out = path.join(tempDir(), 'dist');
    writeAtomically(
      out,
      new Map([
        ['a/x.yaml', 'old'],
        ['stale.yaml', 'gone'],
      ]),
    );
    writeAtomically(out, new Map([['a/x.yaml', 'new']]));
    expect(snapshotDir(out)).toEqual({ 'a/x.yaml': 'new' });
  });

  test('a failure while writing leaves the previous folder byte-identical', () => {
    const out = path.join(tempDir(), 'dist');
    writeAtomically(out, new Map([['x.yaml', 'old']]));
    const failing = new Map([['x.yaml', 'new']]);
    failing.entries = () => {
      throw new Error('disk full');
    };
    expect(() => writeAtomically(out, failing)).toThrow('disk full');
    expect(snapshotDir(out)).toEqual({ 'x.yaml': 'old' });
  });

  test('a swap interrupted between its two renames is repaired by the next run', () => {
    const out = path.join(tempDir(), 'dist');
    writeAtomically(out, new Map([['x.yaml', 'old']]));
    // GIVEN a run killed after moving dist aside
    fs.renameSync(out, `${out}.previous`);
    // WHEN
    recoverInterruptedSwap(out);
    // THEN
    expect(snapshotDir(out)).toEqual({ 'x.yaml': 'old' });
  });
});

describe('npm run synth bundle', () => {
  test('the esbuild bundle npm run synth runs writes exactly what the source renders', async () => {
    const build = spawnSync(process.execPath, ['scripts/build.cjs'], { cwd: PROJECT_DIR, encoding: 'utf8' });
    expect(build.status).toBe(0);
    const out = path.join(tempDir(), 'dist');
    const r = spawnSync(process.execPath, [path.join(PROJECT_DIR, '.cache/build/main.js')], {
      cwd: tempDir(),
      env: { PATH: process.env.PATH, CDK8S_OUTDIR: out },
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const expected = render(buildApp(repoConfig()));
    expect(snapshotDir(out)).toEqual(
      Object.fromEntries(expected.map((f) => [f.file, Buffer.from(f.text).toString('latin1')])),
    );
  });
});
