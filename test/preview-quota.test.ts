/**
 * The preview limit (previews.maxConcurrent) under pull requests labelled at the same moment. The workflow's
 * admission (decide, claim the branch, count again) is modelled step by step with the real decision functions and
 * run in every interleaving; the workflow file is checked to run those steps in that order inside one concurrency
 * group shared by all pull requests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { confirmClaim, decideRender, LifecycleSettings, OpenPullRequest } from '../lib/synth/preview-lifecycle';
import { PROJECT_DIR } from './helpers';

const s: LifecycleSettings = { label: 'preview', branchPrefix: 'previews/pr-', ttlHours: 72, maxConcurrent: 3 };
const pull = (number: number): OpenPullRequest => ({
  number,
  labels: ['preview'],
  headCommittedAt: '2026-01-01T00:00:00Z',
});

/** The repository as the runs see it: its branches, and which pull requests kept the label. */
interface Repo {
  readonly branches: Set<string>;
  readonly refused: Set<number>;
  /** Branches whose run went on to render (published manifests: a preview that creates AWS resources). */
  readonly rendered: Set<string>;
}

type Step = (repo: Repo) => void;

/**
 * One run of the admission for pull request `pr` as steps that other runs may interleave with. `withClaim`: the
 * workflow's protocol (decide, create the branch, count again); without it, the earlier one (decide, then render and
 * publish the branch).
 */
function admission(pr: number, withClaim: boolean): Step[] {
  const branch = `${s.branchPrefix}${pr}`;
  let decided: ReturnType<typeof decideRender> | undefined;
  const decide: Step = (repo) => {
    decided = decideRender(pull(pr), [...repo.branches], s);
    if (!decided.render) repo.refused.add(pr);
  };
  if (!withClaim) {
    return [
      decide,
      (repo) => {
        if (decided?.render) {
          repo.branches.add(branch);
          repo.rendered.add(branch);
        }
      },
    ];
  }
  let claimed = false;
  return [
    decide,
    (repo) => {
      // creating a ref fails when it exists
      if (decided?.render && decided.claim && !repo.branches.has(branch)) {
        repo.branches.add(branch);
        claimed = true;
      }
    },
    (repo) => {
      if (!claimed) return;
      const check = confirmClaim(pull(pr), [...repo.branches], s);
      if (check.keep) {
        repo.rendered.add(branch);
      } else {
        repo.branches.delete(branch);
        repo.refused.add(pr);
      }
    },
  ];
}

/** Every interleaving of the runs' steps (each run's own steps stay in order). */
function* interleavings(runs: readonly number[][]): Generator<Array<[number, number]>> {
  const next = runs.map(() => 0);
  const order: Array<[number, number]> = [];
  function* walk(): Generator<Array<[number, number]>> {
    if (runs.every((r, i) => next[i] === r.length)) {
      yield [...order];
      return;
    }
    for (let i = 0; i < runs.length; i++) {
      if (next[i] === runs[i].length) continue;
      order.push([i, next[i]++]);
      yield* walk();
      next[i]--;
      order.pop();
    }
  }
  yield* walk();
}

/** Runs the admissions of `prs` in every interleaving over preview branches `existing`; the outcome of each. */
function everyOutcome(existing: readonly number[], prs: readonly number[], withClaim: boolean): Repo[] {
  const shape = prs.map((pr) => admission(pr, withClaim).map((_, i) => i));
  const outcomes: Repo[] = [];
  for (const order of interleavings(shape)) {
    const repo: Repo = {
      branches: new Set(existing.map((n) => `${s.branchPrefix}${n}`)),
      refused: new Set(),
      rendered: new Set(existing.map((n) => `${s.branchPrefix}${n}`)),
    };
    const runs = prs.map((pr) => admission(pr, withClaim));
    for (const [run, step] of order) runs[run][step](repo);
    outcomes.push(repo);
  }
  return outcomes;
}

