import * as path from 'node:path';
import { adoptMain } from '../lib/adoption/cli';
import { synthesizeToDist } from '../lib/synth/run';
import type { Validator } from '../lib/validate';
import { FIXTURES_DIR } from './helpers';

/** The Terraform state fixtures (`terraform show -json`, raw v4 state) and their lookup files. */
export const STATE_FIXTURES_DIR = path.join(FIXTURES_DIR, 'adoption');

/**
 * Runs `npm run adopt` in-process with the seed fixture as the configuration, state and lookup paths relative to
 * the state fixtures, writing into `projectDir`. Returns the exit code and the lines printed to stdout and stderr.
 */
export function runAdopt(args: string[], projectDir: string): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = adoptMain(args, {
    env: { CATALOG_CONFIG: path.join(FIXTURES_DIR, 'seed.yaml') },
    cwd: STATE_FIXTURES_DIR,
    projectDir,
    log: (l) => out.push(l),
    error: (l) => err.push(l),
  });
  return { code, out, err };
}

/**
 * `npm run synth` of the seed fixture configuration in `dir` (which holds `config/adoption/`), into `dir/dist`,
 * every object checked by `validator`. Returns the exit code and the error lines.
 */
export function synthAdopted(dir: string, validator: Validator): { rc: number; errors: string[] } {
  const errors: string[] = [];
  const rc = synthesizeToDist({
    env: { CATALOG_CONFIG: path.join(FIXTURES_DIR, 'seed.yaml'), CDK8S_OUTDIR: path.join(dir, 'dist') },
    cwd: dir,
    projectDir: dir,
    log: () => undefined,
    error: (l) => errors.push(l),
    validate: (files) =>
      validator.validate(files.flatMap((f) => f.objects.map((object) => ({ file: `dist/${f.file}`, object })))),
  });
  return { rc, errors };
}
