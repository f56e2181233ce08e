import { buildApp, render } from '../lib/app';
import { leaves } from '../lib/plan/diff';
import { awsView, objectsFromFiles } from '../lib/plan/objects';
import { REPLACEMENT_TABLE, ruleFor } from '../lib/plan/replacement';
import { fixtureConfig } from './helpers';

describe('replacement table', () => {
  test('GIVEN the seed and edited synths WHEN every emitted spec.forProvider path is looked up THEN each has a rule', () => {
    const missing: string[] = [];
    const kinds = new Set<string>();
    let paths = 0;
    for (const name of ['seed', 'edited'] as const) {
      const files = render(buildApp(fixtureConfig(name)));
      for (const o of objectsFromFiles(new Map(files.map((f) => [f.file, f.text])))) {
        const view = awsView(o);
        if (!view) {
          continue;
        }
        kinds.add(view.kind);
        for (const [path] of leaves(view.forProvider)) {
          paths++;
          if (!ruleFor(view.kind, path)) {
            missing.push(`${view.kind} ${path}`);
          }
        }
      }
    }
    expect([...new Set(missing)]).toEqual([]);
    expect(kinds.size).toBeGreaterThanOrEqual(38);
    expect(paths).toBeGreaterThan(1000);
  });

  test('GIVEN the table WHEN its sources are read THEN each names a Go file and line', () => {
    for (const [kind, rules] of Object.entries(REPLACEMENT_TABLE)) {
      expect(rules.resource).toMatch(/^aws_[a-z0-9_]+$/);
      for (const [field, rule] of Object.entries(rules.fields)) {
        expect({ kind, field, ok: rule.source.every((s) => /^internal\/[a-z0-9_/]+\.go:\d+$/.test(s)) }).toEqual({
          kind,
          field,
          ok: true,
        });
      }
    }
  });

  test('GIVEN known create-only fields WHEN looked up THEN they need replacement; updatable ones do not', () => {
    expect(ruleFor('ec2.aws.m.upbound.io/Subnet', 'cidrBlock')?.rule.replace).toBe('always');
    expect(ruleFor('ec2.aws.m.upbound.io/VPC', 'cidrBlock')?.rule.replace).toBe('always');
    expect(ruleFor('rds.aws.m.upbound.io/Cluster', 'dbSubnetGroupNameRef.name')?.rule.replace).toBe('always');
    expect(ruleFor('rds.aws.m.upbound.io/Cluster', 'engineVersion')?.rule.replace).toBe('major-version');
    expect(ruleFor('ec2.aws.m.upbound.io/Subnet', 'tags.Name')?.rule.replace).toBe('never');
    expect(ruleFor('rds.aws.m.upbound.io/ClusterInstance', 'instanceClass')?.rule.replace).toBe('never');
    expect(ruleFor('ec2.aws.m.upbound.io/Subnet', 'region')?.rule.replace).toBe('always');
    expect(ruleFor('ec2.aws.m.upbound.io/Subnet', 'noSuchField')).toBeUndefined();
  });
});
