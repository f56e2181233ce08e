/**
 * npm run bench: wall time (median/min/max) and peak memory of synth, validation and the test suite, against a bare
 * `node -e ""` start and the way the cdk8s template runs the same app (`npx ts-node main.ts`). Prints a markdown
 * table and the two start-up ratios. Each case runs in fresh processes; the three cases of the ratios run in turn,
 * run by run, so a busy machine slows them alike. Cases that must validate everything delete the records of
 * validated object sets (`.cache/verified`) before each run; compiled validators and the code cache stay warm, as
 * after any earlier `npm run synth`. `npm run bench -- --ratios` measures only the three cases of the ratios.
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

interface Case {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
  /** Run before each timed run, untimed. */
  readonly before?: () => void;
}

const verifiedRecords = path.join(projectDir, '.cache', 'verified');
const forgetVerified = () => fs.rmSync(verifiedRecords, { recursive: true, force: true });

/** Times `runs` fresh processes of each case, the cases taking turns within every round. */
function measureInTurn(cases: readonly Case[], runs: number): Row[] {
  const times = cases.map((): number[] => []);
  const rss = cases.map(() => 0);
  const failed = new Set<number>();
  for (let i = 0; i < runs; i++) {
    cases.forEach((c, j) => {
      if (failed.has(j)) return;
      c.before?.();
      const rssDir = fs.mkdtempSync(path.join(work, 'rss-'));
      const started = process.hrtime.bigint();
      const r = spawnSync(c.cmd, c.args, {
        cwd: projectDir,
        env: { ...process.env, ...c.env, BENCH_RSS_DIR: rssDir, NODE_OPTIONS: `--require ${preload}` },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (r.status !== 0) {
        process.stderr.write(`bench: ${c.name}: exit ${r.status}\n${r.stderr.slice(-2000)}\n`);
        process.exitCode = 1;
        failed.add(j);
        return;
      }
      times[j].push(seconds);
      for (const f of fs.readdirSync(rssDir)) {
        rss[j] = Math.max(rss[j], Number(fs.readFileSync(path.join(rssDir, f), 'utf8')));
      }
    });
  }
  return cases.map((c, j) => {
    if (failed.has(j)) {
      return { name: `${c.name} (FAILED)`, runs: times[j].length, median: NaN, min: NaN, max: NaN, rssMiB: NaN };
    }
    const sorted = [...times[j]].sort((a, b) => a - b);
    const row = {
      name: c.name,
      runs,
      median: sorted[Math.floor(sorted.length / 2)],
      min: sorted[0],
      max: sorted[sorted.length - 1],
      rssMiB: rss[j] / 1024,
    };
    process.stderr.write(`bench: ${c.name}: median ${row.median.toFixed(3)} s\n`);
    return row;
  });
}

function measure(name: string, runs: number, cmd: string, args: string[], env: Record<string, string> = {}): Row {
  return measureInTurn([{ name, cmd, args, env }], runs)[0];
}

const node = process.execPath;
const configured = parse(fs.readFileSync(path.join(projectDir, 'config/environments.yaml'), 'utf8')).environments
  .length;
const label = (n: number | 'default') =>
  n === 'default' ? `default environments (${configured})` : `${n} preview environments`;
const synthCase = (n: number | 'default', what: 'unchanged' | 'validating'): Case => ({
  name: `synth: ${label(n)}, ${what === 'unchanged' ? 'output unchanged (validated set on record)' : 'validating every object'}`,
  cmd: node,
  args: [bundle('main')],
  env: { CATALOG_CONFIG: config(n), CDK8S_OUTDIR: path.join(work, `dist-${n}`) },
  before: what === 'validating' ? forgetVerified : undefined,
});
const synth = (n: number | 'default', runs: number): Row => measureInTurn([synthCase(n, 'validating')], runs)[0];
const validate = (n: number | 'default', runs: number): Row =>
  measure(`validate: ${label(n)}`, runs, node, [bundle('validate'), path.join(work, `dist-${n}`)]);

// warm-up: materialized CRDs, bundles and compiled schema cache, as after `npm run synth`
spawnSync('npm', ['run', '-s', 'synth'], {
  cwd: projectDir,
  env: { ...process.env, CDK8S_OUTDIR: path.join(work, 'warmup') },
});

const [bare, unchanged, validating] = measureInTurn(
  [
    { name: 'bare node start: node -e ""', cmd: node, args: ['-e', ''] },
    synthCase('default', 'unchanged'),
    synthCase('default', 'validating'),
  ],
  11,
);
const ratiosOnly = process.argv.includes('--ratios');
const rows: Row[] = [bare, unchanged, validating];
if (!ratiosOnly)
  rows.push(
    measure(
      'npm run synth (npm, CRD verification, bundle check, synth), default environments, output unchanged',
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
    measure('test suite: npm test (type check, lint, all jest suites)', 1, 'npm', ['test', '--silent']),
  );

const fmt = (s: number) => s.toFixed(3);
console.log(`| case | runs | median s | min s | max s | peak RSS MiB |`);
console.log(`|---|---:|---:|---:|---:|---:|`);
for (const r of rows) {
  console.log(`| ${r.name} | ${r.runs} | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(r.max)} | ${r.rssMiB.toFixed(0)} |`);
}
const s10 = rows.find((r) => r.name.startsWith('synth: 10 '));
const s100 = rows.find((r) => r.name.startsWith('synth: 100 '));
const baseline = rows.find((r) => r.name.startsWith('baseline'));
const ratio = (r: Row) => `${(r.median / bare.median).toFixed(2)}x`;
console.log('');
console.log(
  `synth, output unchanged: ${ratio(unchanged)} a bare node start (${fmt(unchanged.median)} s / ${fmt(bare.median)} s, target <= 4.5x)`,
);
console.log(
  `synth, validating every object: ${ratio(validating)} a bare node start (${fmt(validating.median)} s / ${fmt(bare.median)} s, target <= 7x)`,
);
if (baseline && s10 && s100) {
  console.log(
    `synth speed-up over ts-node: ${(baseline.median / validating.median).toFixed(1)}x (validating every object)`,
  );
  console.log(
    `synth cost per environment: 10 envs ${((s10.median / 10) * 1000).toFixed(0)} ms, 100 envs ${((s100.median / 100) * 1000).toFixed(0)} ms`,
  );
}
console.log(
  `machine: ${os.cpus().length} cores, node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the end`,
);
fs.rmSync(work, { recursive: true, force: true });