describe('preview admission under concurrent pull requests', () => {
  test('GIVEN two previews and a limit of 3 WHEN two pull requests decide before either publishes (no claim) THEN the limit is exceeded', () => {
    // the race of deciding on a count without claiming a slot: why the admission runs serially and re-checks
    const outcomes = everyOutcome([1, 2], [10, 11], false);
    expect(outcomes.some((o) => o.rendered.size > s.maxConcurrent)).toBe(true);
  });

  test('GIVEN two previews and a limit of 3 WHEN three admissions interleave in every order THEN no interleaving renders more than 3', () => {
    const outcomes = everyOutcome([1, 2], [10, 11, 12], true);
    expect(outcomes.length).toBe(1680);
    expect(outcomes.filter((o) => o.rendered.size > s.maxConcurrent)).toEqual([]);
    // every pull request either renders or is refused (its label removed), never both, never neither
    for (const o of outcomes) {
      for (const pr of [10, 11, 12]) {
        expect(o.rendered.has(`${s.branchPrefix}${pr}`)).toBe(!o.refused.has(pr));
      }
      expect([...o.branches].sort()).toEqual([...o.rendered].sort());
    }
  });

  test('GIVEN the admissions serialized by the concurrency group WHEN three pull requests arrive at once THEN exactly the free slot is taken and the others are refused', () => {
    const shape = [10, 11, 12].map((pr) => admission(pr, true));
    const repo: Repo = {
      branches: new Set(['previews/pr-1', 'previews/pr-2']),
      refused: new Set(),
      rendered: new Set(['previews/pr-1', 'previews/pr-2']),
    };
    for (const run of shape) run.forEach((step) => step(repo));
    expect([...repo.rendered].sort()).toEqual(['previews/pr-1', 'previews/pr-10', 'previews/pr-2']);
    expect([...repo.refused].sort()).toEqual([11, 12]);
  });

  test('GIVEN a claim over the limit or a claim whose branch vanished WHEN confirmed THEN it is withdrawn with the reason', () => {
    const four = ['previews/pr-1', 'previews/pr-2', 'previews/pr-3', 'previews/pr-4', 'main'];
    expect(confirmClaim(pull(4), four, s)).toEqual({
      keep: false,
      reason:
        '4 previews were claimed at the same time and previews.maxConcurrent is 3; add the label again when one closes',
    });
    expect(confirmClaim(pull(4), four.slice(1), s)).toEqual({ keep: true, reason: 'claimed (3 of at most 3)' });
    expect(confirmClaim(pull(9), four.slice(2), s)).toMatchObject({
      keep: false,
      reason: expect.stringMatching(/gone/),
    });
    expect(decideRender(pull(3), four.slice(0, 2), s)).toMatchObject({ render: true, claim: true });
    expect(decideRender(pull(2), four.slice(0, 2), s)).toMatchObject({ render: true, claim: false });
  });
});

describe('preview admission in the workflow', () => {
  const wf = parse(fs.readFileSync(path.join(PROJECT_DIR, '.github/workflows/preview.yaml'), 'utf8'));
  const admit = wf.jobs.admit;
  const runs: string[] = admit.steps.map((st: any) => String(st.run ?? ''));
  const at = (text: string) => runs.findIndex((r) => r.includes(text));

  test('GIVEN the admit job WHEN read THEN every pull request shares one concurrency group that queues and never cancels', () => {
    expect(admit.concurrency).toEqual({ group: 'preview-admission', 'cancel-in-progress': false, queue: 'max' });
    // no other job or workflow uses the group (one that cancels would cut an admission between claim and re-check)
    const all = fs
      .readdirSync(path.join(PROJECT_DIR, '.github/workflows'))
      .map((f) => fs.readFileSync(path.join(PROJECT_DIR, '.github/workflows', f), 'utf8'));
    expect(all.join('\n').match(/preview-admission/g)).toHaveLength(1);
    expect(admit.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
  });

  test('GIVEN the admit job WHEN its steps are read THEN it decides, creates the branch, counts again and confirms, in that order', () => {
    const decide = at('npm run -s preview -- decide');
    const claim = at('gh api -X POST "repos/${GITHUB_REPOSITORY}/git/refs" -f "ref=refs/heads/${BRANCH}"');
    expect(decide).toBeGreaterThanOrEqual(0);
    expect(claim).toBeGreaterThan(decide);
    const step = runs[claim];
    const order = [
      step.indexOf('git/refs" -f "ref='),
      step.indexOf('git/matching-refs/heads/'),
      step.indexOf('npm run -s preview -- confirm'),
      step.indexOf('if [ "$(jq -r .keep'),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(admit.steps[claim].if).toBe("steps.decide.outputs.claim == 'true'");
    // the claim is create-only: no force, no update of an existing ref
    expect(step).not.toMatch(/-X PATCH|--force|force=true/);
  });

  test('GIVEN the render job WHEN read THEN it runs only after an admission that said render', () => {
    expect(wf.jobs.render.needs).toBe('admit');
    expect(wf.jobs.render.if).toBe("needs.admit.outputs.render == 'true'");
    expect(admit.outputs.render).toBe('${{ steps.confirm.outputs.render || steps.decide.outputs.render }}');
    const renderRuns = wf.jobs.render.steps.map((st: any) => String(st.run ?? '')).join('\n');
    expect(renderRuns).not.toContain('preview -- decide');
  });
});
