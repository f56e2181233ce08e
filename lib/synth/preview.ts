import * as path from 'node:path';
import type { RenderedFile } from '../app';
import { ConfigError, formatValue, UserError } from '../config/errors';
import { ENV_VARS, loadConfig } from '../config/load';
import { previewSuffix } from '../config/previews';
import { Config } from '../config/types';
import { imageProblems } from '../config/validate';
import { CDK8S_OUTPUT_KNOBS, RenderCommandOptions } from './run';
import { confirmClaim, decideRender, planExpiry } from './preview-lifecycle';
import { writeAtomically } from './write';
import * as fs from 'node:fs';

export const PREVIEW_USAGE = `usage: npm run -s preview:render -- --pr <number> [--image-tag <tag-or-digest>] --out <dir>
       npm run -s preview:settings
       npm run -s preview -- decide <state.json>     state: {"pull": {...}, "branches": [...]}
       npm run -s preview -- confirm <state.json>    state: {"pull": {...}, "branches": [...]} (listed after the claim)
       npm run -s preview -- expire <state.json>     state: {"now": "<iso>", "pulls": [...], "branches": [...]}

preview:render synthesizes pull request <number>'s preview (ENVIRONMENT_SUFFIX=pr<number>: the preview profile
plus previews.environment), validates every object as npm run synth does, and writes only its folder,
<dir>/environments/pr<number>/*.k8s.yaml (the layout of dist/). <dir> must not be dist/ or inside it.
--image-tag: what the preview runs from the shared repository (default: the configured service.imageTag).

preview:settings prints the resolved previews settings as one JSON object (for the pull-request workflows).
decide, confirm and expire print, as JSON, what the workflows do with a pull request and on their schedule (see
lib/synth/preview-lifecycle.ts); a pull request is {"number", "labels", "headCommittedAt", "fork"}.

exit codes: 0 written, 1 invalid configuration or objects (nothing written), 2 usage error`;

/** The project folder's `dist/` is never written: a preview goes only to the folder `--out` names. */
export interface PreviewCliOptions extends RenderCommandOptions {
  /**
   * Folder the state file and `--out` are relative to: where the user ran npm (`INIT_CWD`), since npm runs scripts in
   * the project folder; a relative `CATALOG_CONFIG` still resolves against `cwd`, as in every script. @default - `cwd`
   */
  readonly filesDir?: string;
}

interface RenderArgs {
  readonly pr: string;
  readonly imageTag?: string;
  readonly out: string;
}

function parseRenderArgs(argv: readonly string[]): RenderArgs | string[] {
  const given = new Map<string, string>();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (!['--pr', '--image-tag', '--out'].includes(flag)) {
      problems.push(`${a}: is not an option (got ${formatValue(a)}); use --pr, --image-tag and --out`);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') {
      problems.push(`${flag}: needs a value (got nothing); write ${flag} <value>`);
      continue;
    }
    given.set(flag, value);
  }
  const pr = given.get('--pr');
  if (pr === undefined) {
    problems.push('--pr: is required (got nothing); give the pull request number, e.g. --pr 12');
  } else if (!/^[1-9][0-9]{0,8}$/.test(pr)) {
    problems.push(`--pr: is not a pull request number (got ${formatValue(pr)}); give a positive integer, e.g. --pr 12`);
  }
  const out = given.get('--out');
  if (out === undefined) {
    problems.push('--out: is required (got nothing); give the folder to write environments/pr<number>/ into');
  }
  return problems.length > 0 ? problems : { pr: pr!, out: out!, imageTag: given.get('--image-tag') };
}

/**
 * `npm run preview:render` and `npm run preview:settings`. User errors print one line each on stderr and return
 * 1 (configuration, objects) or 2 (usage), never a stack trace; nothing is written then.
 */
