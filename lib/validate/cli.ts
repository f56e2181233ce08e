import * as fs from 'node:fs';
import * as path from 'node:path';
import { findProjectDir } from '../synth/project';
import { formatViolation, listYaml, Validator } from './index';

export const USAGE = `usage: npm run validate -- [--help] [path ...]

Validates synthesized manifests as the cluster would see them: CRD and built-in schemas with their CEL rules,
ObjectMeta, references between objects, and the project's security policy. Each path is a YAML file or a folder
(read recursively); the default is dist/.

A path inside a synthesized tree (a folder holding environments/ and platform/, such as dist/) is checked together
with the whole tree, so the ProviderConfigs, namespaces and RBAC it relies on (platform/, argocd/, the rest of its
environment) are found; only the given paths' findings are reported. A path outside such a tree is checked on its
own, and what it references elsewhere is reported as not found.

exit codes:
  0  no violations
  1  violations (one line each on stderr)
  2  usage or input error: unknown option, missing path, no YAML files, CRDs not materialized`;

/** Output streams, replaceable for tests. */
export interface ValidateIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const STD_IO: ValidateIo = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
};

/**
 * `npm run validate [paths]`: validates the given files or folders (default `dist/`).
 * @returns the exit code: 0 no violations, 1 violations, 2 usage or input error
 */
export function runValidateCli(argv: readonly string[], cwd: string, io: ValidateIo = STD_IO): number {
  const started = process.hrtime.bigint();
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const option = argv.find((a) => a.startsWith('-'));
  if (option !== undefined) {
    io.err(`validate: unknown option ${option}; the only option is --help (npm run validate -- --help)`);
    return 2;
  }
  const paths = argv.length > 0 ? argv.map((p) => path.resolve(cwd, p)) : [path.resolve(cwd, 'dist')];
  let result;
  let requested: Set<string>;
  let context: string[];
  try {
    requested = new Set(
      paths.flatMap((p) => {
        if (!fs.existsSync(p)) {
          throw new Error(`no such file or folder: ${path.relative(cwd, p)}`);
        }
        const files = listYaml(p);
        if (files.length === 0) {
          throw new Error(`no .yaml or .yml files in ${path.relative(cwd, p) || '.'}`);
        }
        return files;
      }),
    );
    const roots = paths.map((p) => ({ p, root: treeRoot(p) }));
    for (const { p } of roots.filter((r) => r.root === undefined)) {
      io.err(
        `validate: ${path.relative(cwd, p) || '.'} is not inside a synthesized tree (a folder with environments/ and platform/); ` +
          'checked on its own, so the ProviderConfigs, namespaces and RBAC it relies on are reported as not found',
      );
    }
    context = [...new Set(roots.flatMap((r) => (r.root ? [r.root] : [])))];
    result = Validator.forProject(findProjectDir(__dirname)).validateFiles([...paths, ...context]);
  } catch (err) {
    io.err(`validate: ${(err as Error).message}`);
    return 2;
  }
  const violations = result.violations.filter((v) => requested.has(v.file));
  for (const v of violations) {
    io.err(formatViolation({ ...v, file: path.relative(cwd, v.file) }));
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const extra = result.files - requested.size;
  const summary =
    `validate: ${count(requested.size, 'file')}` +
    (extra > 0 ? ` (checked with ${extra} more of their tree)` : '') +
    `, ${count(result.objects, 'object')}, ${count(violations.length, 'violation')} (${ms.toFixed(0)} ms)`;
  (violations.length > 0 ? io.err : io.out)(summary);
  return violations.length > 0 ? 1 : 0;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The nearest folder at or above `p` holding both `environments/` and `platform/`: a synthesized tree. */
function treeRoot(p: string): string | undefined {
  let dir = fs.statSync(p).isDirectory() ? p : path.dirname(p);
  for (;;) {
    if (['environments', 'platform'].every((d) => fs.existsSync(path.join(dir, d)))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      return undefined;
    }
    dir = parent;
  }
}

if (require.main === module) {
  process.exitCode = runValidateCli(process.argv.slice(2), process.cwd());
}
