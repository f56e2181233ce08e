import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseArgs } from '../lib/plan/run';
import { PROJECT_DIR } from './helpers';

// test/workflows.test.ts validates the file with GitHub's own parser; this checks the structure the plan relies on
// (keys per level, pinned actions, the exact plan command).
const workflow = () => parse(fs.readFileSync(path.join(PROJECT_DIR, '.github/workflows/plan.yaml'), 'utf8'));

describe('plan workflow', () => {
  test('GIVEN the workflow WHEN read THEN it runs on pull requests with the automatic token and least permissions', () => {
    const wf = workflow();
    expect(Object.keys(wf).sort()).toEqual(['concurrency', 'jobs', 'name', 'on', 'permissions']);
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    expect(wf.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(JSON.stringify(wf)).not.toMatch(/secrets\./);
    const jobs = Object.values(wf.jobs) as any[];
    expect(jobs).toHaveLength(1);
    expect(Object.keys(jobs[0]).sort()).toEqual(['runs-on', 'steps', 'timeout-minutes']);
    for (const step of jobs[0].steps) {
      const keys = Object.keys(step);
      expect(keys.every((k) => ['name', 'id', 'if', 'uses', 'with', 'run', 'env'].includes(k))).toBe(true);
      expect(Boolean(step.uses) !== Boolean(step.run)).toBe(true);
    }
  });

  test('GIVEN the workflow WHEN its steps are read THEN it installs, plans in Markdown, comments and fails on red', () => {
    const steps = (Object.values(workflow().jobs)[0] as any).steps as any[];
    const uses = steps.filter((s) => s.uses).map((s) => s.uses as string);
    // every action pinned to a full commit
    expect(uses.every((u) => /^[\w-]+\/[\w-]+@[0-9a-f]{40}$/.test(u))).toBe(true);
    expect(steps[0].with['fetch-depth']).toBe(0);
    expect(steps.some((s) => s.run === 'npm ci')).toBe(true);
    const plan = steps.find((s) => s.id === 'plan');
    expect(plan.env.BASE_REF).toBe('${{ github.base_ref }}');
    const command = (plan.run as string).split('\n').find((l) => l.includes('npm run -s plan'))!;
    expect(command).toContain('npm run -s plan -- --base "origin/$BASE_REF" --markdown > plan.md');
    // the arguments the workflow passes are ones the plan accepts
    expect(parseArgs(['--base', 'origin/main', '--markdown'])).toEqual({
      base: 'origin/main',
      format: 'markdown',
      allowDestroy: false,
      help: false,
    });
    const comment = steps.find((s) => String(s.uses).startsWith('marocchino/sticky-pull-request-comment@'));
    expect(comment.with).toEqual({ header: 'plan', path: 'plan.md' });
    const fail = steps[steps.length - 1];
    expect(fail.if).toBe("steps.plan.outputs.exit != '0'");
    expect(fail.run).toContain('exit 1');
    expect(steps.indexOf(comment)).toBeLessThan(steps.indexOf(fail));
  });
});
