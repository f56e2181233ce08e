import { parse, stringify } from 'yaml';
import { buildApp, render } from '../lib/app';
import { Config } from '../lib/config/types';
import { pairRenames, PlanEntry } from '../lib/plan/classify';
import { splitTasks } from '../lib/plan/cost';
import { buildPlan, isEmpty, Plan } from '../lib/plan/index';
import { objectsFromFiles, PlanObject } from '../lib/plan/objects';
import { renderJson, renderMarkdown, renderText } from '../lib/plan/render';
import { baseConfigFile, fixtureConfig, loadFrom, withEnvironment } from './helpers';

/** The objects a configuration synthesizes, read back from their rendered YAML as the plan reads dist/. */
function objectsOf(config: Config): PlanObject[] {
  return objectsFromFiles(new Map(render(buildApp(config)).map((f) => [f.file, f.text])));
}

let seedObjects: PlanObject[] | undefined;
const seed = () => (seedObjects ??= objectsOf(fixtureConfig('seed')));

const entries = (plan: Plan, scope: string): readonly PlanEntry[] =>
  plan.scopes.find((s) => s.scope === scope)?.entries ?? [];
const find = (plan: Plan, scope: string, awsKind: string, name?: string) =>
  entries(plan, scope).filter((e) => (e.awsKind ?? e.type) === awsKind && (name === undefined || e.name === name));

/** A copy of `objects` with `edit` applied to the objects `match` selects (bodies deep-copied). */
function edited(
  objects: readonly PlanObject[],
  match: (o: PlanObject) => boolean,
  edit: (o: PlanObject) => PlanObject | undefined,
): PlanObject[] {
  return objects.flatMap((o) => {
    if (!match(o)) {
      return [o];
    }
    const copy = { ...o, body: JSON.parse(JSON.stringify(o.body)) };
    const out = edit(copy);
    return out ? [out] : [];
  });
}

