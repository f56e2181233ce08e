import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthesizeToDist } from '../lib/synth/run';
import { recoverInterruptedSwap } from '../lib/synth/write';
import { baseConfigFile, PROJECT_DIR, tempDir } from './helpers';
import { MAIN_BUNDLE, pool, previews, runMain, snapshotDir, writeConfig } from './process';

const quiet = { log: () => undefined, error: () => undefined };

describe('determinism', () => {
  test('10 synths in a row give a byte-identical dist/', () => {
    const dir = tempDir();
    const config = writeConfig(dir, 'c.yaml', baseConfigFile());
    const out = path.join(dir, 'dist');
    const snapshots: Array<Record<string, string>> = [];
    for (let i = 0; i < 10; i++) {
      expect(
        synthesizeToDist({
          env: { CATALOG_CONFIG: config, CDK8S_OUTDIR: out },
          cwd: dir,
          projectDir: PROJECT_DIR,
          ...quiet,
        }),
      ).toBe(0);
      snapshots.push(snapshotDir(out));
    }
    for (const s of snapshots.slice(1)) {
      expect(s).toEqual(snapshots[0]);
    }
  });

  test('output does not depend on working directory, TZ, locale or undocumented variables', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, 'c.yaml', baseConfigFile());
    const other = tempDir('catalog-cwd-');
    const variants: Array<[string, { cwd?: string; env: Record<string, string> }]> = [
      ['baseline', { env: {} }],
      ['another working directory', { cwd: other, env: {} }],
      ['another time zone', { env: { TZ: 'Pacific/Chatham' } }],
      ['another locale', { env: { LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' } }],
      [
        'cdk8s output knobs and unrelated variables',
        { env: { CDK8S_DISABLE_SORT: '1', CDK8S_LEGACY_HASH: '1', AWS_REGION: 'us-west-2', NODE_ENV: 'production' } },
      ],
    ];
    const results = await pool(
      variants.map(([name, v], i) => async () => {
        const out = path.join(dir, `dist-${i}`);
        const r = await runMain({ cwd: v.cwd, env: { ...v.env, CATALOG_CONFIG: config, CDK8S_OUTDIR: out } });
        return { name, status: r.status, files: snapshotDir(out) };
      }),
    );
    for (const r of results) {
      expect([r.name, r.status]).toEqual([r.name, 0]);
      expect([r.name, r.files]).toEqual([r.name, results[0].files]);
    }
    expect(Object.keys(results[0].files).length).toBeGreaterThan(10);
  });
});

describe('atomic output', () => {
  test('a synth whose objects fail validation leaves dist/ byte-identical', () => {
    const dir = tempDir();
    const config = writeConfig(dir, 'c.yaml', baseConfigFile());
    const out = path.join(dir, 'dist');
    const env = { CATALOG_CONFIG: config, CDK8S_OUTDIR: out };
    expect(synthesizeToDist({ env, cwd: dir, projectDir: PROJECT_DIR, ...quiet })).toBe(0);
    const before = snapshotDir(out);
    // WHEN the validator rejects an object (a changed configuration, here a bigger one, that would be rejected)
    writeConfig(dir, 'c.yaml', previews(3));
    const errors: string[] = [];
    const rc = synthesizeToDist({
      env,
      cwd: dir,
      projectDir: PROJECT_DIR,
      log: () => undefined,
      error: (l) => errors.push(l),
      validate: () => [
        {
          file: 'dist/x.yaml',
          kind: 'VPC',
          namespace: 'n',
          name: 'v',
          path: 'spec',
          rule: 'schema',
          message: 'Invalid value',
        },
      ],
    });
    // THEN
    expect(rc).toBe(1);
    expect(errors[0]).toBe('synth failed: 1 object would be rejected (1 violation); nothing was written to dist/');
    expect(snapshotDir(out)).toEqual(before);
  });

  test('a synth killed at any moment leaves the previous or the new dist/, whole', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'dist');
    const small = writeConfig(dir, 'small.yaml', baseConfigFile());
    const big = writeConfig(dir, 'big.yaml', previews(8));
    expect((await runMain({ env: { CATALOG_CONFIG: small, CDK8S_OUTDIR: out } })).status).toBe(0);
    const before = snapshotDir(out);
    const saved = path.join(dir, 'saved');
    fs.cpSync(out, saved, { recursive: true });
    const started = performance.now();
    expect((await runMain({ env: { CATALOG_CONFIG: big, CDK8S_OUTDIR: path.join(dir, 'expected') } })).status).toBe(0);
    const full = performance.now() - started;
    const after = snapshotDir(path.join(dir, 'expected'));
    const outcomes: string[] = [];
    // kill at spread points of a full run, the last ones around the write and swap; the reference run above warms the
    // validator's cache, so later runs are faster and the early points are what still lands before the write. Point 0
    // kills the process as soon as it exists, before node has started: that one must leave the previous dist/ however
    // loaded the machine is (the other points depend on timing and may land on either side of the swap)
    for (const fraction of [0, 0.1, 0.3, 0.6, 0.85, 0.95, 1.0, 1.1]) {
      const child = spawn(process.execPath, [MAIN_BUNDLE], {
        cwd: PROJECT_DIR,
        env: { PATH: process.env.PATH ?? '', CATALOG_CONFIG: big, CDK8S_OUTDIR: out },
        stdio: 'ignore',
      });
      // listen before killing: a run that already ended emits 'close' only once
      const closed = new Promise((r) => child.on('close', r));
      await new Promise((r) => setTimeout(r, Math.round(full * fraction)));
      child.kill('SIGKILL');
      await closed;
      recoverInterruptedSwap(out); // what the next synth does first
      const now = snapshotDir(out);
      const state =
        JSON.stringify(now) === JSON.stringify(before)
          ? 'previous'
          : JSON.stringify(now) === JSON.stringify(after)
            ? 'new'
            : 'partial';
      outcomes.push(state);
      // the previous dist/ again for the next attempt
      fs.rmSync(out, { recursive: true, force: true });
      fs.cpSync(saved, out, { recursive: true });
    }
    expect(outcomes.filter((o) => o === 'partial')).toEqual([]);
    expect(outcomes[0]).toBe('previous');
  });
});
