/**
 * npm run workflows [-- <file>...]: checks GitHub Actions workflows (default: every `.github/workflows/*.y(a)ml`)
 * with GitHub's own parser, `@actions/workflow-parser` (the workflow schema and expression checks of GitHub's
 * language services), and two rules of this project:
 * - each `npm run <script>` in a `run:` step names a script of package.json;
 * - each action is pinned to a full commit SHA with its version tag in a comment (`owner/repo@<40 hex> # v1.2.3`),
 *   and an action pinned in several places has the same SHA for the same tag everywhere.
 * Exit 0 with one line per valid file on stdout; exit 1 with one line per problem on stderr,
 * `<file>:<line>:<column>: <message>`.
 *
 * An ES module run by tsx (`node --import tsx`): the parser ships only as ES modules that import their JSON schema
 * without an import attribute, which neither jest's nor Node's CommonJS loader accepts.
 */
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import * as fs from 'node:fs';
import * as path from 'node:path';

// this file's folder's parent (process.argv[1] is this file under `node --import tsx`)
const projectDir = path.resolve(path.dirname(process.argv[1]), '..');

interface Problem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

interface Pin {
  readonly action: string;
  readonly sha: string;
  readonly tag: string;
  readonly at: Problem;
}

/** `npm run [flags] <script>` (also `npm run-script`), the script name captured. */
const NPM_RUN = /\bnpm\s+run(?:-script)?((?:\s+--?[\w-]+)*)\s+([\w:.-]+)/g;
/** `owner/repo[/path]@ref`, a remote action. */
const REMOTE_ACTION = /^([\w.-]+\/[\w.-]+(?:\/[^@]*)?)@(.+)$/;
const SHA = /^[0-9a-f]{40}$/;
const VERSION_COMMENT = /#\s*(v\d+(?:\.\d+)*)\s*$/;

async function check(file: string, scripts: ReadonlySet<string>, pins: Pin[]): Promise<Problem[]> {
  const content = fs.readFileSync(file, 'utf8');
  const lines = content.split('\n');
  const problems: Problem[] = [];
  const at = (range: { start: { line: number; column: number } } | undefined, message: string): Problem => ({
    file,
    line: range?.start.line ?? 1,
    column: range?.start.column ?? 1,
    message,
  });
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  const template = parsed.value ? await convertWorkflowTemplate(parsed.context, parsed.value) : undefined;
  for (const e of parsed.context.errors.getErrors()) {
    // the parser prefixes the file name and position itself: `<file> (Line: 3, Col: 5): <message>`
    problems.push(at(e.range, e.rawMessage.trim().replace(/\s*\n\s*/g, ' ')));
  }
  if (problems.length > 0 || !template) {
    return problems;
  }
  for (const job of template.jobs ?? []) {
    const steps = job.type === 'job' ? job.steps : [];
    const uses = [
      ...(job.type === 'reusableWorkflowJob' ? [job.ref] : []),
      ...steps.flatMap((s) => ('uses' in s ? [s.uses] : [])),
    ];
    for (const token of uses) {
      const ref = token.value;
      if (ref.startsWith('./') || ref.startsWith('docker://')) {
        continue;
      }
      const m = REMOTE_ACTION.exec(ref);
      if (!m || !SHA.test(m[2])) {
        problems.push(
          at(
            token.range,
            `action ${ref} is not pinned to a full commit sha (a tag or branch can be moved); ` +
              `use ${m?.[1] ?? ref}@<40-hex commit> # <version tag>`,
          ),
        );
        continue;
      }
      const tag = VERSION_COMMENT.exec(lines[(token.range?.start.line ?? 1) - 1] ?? '')?.[1];
      if (!tag) {
        problems.push(at(token.range, `action ${ref} has no version comment; add the tag it pins, e.g. "# v1.2.3"`));
        continue;
      }
      pins.push({ action: m[1], sha: m[2], tag, at: at(token.range, '') });
    }
    for (const step of steps) {
      if (!('run' in step)) {
        continue;
      }
      for (const m of String(step.run.toString()).matchAll(NPM_RUN)) {
        if (!scripts.has(m[2])) {
          problems.push(
            at(
              step.run.range,
              `step runs "npm run ${m[2]}", but package.json has no script "${m[2]}"; add it or fix the name`,
            ),
          );
        }
      }
    }
  }
  return problems;
}

/** The same action and tag must pin the same commit, and the same commit must carry the same tag. */
function inconsistentPins(pins: readonly Pin[]): Problem[] {
  const problems: Problem[] = [];
  const first = new Map<string, Pin>();
  for (const p of pins) {
    for (const key of [`${p.action}@${p.sha}`, `${p.action} ${p.tag}`]) {
      const seen = first.get(key);
      if (!seen) {
        first.set(key, p);
      } else if (seen.sha !== p.sha || seen.tag !== p.tag) {
        problems.push({
          ...p.at,
          message:
            `action ${p.action} is pinned as ${p.sha} # ${p.tag} here but as ${seen.sha} # ${seen.tag} at ` +
            `${seen.at.file}:${seen.at.line}; pin one commit per tag`,
        });
      }
    }
  }
  return problems;
}

async function main(argv: readonly string[]): Promise<number> {
  const dir = path.join(projectDir, '.github', 'workflows');
  const files =
    argv.length > 0
      ? [...argv]
      : fs
          .readdirSync(dir)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => path.relative(process.cwd(), path.join(dir, f)));
  const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8'));
  const scripts = new Set(Object.keys(pkg.scripts ?? {}));
  const pins: Pin[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    if (!fs.existsSync(file)) {
      problems.push({ file, line: 0, column: 0, message: 'no such workflow file; pass paths of existing files' });
      continue;
    }
    problems.push(...(await check(file, scripts, pins)));
  }
  problems.push(...inconsistentPins(pins));
  const parser = JSON.parse(
    fs.readFileSync(path.join(projectDir, 'node_modules', '@actions', 'workflow-parser', 'package.json'), 'utf8'),
  );
  for (const p of problems) {
    process.stderr.write(`${p.file}:${p.line}:${p.column}: ${p.message}\n`);
  }
  for (const file of files.filter((f) => !problems.some((p) => p.file === f))) {
    process.stdout.write(`${file}: valid (@actions/workflow-parser ${parser.version})\n`);
  }
  return problems.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
