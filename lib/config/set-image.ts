import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { ConfigError, formatProblem } from './errors';
import { DEFAULT_CONFIG_PATH, ENV_VARS, readFailure } from './load';
import { imageProblems } from './validate';

export const SET_IMAGE_USAGE = 'usage: npm run set-image -- <suffix|defaults> <tag-or-digest>';

/**
 * Records what an environment runs: sets `service.imageTag` of the environment with `target` as suffix (or of
 * `defaults`) in the configuration text, keeping every comment and all other formatting. The application's CI calls
 * it after pushing an image to the shared repository, then runs `npm run synth` and commits `config/` and `dist/`.
 *
 * Throws ConfigError (one line per problem) when the reference is moving or malformed, the environment is not in the
 * file, or the environment runs an external `service.image` (whose reference is edited instead).
 */
export function setImageTag(text: string, target: string, tagOrDigest: string, source: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new ConfigError([`${source}: malformed yaml/json; run npm run synth to see where`]);
  }
  const at = target === 'defaults' ? 'defaults' : `environments[${target}]`;
  const problems = imageProblems(undefined, tagOrDigest).map((p) =>
    formatProblem(source, { ...p, setting: `${at}.${p.setting}` }),
  );
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  let entryPath: Array<string | number>;
  if (target === 'defaults') {
    entryPath = ['defaults'];
  } else {
    const envs = doc.get('environments');
    const index = isSeq(envs) ? envs.items.findIndex((e) => isMap(e) && e.get('suffix') === target) : -1;
    if (index < 0) {
      throw new ConfigError([
        formatProblem(source, {
          setting: 'environments',
          value: target,
          problem: 'has no environment with this suffix',
          fix: 'add the environment first, or use defaults to set the image of every environment without its own',
        }),
      ]);
    }
    entryPath = ['environments', index];
  }
  const image = doc.getIn([...entryPath, 'service', 'image']);
  if (image !== undefined) {
    throw new ConfigError([
      formatProblem(source, {
        setting: `${at}.service.image`,
        value: image,
        problem: 'is set, so imageTag would have no effect',
        fix: 'edit service.image (pinned by digest) instead, or remove it to use the shared repository',
      }),
    ]);
  }
  doc.setIn([...entryPath, 'service', 'imageTag'], doc.createNode(tagOrDigest));
  return doc.toString({ lineWidth: 0 });
}

/** The `npm run set-image` entry point: returns the exit code; errors are one line each, never a stack trace. */
export function setImageMain(
  args: readonly string[],
  opts: {
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly cwd: string;
    readonly projectDir: string;
    readonly log: (line: string) => void;
    readonly error: (line: string) => void;
  },
): number {
  if (args.length !== 2) {
    opts.error(`set-image: expected 2 arguments, got ${args.length}; ${SET_IMAGE_USAGE}`);
    return 2;
  }
  const [target, value] = args;
  const given = opts.env[ENV_VARS.CONFIG];
  const shown = given || DEFAULT_CONFIG_PATH;
  const file = path.resolve(given ? opts.cwd : opts.projectDir, shown);
  try {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError([readFailure(shown, err as NodeJS.ErrnoException)]);
    }
    const out = setImageTag(text, target, value, shown);
    // all or nothing: a reader never sees a half-written file
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, out);
    fs.renameSync(tmp, file);
    opts.log(`${shown}: ${target}: service.imageTag = ${value}; now run npm run synth and commit config/ and dist/`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      e.lines.forEach((l) => opts.error(l));
      return 1;
    }
    throw e;
  }
}
