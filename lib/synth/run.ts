import * as path from 'node:path';
import { buildApp, render } from '../app';
import { ConfigError } from '../config/errors';
import { loadConfig } from '../config/load';
import { writeAtomically } from './write';

export interface SynthOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly argv: readonly string[];
  readonly log?: (line: string) => void;
  readonly error?: (line: string) => void;
}

/**
 * The synth entry point: load and validate configuration, build and render every chart, and only then replace
 * `dist/`. User errors print one line each and return 1, never a stack trace; `dist/` is left as it was.
 */
export function synthesizeToDist(opts: SynthOptions): number {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const error = opts.error ?? ((l: string) => process.stderr.write(`${l}\n`));
  try {
    const config = loadConfig({ env: opts.env, cwd: opts.cwd });
    const files = render(buildApp(config));
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
