import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildApp, render } from '../lib/app';
import { synthesizeToDist } from '../lib/synth/run';
import { recoverInterruptedSwap } from '../lib/synth/write';
import { formatViolation, Validator } from '../lib/validate';
import { baseConfigFile, loadFrom, PROJECT_DIR, tempDir } from './helpers';
import { MAIN_BUNDLE, pool, runMain, snapshotDir, writeConfig } from './process';

const quiet = { log: () => undefined, error: () => undefined };

/** A configuration with `n` generated preview environments (pr1000, pr1001, ...). */
export function previews(n: number): any {
  return {
    ...baseConfigFile(),
    environments: Array.from({ length: n }, (_, i) => ({ suffix: `pr${1000 + i}`, profile: 'preview' })),
  };
}

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
  }, 60_000);
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
    expect(errors[0]).toBe('synth failed: 1 objects would be rejected; dist/ was not changed');
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
    // kill at spread points of a full run, the last ones around the write and swap
    for (const fraction of [0.6, 0.85, 0.95, 1.0, 1.1]) {
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
    expect(outcomes).toContain('previous');
  }, 240_000);
});

describe('scale', () => {
  test('100 preview environments: no collision among globally unique names, and everything validates', () => {
    const built = buildApp(loadFrom(previews(100)));
    const files = render(built);
    const objects = files.flatMap((f) => f.objects);
    const all = [...objects, ...objects.filter((o) => o.kind === 'Object').map((o) => o.spec.forProvider.manifest)];
    const global = (pred: (o: any) => boolean, name: (o: any) => string) => all.filter(pred).map(name);
    const families: Array<[string, string[]]> = [
      [
        's3 buckets',
        global(
          (o) => o.kind === 'Bucket',
          (o) => o.metadata.name,
        ),
      ],
      [
        'iam roles',
        global(
          (o) => o.kind === 'Role',
          (o) => o.metadata.name,
        ),
      ],
      [
        'cloudfront comments',
        global(
          (o) => o.kind === 'Distribution',
          (o) => o.spec.forProvider.comment,
        ),
      ],
      [
        'alarm names',
        global(
          (o) => o.kind === 'MetricAlarm',
          (o) => `${o.spec.forProvider.region}/${o.metadata.name}`,
        ),
      ],
      [
        'load balancers',
        global(
          (o) => o.kind === 'LB',
          (o) => o.spec.forProvider.name,
        ),
      ],
      [
        'secrets',
        global(
          (o) => o.kind === 'Secret' && o.apiVersion !== 'v1',
          (o) => o.spec.forProvider.name,
        ),
      ],
      [
        'namespaces',
        global(
          (o) => o.kind === 'Namespace',
          (o) => o.metadata.name,
        ),
      ],
    ];
    for (const [family, names] of families) {
      expect([family, names.length]).toEqual([
        family,
        family === 'alarm names' ? 600 : family === 'iam roles' ? 200 : 100,
      ]);
      expect([family, new Set(names).size]).toEqual([family, names.length]);
    }
    const violations = Validator.forProject(PROJECT_DIR).validate(
      objects.map((object) => ({ file: 'dist.yaml', object })),
    );
    expect(violations.map(formatViolation)).toEqual([]);
  }, 60_000);
});
