/**
 * npm run bench: wall time (median/min/max) and peak memory of synth, validation and the test suite, against the
 * way the cdk8s template runs the same app (`npx ts-node main.ts`). Prints a markdown table. Runs sequentially on
 * an otherwise idle machine; each case runs in fresh processes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';

const projectDir = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-bench-'));
const preload = path.join(projectDir, 'scripts', 'bench-rss.cjs');
const bundle = (name: string) => path.join(projectDir, '.cache', 'build', `${name}.js`);

interface Row {
  readonly name: string;
  readonly runs: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly rssMiB: number;
}

function config(n: number | 'default'): string {
  const base = parse(fs.readFileSync(path.join(projectDir, 'config/environments.yaml'), 'utf8'));
  if (n !== 'default') {
    base.environments = Array.from({ length: n }, (_, i) => ({ suffix: `pr${1000 + i}`, profile: 'preview' }));
  }
  const file = path.join(work, `config-${n}.yaml`);
  fs.writeFileSync(file, stringify(base));
  return file;
}

function measure(name: string, runs: number, cmd: string, args: string[], env: Record<string, string> = {}): Row {
  const times: number[] = [];
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const rssDir = fs.mkdtempSync(path.join(work, 'rss-'));
    const started = process.hrtime.bigint();
    const r = spawnSync(cmd, args, {
      cwd: projectDir,
      env: { ...process.env, ...env, BENCH_RSS_DIR: rssDir, NODE_OPTIONS: `--require ${preload}` },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0) {
      process.stderr.write(`bench: ${name}: exit ${r.status}\n${r.stderr.slice(-2000)}\n`);
      process.exitCode = 1;
      return { name: `${name} (FAILED)`, runs: i, median: NaN, min: NaN, max: NaN, rssMiB: NaN };
    }
    times.push(seconds);
    for (const f of fs.readdirSync(rssDir)) {
      rss = Math.max(rss, Number(fs.readFileSync(path.join(rssDir, f), 'utf8')));
    }
  }
  const sorted = [...times].sort((a, b) => a - b);
  const row = {
    name,
    runs,
    median: sorted[Math.floor(sorted.length / 2)],
    min: sorted[0],
    max: sorted[sorted.length - 1],
    rssMiB: rss / 1024,
  };
  process.stderr.write(`bench: ${name}: median ${row.median.toFixed(2)} s\n`);
  return row;
}

const node = process.execPath;
const label = (n: number | 'default') => (n === 'default' ? 'default environments (2)' : `${n} preview environments`);
const synth = (n: number | 'default', runs: number): Row =>
  measure(`synth: ${label(n)}`, runs, node, [bundle('main')], {
    CATALOG_CONFIG: config(n),
    CDK8S_OUTDIR: path.join(work, `dist-${n}`),
  });
const validate = (n: number | 'default', runs: number): Row =>
  measure(`validate: ${label(n)}`, runs, node, [bundle('validate'), path.join(work, `dist-${n}`)]);

// warm-up: materialized CRDs, bundles and compiled schema cache, as after `npm run synth`
spawnSync('npm', ['run', '-s', 'synth'], {
  cwd: projectDir,
  env: { ...process.env, CDK8S_OUTDIR: path.join(work, 'warmup') },
});

const rows: Row[] = [
  synth('default', 5),
  measure(
    'npm run synth (npm, CRD verification, bundle check, synth), default environments',
    5,
    'npm',
    ['run', '-s', 'synth'],
    {
      CDK8S_OUTDIR: path.join(work, 'dist-npm'),
    },
  ),
  synth(10, 5),
  synth(100, 3),
  validate('default', 5),
  validate(10, 5),
  validate(100, 3),
  measure('baseline: npx ts-node main.ts (cdk8s template), default environments', 5, 'npx', ['ts-node', 'main.ts'], {
    CDK8S_OUTDIR: path.join(work, 'dist-ts-node'),
  }),
  // the pull-request plan: base and working tree synthesized side by side, then compared
  measure('plan: npm run plan against HEAD (two synths and the comparison)', 3, 'npm', [
    'run',
    '-s',
    'plan',
    '--',
    '--base',
    'HEAD',
    '--json',
  ]),
  measure('test suite: npm test (type check, lint, all jest suites)', 3, 'npm', ['test', '--silent']),
];

const fmt = (s: number) => s.toFixed(2);
console.log(`| case | runs | median s | min s | max s | peak RSS MiB |`);
console.log(`|---|---:|---:|---:|---:|---:|`);
for (const r of rows) {
  console.log(`| ${r.name} | ${r.runs} | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(r.max)} | ${r.rssMiB.toFixed(0)} |`);
}
const [d, , s10, s100] = rows;
const baseline = rows.find((r) => r.name.startsWith('baseline'))!;
console.log('');
console.log(`synth speed-up over ts-node: ${(baseline.median / d.median).toFixed(1)}x`);
console.log(
  `synth cost per environment: 10 envs ${((s10.median / 10) * 1000).toFixed(0)} ms, 100 envs ${((s100.median / 100) * 1000).toFixed(0)} ms`,
);
console.log(`machine: ${os.cpus().length} cores, node ${process.version}`);
fs.rmSync(work, { recursive: true, force: true });
