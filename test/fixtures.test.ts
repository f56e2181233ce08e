import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { PROFILE_DEFAULTS, SEED_DEFAULTS } from '../lib/config/defaults';
import { merge } from '../lib/config/load';
import { editedSynth, find, FIXTURES_DIR, fixtureConfig, objectsOf } from './helpers';

const file = (name: string) => parse(fs.readFileSync(path.join(FIXTURES_DIR, `${name}.yaml`), 'utf8'));

describe('seed fixture', () => {
  test('holds the seed environments with every setting that has a default at its profile and seed default', () => {
    // GIVEN the fixture the value assertions and the snapshots build from
    const config = fixtureConfig('seed');
    // THEN
    expect(config.environments.map((e) => [e.suffix, e.profile])).toEqual([
      ['prod', 'production'],
      ['pr5706', 'preview'],
    ]);
    for (const env of config.environments) {
      const defaults = merge(SEED_DEFAULTS, PROFILE_DEFAULTS[env.profile], { environmentTag: env.profile });
      expect([env.suffix, env]).toMatchObject([env.suffix, defaults]);
    }
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
