// npm's postinstall for this project: materializes the pinned CRDs into .crds/ (`npm run crds`), which cdk8s.yaml's
// imports, `npx cdk8s import`, synth and the tests read. An install never fails for it: when the CRDs cannot be
// provided yet (no ../shared/crds, no CRDS_SOURCE_DIR or CRDS_FETCH), or tsx is not installed (`--omit=dev`), it says
// what is missing and what to run once it is.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const r = spawnSync(process.execPath, [tsx, path.join(root, 'scripts', 'crds.ts'), 'materialize'], {
  cwd: root,
  stdio: 'inherit',
});
if (r.status !== 0) {
  process.stderr.write(
    [
      `postinstall: the pinned CRDs were not materialized into .crds/ (${r.error ? r.error.message : `exit ${r.status}`}); the install itself succeeded.`,
      '  npm run synth, npm test and npx cdk8s import read .crds/: run `npm run crds` (or `npm run import`) once the pinned CRDs are available.',
      '',
    ].join('\n'),
  );
}
