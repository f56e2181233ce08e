// Before any suite: build the bundle `npm run synth` runs (the child-process tests run it too), and synthesize once
// so the compiled-validator cache is warm and suites do not race each other to fill it on a fresh clone.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = () => {
  require('../scripts/build.cjs');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-warmup-'));
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', '.cache', 'build', 'main.js')], {
    env: { PATH: process.env.PATH, CDK8S_OUTDIR: path.join(out, 'dist') },
    encoding: 'utf8',
  });
  fs.rmSync(out, { recursive: true, force: true });
  if (r.status !== 0) {
    throw new Error(`warm-up synth failed:\n${r.stderr}`);
  }
};
