import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { SEED_DEFAULTS } from '../lib/config/defaults';
import { FIXTURES_DIR, fixtureConfig, objectsOf, editedSynth, find } from './helpers';

const file = (name: string) => parse(fs.readFileSync(path.join(FIXTURES_DIR, `${name}.yaml`), 'utf8'));

describe('seed fixture', () => {
  test('names the seed environments and sets nothing a profile or the seed defines', () => {
    // GIVEN the fixture the value assertions and the snapshots build from
    const seed = file('seed');
    // THEN only what has no default is written: identity, the account and production's deploy role
    expect(Object.keys(seed.defaults)).toEqual(['accountId']);
    expect(seed.environments.map((e: any) => [e.suffix, e.profile, Object.keys(e).sort()])).toEqual([
      ['prod', 'production', ['deployRoleArn', 'profile', 'suffix']],
      ['pr5706', 'preview', ['profile', 'suffix']],
    ]);
  });
});

describe('edited fixture', () => {
  test('holds the edits users make: an added environment, raised and moved settings', () => {
    const config = fixtureConfig('edited');
    const bySuffix = Object.fromEntries(config.environments.map((e) => [e.suffix, e]));
    expect(Object.keys(bySuffix).length).toBeGreaterThan(file('seed').environments.length);
    expect(bySuffix.prod.service.maxCapacity).toBeGreaterThan(SEED_DEFAULTS.service.maxCapacity);
    expect(bySuffix.pr5706.network.vpcCidr).not.toBe(SEED_DEFAULTS.network.vpcCidr);
    expect(bySuffix.staging.availabilityZones).toHaveLength(3);
  });

  test('the edits reach the emitted objects', () => {
    // WHEN the edited fixture is synthesized
    const { files } = editedSynth();
    // THEN
    expect(find(objectsOf(files, 'prod'), 'Target', 'ecs-scaling-target-prod').spec.forProvider.maxCapacity).toBe(20);
    expect(find(objectsOf(files, 'pr5706'), 'VPC', 'vpc-pr5706').spec.forProvider.cidrBlock).toBe('10.20.0.0/16');
    expect(objectsOf(files, 'pr6001').length).toBeGreaterThan(0);
  });
});
