import * as path from 'node:path';
import type { RenderedFile } from '../app';
import { loadAdoptions } from '../config/adoption';
import { ConfigError, count, UserError } from '../config/errors';
import { loadConfig } from '../config/load';
import { quotaWarnings } from '../config/quotas';
import type { Violation } from '../validate';
import { validateOrRecall, VerifiedCache } from '../validate/verified';
import { writeAtomically } from './write';

/** cdk8s settings that change rendered bytes (key order, hash algorithm, extra metadata files). */
export const CDK8S_OUTPUT_KNOBS = ['CDK8S_DISABLE_SORT', 'CDK8S_LEGACY_HASH', 'CDK8S_RECORD_CONSTRUCT_METADATA'];

/** What a command that renders and validates manifests runs with: its environment, folders and output. */
export interface RenderCommandOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Project folder holding `.crds/` (the pinned CRDs the output is validated against). */
  readonly projectDir: string;
  /** @default - a line on stdout */
  readonly log?: (line: string) => void;
  /** @default - a line on stderr */
  readonly error?: (line: string) => void;
  /** @default - the strict validator over the pinned CRDs */
  readonly validate?: (files: readonly RenderedFile[]) => Violation[];
}

export interface SynthOptions extends RenderCommandOptions {
  /**
   * Records of validated output (lib/validate/verified.ts); not used with `validate`.
   * @default - the project's `.cache/verified` when running as the bundle, none otherwise
   */
  readonly verified?: VerifiedCache;
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
    const written = (texts: ReadonlyMap<string, string>, objects: number): number => {
      writeAtomically(outdir, texts);
      // AWS decides quotas; more environments than the defaults allow still synthesize, but say what to raise
      quotaWarnings(config.environments).forEach((w) => error(w));
      log(
        `synth: ${count(config.environments.length, 'environment')}, ${count(texts.size, 'file')}, ${count(objects, 'object')} in ${shown}`,
      );
      return 0;
    };
    const verified = opts.validate ? undefined : (opts.verified ?? VerifiedCache.forProject(opts.projectDir));
    const configKey = verified?.configKeyOf({ config, adoptions });
    // the same configuration, adoptions and code give the same objects: their validated output is on record
    const recalled = configKey === undefined ? undefined : verified!.recallConfig(configKey);
    if (recalled) {
      return written(recalled.texts, recalled.objects);
    }
    // loaded only now: a configuration error is reported without loading the generated imports
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildApp, renderObjects, renderTexts } = require('../app') as typeof import('../app');
    const rendered = renderObjects(buildApp(config, { adoptions }));
    // in file order, as the files are written and violations reported
    const objects = [...rendered]
      .sort((a, b) => a.file.localeCompare(b.file))
      .flatMap((f) => f.objects.map((object) => ({ file: `dist/${f.file}`, object })));
    const toText = () => new Map(renderTexts(rendered).map((f) => [f.file, f.text]));
    const { violations, texts, key } = opts.validate
      ? injected(opts.validate, renderTexts(rendered))
      : validateOrRecall(
          objects,
          rendered.map((f) => f.file),
          verified,
          (all) => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const { Validator } = require('../validate') as typeof import('../validate');
            return Validator.forProject(opts.projectDir).validate(all);
          },
          toText,
        );
    if (violations.length > 0 || !texts) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { formatViolation } = require('../validate') as typeof import('../validate');
      const rejected = new Set(violations.map((v) => `${v.file} ${v.kind} ${v.namespace ?? ''} ${v.name}`)).size;
      error(
        `synth failed: ${count(rejected, 'object')} would be rejected (${count(violations.length, 'violation')}); ${unchanged}`,
      );
      violations.forEach((v) => error(`  ${formatViolation(v)}`));
      return 1;
    }
    if (configKey !== undefined && key !== undefined) {
      verified!.recordConfig(configKey, key, objects.length);
    }
    return written(texts, objects.length);
  } catch (err) {
    if (err instanceof UserError) {
      error(`synth failed: ${err instanceof ConfigError ? 'invalid configuration' : 'cannot run'}; ${unchanged}`);
      err.lines.forEach((l) => error(`  ${l}`));
      return 1;
    }
    throw err;
  }
}

/** The verdict of an injected validator over the rendered files, with their texts when it is clean. */
function injected(
  validate: (files: readonly RenderedFile[]) => Violation[],
  files: readonly RenderedFile[],
): { violations: Violation[]; texts?: ReadonlyMap<string, string>; key?: string } {
  const violations = validate(files);
  return violations.length > 0 ? { violations } : { violations, texts: new Map(files.map((f) => [f.file, f.text])) };
}

/** `to` relative to `cwd` when it lies inside it, else absolute: a message names a folder the reader can find. */
function displayPath(cwd: string, to: string): string {
  const rel = path.relative(cwd, to);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? to : rel;
}
