/** Regenerates imports/ from the pinned, materialized CRDs (run `npm run crds` first). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runImports } from '../lib/crds/imports';

const projectDir = path.resolve(__dirname, '..');
const outdir = path.join(projectDir, 'imports');
fs.rmSync(outdir, { recursive: true, force: true });
runImports(projectDir, 'imports');
console.log(`imports: ${fs.readdirSync(outdir).length} files regenerated`);