describe('plan classification', () => {
  test('GIVEN the same synth on both sides WHEN planned THEN the plan is empty and renders as no changes', () => {
    const plan = buildPlan('HEAD', seed(), seed());
    expect(isEmpty(plan)).toBe(true);
    expect(plan.red).toBe(false);
    expect(plan.cost).toEqual([]);
    expect(renderText(plan, false)).toContain('no changes');
  });

  test('GIVEN a tag added to an environment WHEN planned THEN nothing is destroyed or stuck; resources update in place', () => {
    const after = objectsOf(loadFrom(withEnvironment('pr5706', { tags: { CostCenter: 'cc-42' } })));
    const plan = buildPlan('HEAD', seed(), after);
    expect(plan.counts.destroy).toBe(0);
    expect(plan.counts.stuck).toBe(0);
    expect(plan.scopes.some((s) => s.scope === 'prod')).toBe(false);
    // the task definition carries the tags too, so it gets a new revision; everything else updates in place
    const ecs = ['ecs.aws.m.upbound.io/TaskDefinition', 'ecs.aws.m.upbound.io/Service'];
    const rest = entries(plan, 'pr5706').filter((e) => !ecs.includes(e.awsKind ?? ''));
    expect(rest.length).toBeGreaterThan(10);
    expect(rest.every((e) => e.class === 'in-place' && e.action === 'update')).toBe(true);
    const vpc = find(plan, 'pr5706', 'ec2.aws.m.upbound.io/VPC')[0];
    expect(vpc.fields).toEqual([
      expect.objectContaining({ path: 'spec.forProvider.tags.CostCenter', after: 'cc-42', class: 'in-place' }),
    ]);
  });

  test('GIVEN a public subnet CIDR changed WHEN planned THEN that subnet is stuck, citing the schema', () => {
    const after = objectsOf(
      loadFrom(withEnvironment('pr5706', { network: { publicSubnetCidrs: ['10.0.1.0/24', '10.0.5.0/24'] } })),
    );
    const plan = buildPlan('HEAD', seed(), after);
    const subnet = find(plan, 'pr5706', 'ec2.aws.m.upbound.io/Subnet', 'public-subnet-b-pr5706')[0];
    expect(subnet.class).toBe('stuck');
    expect(subnet.red).toBe(false);
    expect(subnet.fields[0]).toMatchObject({
      path: 'spec.forProvider.cidrBlock',
      before: '10.0.2.0/24',
      after: '10.0.5.0/24',
      class: 'stuck',
      source: ['internal/service/ec2/vpc_subnet.go:83'],
    });
    // worst first: the stuck subnet leads its environment
    expect(entries(plan, 'pr5706')[0]).toBe(subnet);
  });

  test('GIVEN the engine major version raised WHEN planned THEN the cluster is stuck; a minor bump is in-place', () => {
    const major = buildPlan(
      'HEAD',
      seed(),
      objectsOf(loadFrom(withEnvironment('prod', { database: { engineVersion: '17.4' } }))),
    );
    const cluster = find(major, 'prod', 'rds.aws.m.upbound.io/Cluster')[0];
    expect(cluster.class).toBe('stuck');
    expect(cluster.fields.find((f) => f.path === 'spec.forProvider.engineVersion')).toMatchObject({
      class: 'stuck',
      source: ['internal/service/rds/cluster.go:270', 'internal/service/rds/cluster.go:1636'],
    });
    const minor = buildPlan(
      'HEAD',
      seed(),
      objectsOf(loadFrom(withEnvironment('prod', { database: { engineVersion: '16.6' } }))),
    );
    expect(find(minor, 'prod', 'rds.aws.m.upbound.io/Cluster')[0].class).toBe('in-place');
  });

  test('GIVEN a new image WHEN planned THEN each service rolls out onto a new task definition revision, nothing red', () => {
    const cfg = baseConfigFile();
    cfg.defaults.service.imageTag = '1.1.0';
    const plan = buildPlan('HEAD', seed(), objectsOf(loadFrom(cfg)));
    for (const env of ['prod', 'pr5706']) {
      const service = find(plan, env, 'ecs.aws.m.upbound.io/Service')[0];
      expect(service).toMatchObject({ action: 'update', class: 'rollout' });
      const td = find(plan, env, 'ecs.aws.m.upbound.io/TaskDefinition');
      expect(td).toHaveLength(1);
      expect(td[0]).toMatchObject({ action: 'rename', class: 'rollout', red: false });
      expect(
        td[0].fields.some(
          (f) => f.path.endsWith('containerDefinitions[0].image') && String(f.after).endsWith(':1.1.0'),
        ),
      ).toBe(true);
    }
    expect(plan.counts.destroy).toBe(0);
    expect(plan.red).toBe(false);
  });

  test('GIVEN the capacity provider strategy changed WHEN planned THEN the service rolls out (forceNewDeployment is set)', () => {
    const after = objectsOf(
      loadFrom(
        withEnvironment('pr5706', {
          service: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }] },
        }),
      ),
    );
    const plan = buildPlan('HEAD', seed(), after);
    const service = find(plan, 'pr5706', 'ecs.aws.m.upbound.io/Service')[0];
    expect(service.class).toBe('rollout');
    expect(
      service.fields.filter((f) => f.path.includes('capacityProviderStrategy')).every((f) => f.class === 'rollout'),
    ).toBe(true);
    expect(service.reasons.join(' ')).toContain('forceNewDeployment');
    // without forceNewDeployment Terraform refuses the change
    const noForce = (objs: PlanObject[]) =>
      edited(
        objs,
        (o) => o.kind === 'Service' && o.scope === 'pr5706',
        (o) => {
          (o.body as any).spec.forProvider.forceNewDeployment = false;
          return o;
        },
      );
    const stuck = buildPlan('HEAD', noForce(seed()), noForce(after));
    expect(find(stuck, 'pr5706', 'ecs.aws.m.upbound.io/Service')[0].class).toBe('stuck');
  });

  test('GIVEN a stateful resource removed from a preview WHEN planned THEN it is a red destroy', () => {
    const after = edited(
      seed(),
      (o) => o.scope === 'pr5706' && o.kind === 'Bucket',
      () => undefined,
    );
    const plan = buildPlan('HEAD', seed(), after);
    const bucket = find(plan, 'pr5706', 's3.aws.m.upbound.io/Bucket')[0];
    expect(bucket).toMatchObject({ action: 'delete', class: 'destroy', red: true });
    expect(bucket.reasons).toContain('stateful: log bucket');
    expect(plan.red).toBe(true);
  });

  test('GIVEN a non-stateful resource removed WHEN planned THEN it is red in production only', () => {
    const drop = (scope: string) =>
      buildPlan(
        'HEAD',
        seed(),
        edited(
          seed(),
          (o) => o.scope === scope && o.kind === 'MetricAlarm',
          () => undefined,
        ),
      );
    const prod = drop('prod');
    expect(prod.scopes.find((s) => s.scope === 'prod')!.production).toBe(true);
    expect(
      find(prod, 'prod', 'cloudwatch.aws.m.upbound.io/MetricAlarm').every((e) => e.class === 'destroy' && e.red),
    ).toBe(true);
    const preview = drop('pr5706');
    expect(preview.scopes.find((s) => s.scope === 'pr5706')!.production).toBe(false);
    expect(
      find(preview, 'pr5706', 'cloudwatch.aws.m.upbound.io/MetricAlarm').every((e) => e.class === 'destroy' && !e.red),
    ).toBe(true);
    expect(preview.red).toBe(false);
  });

  test('GIVEN the database cluster renamed WHEN planned THEN it is one red rename with the data-loss risk', () => {
    const rename = (o: PlanObject): PlanObject => {
      const body = o.body as any;
      body.metadata.name = 'rds-main-prod';
      body.spec.forProvider.tags.Name = 'rds-main-prod';
      return { ...o, name: 'rds-main-prod' };
    };
    const after = edited(
      seed(),
      (o) => o.scope === 'prod' && o.kind === 'Cluster' && o.apiVersion.startsWith('rds.'),
      rename,
    );
    const plan = buildPlan('HEAD', seed(), after);
    const renames = entries(plan, 'prod').filter((e) => e.action === 'rename');
    expect(renames).toHaveLength(1);
    expect(renames[0]).toMatchObject({
      class: 'destroy',
      red: true,
      name: 'rds-main-prod',
      from: { type: 'rds.aws.m.upbound.io/Cluster', namespace: 'catalog-api-prod', name: 'rds-cluster-prod' },
    });
    expect(renames[0].reasons.join(' ')).toMatch(/data stays behind|lost/);
    expect(entries(plan, 'prod').filter((e) => e.action === 'create' || e.action === 'delete')).toEqual([]);
  });

  test('GIVEN a preview environment removed WHEN planned THEN all its resources are destroyed, red for the stateful ones', () => {
    const cfg = baseConfigFile();
    cfg.environments = cfg.environments.filter((e: any) => e.suffix !== 'pr5706');
    const plan = buildPlan('HEAD', seed(), objectsOf(loadFrom(cfg)));
    const preview = plan.scopes.find((s) => s.scope === 'pr5706')!;
    expect(preview.production).toBe(false);
    const aws = preview.entries.filter((e) => e.awsKind);
    expect(aws.length).toBeGreaterThan(40);
    expect(aws.every((e) => e.action === 'delete' && e.class === 'destroy')).toBe(true);
    const red = aws.filter((e) => e.red).map((e) => e.awsKind);
    expect(new Set(red)).toEqual(
      new Set([
        'rds.aws.m.upbound.io/Cluster',
        'rds.aws.m.upbound.io/ClusterInstance',
        's3.aws.m.upbound.io/Bucket',
        'ssm.aws.m.upbound.io/Parameter',
      ]),
    );
    expect(find(plan, 'argocd', 'argoproj.io/ApplicationSet')[0]).toMatchObject({
      action: 'update',
      class: 'in-place',
    });
    expect(plan.scopes.some((s) => s.scope === 'prod')).toBe(false);
    // the preview's whole cost goes away
    const cost = plan.cost.find((c) => c.scope === 'pr5706')!;
    expect(cost.after.max).toBe(0);
    expect(cost.removes.min).toBe(cost.before.min);
  });

  test('GIVEN JSON strings compacted and comments dropped (dist/ before it was made readable) WHEN planned THEN nothing changed', () => {
    const files = render(buildApp(fixtureConfig('seed'))).filter((f) => f.file.endsWith('.yaml'));
    expect(files.some((f) => f.text.startsWith('#'))).toBe(true);
    const compacted = new Map(
      files.map((f) => {
        const docs = f.text
          .split(/^---$/m)
          .map((d) => parse(d))
          .filter(Boolean)
          .map((d) =>
            JSON.parse(JSON.stringify(d), (_k, v) => (typeof v === 'string' && /^\s*[[{]/.test(v) ? compact(v) : v)),
          );
        return [f.file, docs.map((d) => stringify(d)).join('---\n')];
      }),
    );
    expect([...compacted.values()].join('').includes('\n  "')).toBe(false);
    const plan = buildPlan('HEAD', seed(), objectsFromFiles(compacted));
    expect(isEmpty(plan)).toBe(true);
  });

  test('GIVEN the same change with objects in another order WHEN rendered THEN every output is byte-identical', () => {
    const after = objectsOf(loadFrom(withEnvironment('prod', { service: { maxCapacity: 20 } })));
    const a = buildPlan('HEAD', seed(), after);
    const b = buildPlan('HEAD', [...seed()].reverse(), [...after].reverse());
    expect(renderJson(b)).toBe(renderJson(a));
    expect(renderMarkdown(b, false)).toBe(renderMarkdown(a, false));
    expect(renderText(b, false)).toBe(renderText(a, false));
  });
});

