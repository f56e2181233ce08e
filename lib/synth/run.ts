import * as path from 'node:path';
import { buildApp, render } from '../app';
import { ConfigError } from '../config/errors';
import { loadConfig } from '../config/load';
import { formatViolation, Validator } from '../validate';
import { writeAtomically } from './write';

export interface SynthOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Project folder holding `.crds/` (the pinned CRDs the output is validated against). */
  readonly projectDir: string;
  readonly log?: (line: string) => void;
  readonly error?: (line: string) => void;
}

/**
 * The synth entry point: load and validate configuration, build and render every chart, validate every object
 * strictly, and only then replace `dist/`. User errors print one line each and return 1, never a stack trace;
 * `dist/` is then left exactly as it was.
 */
export function synthesizeToDist(opts: SynthOptions): number {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const error = opts.error ?? ((l: string) => process.stderr.write(`${l}\n`));
  try {
    const config = loadConfig({ env: opts.env, cwd: opts.cwd });
    const files = render(buildApp(config));
    const violations = Validator.forProject(opts.projectDir).validate(
      files.flatMap((f) => f.objects.map((object) => ({ file: `dist/${f.file}`, object }))),
    );
    if (violations.length > 0) {
      error(`synth failed: ${violations.length} objects would be rejected; dist/ was not changed`);
      violations.forEach((v) => error(`  ${formatViolation(v)}`));
      return 1;
    }
    const outdir = path.resolve(opts.cwd, opts.env.CDK8S_OUTDIR ?? 'dist');
    writeAtomically(outdir, new Map(files.map((f) => [f.file, f.text])));
    const objects = files.reduce((sum, f) => sum + f.objects.length, 0);
    log(
      `synth: ${config.environments.length} environments, ${files.length} files, ${objects} objects in ${path.relative(opts.cwd, outdir) || '.'}/`,
    );
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      error('synth failed: invalid configuration; dist/ was not changed');
      err.lines.forEach((l) => error(`  ${l}`));
      return 1;
    }
    throw err;
  }
}