export function previewMain(argv: readonly string[], opts: PreviewCliOptions): number {
  for (const knob of CDK8S_OUTPUT_KNOBS) {
    delete process.env[knob];
  }
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const error = opts.error ?? ((l: string) => process.stderr.write(`${l}\n`));
  const [command, ...rest] = argv;
  try {
    if (command === 'settings' && rest.length === 0) {
      const { previews } = loadConfig({ env: opts.env, cwd: opts.cwd, projectDir: opts.projectDir });
      const { prototype: _prototype, ...settings } = previews;
      void _prototype;
      log(JSON.stringify(settings));
      return 0;
    }
    if ((command === 'decide' || command === 'confirm' || command === 'expire') && rest.length === 1) {
      const { previews } = loadConfig({ env: opts.env, cwd: opts.cwd, projectDir: opts.projectDir });
      let state: any;
      try {
        state = JSON.parse(fs.readFileSync(path.resolve(opts.filesDir ?? opts.cwd, rest[0]), 'utf8'));
      } catch (e) {
        error(
          `preview:${command} failed: ${rest[0]}: cannot read it as json (${(e as Error).message}); pass the state file`,
        );
        return 2;
      }
      log(
        JSON.stringify(
          command === 'decide'
            ? decideRender(state.pull, state.branches ?? [], previews)
            : command === 'confirm'
              ? confirmClaim(state.pull, state.branches ?? [], previews)
              : planExpiry(new Date(state.now), state.pulls ?? [], state.branches ?? [], previews),
        ),
      );
      return 0;
    }
    if (command !== 'render') {
      error(PREVIEW_USAGE);
      return 2;
    }
    const args = parseRenderArgs(rest);
    if (Array.isArray(args)) {
      error('preview:render failed: invalid arguments; nothing was written');
      args.forEach((l) => error(`  ${l}`));
      error(PREVIEW_USAGE.split('\n')[0]);
      return 2;
    }
    const suffix = previewSuffix(args.pr);
    const out = path.resolve(opts.filesDir ?? opts.cwd, args.out);
    const target = path.join(out, 'environments', suffix);
    const dist = path.join(opts.projectDir, 'dist');
    const rel = path.relative(dist, target);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) {
      error('preview:render failed: invalid arguments; nothing was written');
      error(
        `  --out: is dist/ or inside it (got ${formatValue(args.out)}); previews are never written to dist/, give another folder`,
      );
      return 2;
    }
    const config = withImageTag(
      loadConfig({
        env: { ...opts.env, [ENV_VARS.ENVIRONMENT_SUFFIX]: suffix },
        cwd: opts.cwd,
        projectDir: opts.projectDir,
      }),
      suffix,
      args.imageTag,
    );
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { buildApp, render } = require('../app') as typeof import('../app');
    const { formatViolation, Validator } = require('../validate') as typeof import('../validate');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const files = render(buildApp(config));
    const validate =
      opts.validate ??
      ((fs: readonly RenderedFile[]) =>
        Validator.forProject(opts.projectDir).validate(
          fs.flatMap((f) => f.objects.map((object) => ({ file: f.file, object }))),
        ));
    const violations = validate(files);
    if (violations.length > 0) {
      error(`preview:render failed: ${violations.length} objects would be rejected; nothing was written`);
      violations.forEach((v) => error(`  ${formatViolation(v)}`));
      return 1;
    }
    const prefix = `environments/${suffix}/`;
    const own = files.filter((f) => f.file.startsWith(prefix));
    writeAtomically(target, new Map(own.map((f) => [f.file.slice(prefix.length), f.text])));
    const objects = own.reduce((sum, f) => sum + f.objects.length, 0);
    const shown = path.relative(opts.filesDir ?? opts.cwd, target);
    log(
      `preview:render: ${suffix}, ${own.length} files, ${objects} objects in ${shown.startsWith('..') || path.isAbsolute(shown) ? target : shown}/`,
    );
    return 0;
  } catch (err) {
    if (err instanceof UserError) {
      error(
        `preview:${command} failed: ${err instanceof ConfigError ? 'invalid configuration' : 'cannot run'}; nothing was written`,
      );
      err.lines.forEach((l) => error(`  ${l}`));
      return 1;
    }
    throw err;
  }
}

/** The configuration with the preview running `imageTag` from the shared repository, checked as set-image checks. */
function withImageTag(config: Config, suffix: string, imageTag: string | undefined): Config {
  if (imageTag === undefined) return config;
  const problems = imageProblems(undefined, imageTag);
  if (problems.length > 0) {
    throw new ConfigError(
      problems.map(
        (p) =>
          `--image-tag: ${p.problem} (got ${formatValue(imageTag)}); give the digest (sha256:<64 hex>) or the tag the pull request's build pushed`,
      ),
    );
  }
  return {
    ...config,
    environments: config.environments.map((e) =>
      e.suffix === suffix ? { ...e, service: { ...e.service, image: undefined, imageTag } } : e,
    ),
  };
}
