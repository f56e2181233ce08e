// Bundles the synth and validate entry points into .cache/build with esbuild, unless the bundles are newer than
// every source: node then loads one file instead of transpiling and resolving hundreds.
'use strict';
const esbuild = require('esbuild');
const fs = require('node:fs');
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
const built = Object.keys(entries).map((e) => path.join(out, `${e}.js`));
const upToDate =
  built.every((b) => fs.existsSync(b)) &&
  Math.min(...built.map((b) => fs.statSync(b).mtimeMs)) > Math.max(...inputs.map(newest));
if (!upToDate) {
  esbuild.buildSync({
    entryPoints: entries,
    outdir: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // read as files at run time, not as code
    external: ['@kubernetes/client-node'],
    logLevel: 'error',
  });
}
