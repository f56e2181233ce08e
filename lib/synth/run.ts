import * as path from 'node:path';
import type { RenderedFile } from '../app';
import { loadAdoptions } from '../config/adoption';
import { ConfigError, count, UserError } from '../config/errors';
import { loadConfig } from '../config/load';
import { quotaWarnings } from '../config/quotas';
import type { Violation } from '../validate';
import { validateUnlessVerified, VerifiedCache } from '../validate/verified';
import { writeAtomically } from './write';

/** cdk8s settings that change rendered bytes (key order, hash algorithm, extra metadata files). */
export const CDK8S_OUTPUT_KNOBS = ['CDK8S_DISABLE_SORT', 'CDK8S_LEGACY_HASH', 'CDK8S_RECORD_CONSTRUCT_METADATA'];

export interface SynthOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Project folder holding `.crds/` (the pinned CRDs the output is validated against). */
  readonly projectDir: string;
  readonly log?: (line: string) => void;
  readonly error?: (line: string) => void;
  /** @default - the strict validator over the pinned CRDs */
  readonly validate?: (files: readonly RenderedFile[]) => Violation[];
}

/**
 * The synth entry point: load and validate configuration, build and render every chart, validate every object
 * strictly, and only then replace `dist/`. User errors print one line each and return 1, never a stack trace;
 * `dist/` is then left exactly as it was.
 */
export function synthesizeToDist(opts: SynthOptions): number {
  // cdk8s reads these from the process environment while rendering; output must not depend on them
  for (const knob of CDK8S_OUTPUT_KNOBS) {
    delete process.env[knob];
  }
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const error = opts.error ?? ((l: string) => process.stderr.write(`${l}\n`));
  // dist/ belongs to the project wherever synth is started from; an explicit CDK8S_OUTDIR is relative to cwd
  const outdir = opts.env.CDK8S_OUTDIR
    ? path.resolve(opts.cwd, opts.env.CDK8S_OUTDIR)
    : path.join(opts.projectDir, 'dist');
  const shown = `${displayPath(opts.cwd, outdir)}/`;
  // the cdk8s CLI always sets CDK8S_OUTDIR and empties that folder before the app starts, so with it set the app
  // cannot know the folder's earlier state and says only what it did; without it, dist/ is replaced atomically or
  // not at all
  const unchanged = opts.env.CDK8S_OUTDIR ? `nothing was written to ${shown}` : `${shown} was not changed`;
  try {
    const config = loadConfig({ env: opts.env, cwd: opts.cwd, projectDir: opts.projectDir });
    const adoptions = loadAdoptions(
      opts.projectDir,
      config.environments.map((e) => e.suffix),
    );
    // loaded only now: a configuration error is reported without loading the generated imports
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildApp, render } = require('../app') as typeof import('../app');
    const files = render(buildApp(config, { adoptions }));
    const violations = (opts.validate ?? ((fs) => validateStrictly(opts.projectDir, fs)))(files);
    if (violations.length > 0) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { formatViolation } = require('../validate') as typeof import('../validate');
      const rejected = new Set(violations.map((v) => `${v.file} ${v.kind} ${v.namespace ?? ''} ${v.name}`)).size;
      error(
        `synth failed: ${count(rejected, 'object')} would be rejected (${count(violations.length, 'violation')}); ${unchanged}`,
      );
      violations.forEach((v) => error(`  ${formatViolation(v)}`));
      return 1;
    }
    writeAtomically(outdir, new Map(files.map((f) => [f.file, f.text])));
    // AWS decides quotas; more environments than the defaults allow still synthesize, but say what to raise
    quotaWarnings(config.environments).forEach((w) => error(w));
    const objects = files.reduce((sum, f) => sum + f.objects.length, 0);
    log(
      `synth: ${count(config.environments.length, 'environment')}, ${count(files.length, 'file')}, ${count(objects, 'object')} in ${shown}`,
    );
    return 0;
  } catch (err) {
    if (err instanceof UserError) {
      error(`synth failed: ${err instanceof ConfigError ? 'invalid configuration' : 'cannot run'}; ${unchanged}`);
      err.lines.forEach((l) => error(`  ${l}`));
      return 1;
    }
    throw err;
  }
}

/**
 * Every object of `files` through the strict validator over the pinned CRDs, unless this exact set already passed
 * it (VerifiedCache: same objects, CRD catalog and validator code); the validator is loaded only when it runs.
 */
function validateStrictly(projectDir: string, files: readonly RenderedFile[]): Violation[] {
  const objects = files.flatMap((f) => f.objects.map((object) => ({ file: `dist/${f.file}`, object })));
  return validateUnlessVerified(objects, VerifiedCache.forProject(projectDir), (all) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Validator } = require('../validate') as typeof import('../validate');
    return Validator.forProject(projectDir).validate(all);
  });
}

/** `to` relative to `cwd` when it lies inside it, else absolute: a message names a folder the reader can find. */
function displayPath(cwd: string, to: string): string {
  const rel = path.relative(cwd, to);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? to : rel;
}
