/**
 * Every workflow in .github/workflows checked by `npm run workflows` (scripts/workflows.mts): GitHub's own parser,
 * @actions/workflow-parser, plus the project's rules (each `npm run` names a package.json script; each action is
 * pinned to a commit with its tag in a comment). Broken copies of the real workflows prove each check reports.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_DIR, tempDir } from './helpers';
import { RunResult, runProcess } from './process';

const WORKFLOWS = path.join(PROJECT_DIR, '.github', 'workflows');

function checkWorkflows(files: readonly string[] = []): Promise<RunResult> {
  return runProcess(process.execPath, ['--import', 'tsx', 'scripts/workflows.mts', ...files], {
    cwd: PROJECT_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  });
}

/** A copy of `.github/workflows/<name>` with `edit` applied, in a temporary folder; fails if the edit changed nothing. */
function brokenCopy(name: string, edit: (text: string) => string): string {
  const original = fs.readFileSync(path.join(WORKFLOWS, name), 'utf8');
  const changed = edit(original);
  expect(changed).not.toBe(original);
  const file = path.join(tempDir('catalog-workflow-'), name);
  fs.writeFileSync(file, changed);
  return file;
}

const problems = (r: RunResult) => r.stderr.trim().split('\n').filter(Boolean);

describe('workflows', () => {
  test('GIVEN every file in .github/workflows WHEN checked with GitHub workflow parser THEN each is valid', async () => {
    const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const r = await checkWorkflows();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, 'package.json'), 'utf8'));
    const version = pkg.devDependencies['@actions/workflow-parser'];
    expect(r.stdout.trim().split('\n').sort()).toEqual(
      files.sort().map((f) => `.github/workflows/${f}: valid (@actions/workflow-parser ${version})`),
    );
  });

  test('GIVEN a copy with an unknown key and an unclosed expression WHEN checked THEN the parser errors are listed with their lines', async () => {
    const file = brokenCopy('preview.yaml', (t) =>
      t
        .replace('    types: [opened,', '    typez: [opened,')
        .replace('${{ github.event.pull_request.number }}\n', '${{ github.event.pull_request.number }\n'),
    );
    const r = await checkWorkflows([file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const unknown = lines.findIndex((l) => l.includes('typez')) + 1;
    const unclosed = lines.findIndex((l) => /pull_request\.number }$/.test(l)) + 1;
    expect(problems(r)).toEqual([
      `${file}:${unknown}:5: Unexpected value 'typez'`,
      expect.stringMatching(new RegExp(`^${file}:${unclosed}:\\d+: The expression is not closed`)),
    ]);
  });

  test('GIVEN a copy that is not YAML WHEN checked THEN each YAML error is reported on a line of its own with its position', async () => {
    const file = brokenCopy('ci.yaml', (t) => t.replace('jobs:\n', 'jobs: [\n'));
    const r = await checkWorkflows([file]);
    expect(r.status).toBe(1);
    // one line per problem, each with its position
    expect(problems(r).every((p) => new RegExp(`^${file}:\\d+:\\d+: \\S`).test(p))).toBe(true);
    expect(problems(r).some((p) => p.includes('Flow sequence in block collection must be sufficiently indented'))).toBe(
      true,
    );
  });

  test('GIVEN a copy using a context that does not exist WHEN checked THEN the parser names it', async () => {
    const file = brokenCopy('plan.yaml', (t) => t.replace('${{ github.base_ref }}', '${{ github_ctx.base_ref }}'));
    const r = await checkWorkflows([file]);
    expect(r.status).toBe(1);
    expect(problems(r)).toEqual([expect.stringMatching(/:\d+:\d+: Unrecognized named-value: 'github_ctx'/)]);
  });

  test('GIVEN a copy whose job needs a job that does not exist WHEN checked THEN the conversion error is reported', async () => {
    const file = brokenCopy('plan.yaml', (t) => t.replace('    runs-on:', '    needs: nope\n    runs-on:'));
    const r = await checkWorkflows([file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('The workflow must contain at least one job with no dependencies.');
  });

  test('GIVEN a copy running an npm script package.json lacks WHEN checked THEN the step and the script are named', async () => {
    const file = brokenCopy('preview.yaml', (t) =>
      t.replace('npm run -s preview:render --', 'npm run -s preview:rendr --'),
    );
    const r = await checkWorkflows([file]);
    expect(r.status).toBe(1);
    const line = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('preview:rendr'));
    expect(problems(r)).toEqual([
      `${file}:${line + 1}:14: step runs "npm run preview:rendr", but package.json has no script "preview:rendr"; add it or fix the name`,
    ]);
  });

  test('GIVEN copies with a tag-pinned action, a pin without its tag comment and a second commit for one tag WHEN checked THEN each is reported', async () => {
    const tagged = brokenCopy('ci.yaml', (t) =>
      t.replace(/actions\/checkout@[0-9a-f]{40} # v4\.4\.0/, 'actions/checkout@v4'),
    );
    const uncommented = brokenCopy('plan.yaml', (t) => t.replace(/(marocchino\/[\w-]+@[0-9a-f]{40}) # v3\.0\.5/, '$1'));
    const otherCommit = brokenCopy('preview-ttl.yaml', (t) =>
      t.replace(/actions\/setup-node@[0-9a-f]{40}/, `actions/setup-node@${'0'.repeat(40)}`),
    );
    const r = await checkWorkflows([tagged, uncommented, path.join(WORKFLOWS, 'preview.yaml'), otherCommit]);
    expect(r.status).toBe(1);
    const found = problems(r);
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(
      new RegExp(`^${tagged}:\\d+:15: action actions/checkout@v4 is not pinned to a full commit sha`),
    );
    expect(found[1]).toMatch(new RegExp(`^${uncommented}:\\d+:15: action marocchino/.* has no version comment`));
    expect(found[2]).toMatch(
      new RegExp(
        `^${otherCommit}:\\d+:15: action actions/setup-node is pinned as 0{40} # v4\\.4\\.0 here but as [0-9a-f]{40} # v4\\.4\\.0 at ${tagged}:\\d+; pin one commit per tag$`,
      ),
    );
    // a file whose problems are elsewhere is still reported valid
    expect(r.stdout).toContain(`${path.join(WORKFLOWS, 'preview.yaml')}: valid`);
  });
});
