// Bundles the synth and validate entry points into .cache/build with esbuild, unless the bundles are newer than
// every source: node then loads one file instead of transpiling and resolving hundreds. `.cache/build/<entry>.js`
// runs `.cache/build/bundle/<entry>.js` through lib/common/code-cache.cjs, which keeps V8's compiled code between runs.
'use strict';
const crypto = require('node:crypto');
const esbuild = require('esbuild');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = path.join(root, '.cache', 'build');
const entries = {
  main: 'main.ts',
  validate: 'lib/validate/cli.ts',
  crds: 'scripts/crds.ts',
  preview: 'scripts/preview.ts',
};

function newest(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...fs.readdirSync(p).map((e) => newest(path.join(p, e))));
}

const inputs = [
  'main.ts',
  'lib',
  'imports',
  'scripts/crds.ts',
  'scripts/preview.ts',
  'package-lock.json',
  'scripts/build.cjs',
].map((p) => path.join(root, p));
const built = Object.keys(entries).flatMap((e) => [path.join(out, `${e}.js`), path.join(out, 'bundle', `${e}.js`)]);
const upToDate =
  built.every((b) => fs.existsSync(b)) &&
  Math.min(...built.map((b) => fs.statSync(b).mtimeMs)) > Math.max(...inputs.map(newest));
// stands for the digest of the bundle's sources until that is known (after the build, from its metafile)
const PLACEHOLDER = `"${'0'.repeat(64)}"`;

if (!upToDate) {
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: entries,
    outdir: path.join(out, 'bundle'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    // less to read and parse on every start; identifiers keep their names, so stack traces stay readable
    minifyWhitespace: true,
    minifySyntax: true,
    // read as files at run time, not as code
    external: ['@kubernetes/client-node'],
    // lib/validate/verified.ts: a record of a verdict holds only for the code that gave it
    define: { CATALOG_BUNDLE_DIGEST: PLACEHOLDER },
    metafile: true,
    write: false,
    logLevel: 'error',
  });
  fs.mkdirSync(path.join(out, 'bundle'), { recursive: true });
  for (const file of result.outputFiles) {
    const meta = result.metafile.outputs[path.relative(root, file.path)];
    const digest = crypto.createHash('sha256');
    for (const input of Object.keys(meta?.inputs ?? {}).sort()) {
      digest
        .update(`${input}\0`)
        .update(fs.readFileSync(path.join(root, input)))
        .update('\0');
    }
    const text = file.text.replaceAll(PLACEHOLDER, `"${digest.digest('hex')}"`);
    // every bundle but crds.js is loaded by lib/common/code-cache.cjs, so it is written as the function Node would wrap
    // it in: V8 then compiles the file's own text, not a second copy of it
    fs.writeFileSync(file.path, path.basename(file.path) === 'crds.js' ? text : Module.wrap(text));
  }
  for (const e of Object.keys(entries)) {
    if (e === 'crds') {
      // verifies the CRDs before everything else, so it stays one file that needs nothing of the project
      fs.copyFileSync(path.join(out, 'bundle', `${e}.js`), path.join(out, `${e}.js`));
      continue;
    }
    fs.writeFileSync(
      path.join(out, `${e}.js`),
      [
        // V8 flags for a process that lives seconds, set before any code is compiled, so the flag hash V8 keeps in the
        // code cache is the same in every run. Measured in alternating runs of a synth that validates everything
        // (Node 20, 2 shared cores): `--max-opt=1` stops tiering up at the baseline compiler, because TurboFan's
        // compile jobs cost more than the optimized code saves in so short a run: CPU time 1.43 s to 0.99 s for the
        // default environments and 2.38 s to 1.75 s for 10 previews (measured as `--no-opt`, the same on Node 20,
        // where Maglev is off), 5.9 s to 5.6 s for 30 previews (two runs each). `npm run validate` keeps TurboFan: it
        // parses the YAML of every file, and for 30 previews it took 6.7 s of CPU time without TurboFan against 5.4 s
        // with it (medians of 3 runs).
        // `--semi-space-growth-factor=1` keeps the young generation at its initial size, and every fresh page of a
        // larger one is a page fault, which costs more than the scavenges it saves (22% fewer page faults, 13% less
        // CPU time). Later V8 versions raise a growth factor below 2 to 2 (a minimum-value implication in
        // src/flags/flag-definitions.h), which makes that one a no-op there.
        `require('node:v8').setFlagsFromString('${e === 'validate' ? '' : '--max-opt=1 '}--semi-space-growth-factor=1');`,
        `require('../../lib/common/code-cache.cjs').runCached(require('node:path').join(__dirname, 'bundle', '${e}.js'), { main: true, wrapped: true });`,
        '',
      ].join('\n'),
    );
  }
}
