import * as path from 'node:path';
import { findProjectDir } from '../synth/project';
import { formatViolation, Validator } from './index';

/** `npm run validate [paths]`: validates the given files or folders (default `dist/`); exit 1 on any violation. */
export function runValidateCli(argv: readonly string[], cwd: string): number {
  const started = process.hrtime.bigint();
  const paths = argv.length > 0 ? argv.map((p) => path.resolve(cwd, p)) : [path.resolve(cwd, 'dist')];
  let result;
  try {
    result = Validator.forProject(findProjectDir(__dirname)).validateFiles(paths);
  } catch (err) {
    process.stderr.write(`validate: ${(err as Error).message}\n`);
    return 2;
  }
  for (const v of result.violations) {
    process.stderr.write(`${formatViolation({ ...v, file: path.relative(cwd, v.file) })}\n`);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const summary = `validate: ${result.files} files, ${result.objects} objects, ${result.violations.length} violations (${ms.toFixed(0)} ms)`;
  (result.violations.length > 0 ? process.stderr : process.stdout).write(`${summary}\n`);
  return result.violations.length > 0 ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = runValidateCli(process.argv.slice(2), process.cwd());
}