function compact(v: string): string {
  try {
    return JSON.stringify(JSON.parse(v));
  } catch {
    return v;
  }
}

describe('rename pairing', () => {
  test('GIVEN two subnets swapped for two others WHEN paired THEN each pairs with its most similar counterpart', () => {
    const subnets = seed().filter((o) => o.scope === 'pr5706' && o.kind === 'Subnet');
    const renamed = subnets.map((o) => ({
      ...o,
      name: `${o.name}-x`,
      body: { ...o.body, metadata: { name: `${o.name}-x` } },
    }));
    const pairs = pairRenames(subnets, [...renamed].reverse());
    expect(pairs.map(([r, a]) => [r.name, a.name]).sort()).toEqual(subnets.map((o) => [o.name, `${o.name}-x`]).sort());
  });
});

describe('cost estimate', () => {
  test('GIVEN the production strategy WHEN tasks are split THEN the base runs on demand and the rest by weight', () => {
    const strategy = [
      { capacityProvider: 'FARGATE', base: 2, weight: 0 },
      { capacityProvider: 'FARGATE_SPOT', weight: 3 },
    ];
    expect(splitTasks(2, strategy)).toEqual({ onDemand: 2, spot: 0 });
    expect(splitTasks(10, strategy)).toEqual({ onDemand: 2, spot: 8 });
    expect(splitTasks(4, [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }])).toEqual({ onDemand: 0, spot: 4 });
  });

  test('GIVEN maxCapacity raised WHEN planned THEN only the maximum grows, and every output says estimate', () => {
    const plan = buildPlan(
      'HEAD',
      seed(),
      objectsOf(loadFrom(withEnvironment('prod', { service: { maxCapacity: 20 } }))),
    );
    const cost = plan.cost.find((c) => c.scope === 'prod')!;
    expect(cost.adds.min).toBe(0);
    expect(cost.adds.max).toBeGreaterThan(0);
    expect(cost.after.max).toBeGreaterThan(cost.before.max);
    expect(cost.items.map((i) => i.label)).toEqual([expect.stringContaining('Fargate tasks')]);
    for (const text of [renderText(plan, false), renderMarkdown(plan, false), renderJson(plan)]) {
      expect(text).toMatch(/ESTIMATE/);
      expect(text).toContain(plan.prices.taken);
    }
  });

  test('GIVEN an environment added WHEN planned THEN its NAT gateway, database and tasks are priced', () => {
    const cfg = baseConfigFile();
    cfg.environments.push({ suffix: 'pr6001', profile: 'preview' });
    const plan = buildPlan('HEAD', seed(), objectsOf(loadFrom(cfg)));
    const cost = plan.cost.find((c) => c.scope === 'pr6001')!;
    expect(cost.before.max).toBe(0);
    const labels = cost.items.map((i) => i.label).join('\n');
    for (const what of [
      'NAT gateway',
      'Elastic IP',
      'Aurora db.t3.medium',
      'Aurora storage',
      'Fargate tasks',
      'ALB',
      'CloudWatch alarm',
      'CloudWatch logs',
      'S3',
      'CloudFront',
    ]) {
      expect(labels).toContain(what);
    }
    expect(cost.adds.min).toBe(cost.after.min);
    expect(find(plan, 'pr6001', 'ec2.aws.m.upbound.io/NATGateway')[0]).toMatchObject({
      action: 'create',
      class: 'in-place',
    });
  });
});
