import * as fs from 'node:fs';
import * as path from 'node:path';
import { adoptMain } from '../lib/adoption/cli';
import { providerNames } from '../lib/adoption/drift';
import { FIXTURES_DIR, tempDir } from './helpers';

const STATES = path.join(FIXTURES_DIR, 'adoption');

/** Every key of every object under `v`. */
function keysUnder(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(keysUnder);
  if (v !== null && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [k, ...keysUnder(x)]);
  return [];
}

describe('drift report field names', () => {
  test('GIVEN a nested state value WHEN shown THEN its keys are the provider’s (camelCase); tag keys stay AWS’s', () => {
    expect(
      providerNames([{ capacity_provider: 'FARGATE_SPOT', base: 0, weight: 1, nested_block: { max_items: 1 } }], 'x'),
    ).toEqual([{ capacityProvider: 'FARGATE_SPOT', base: 0, weight: 1, nestedBlock: { maxItems: 1 } }]);
    expect(providerNames({ cost_center: 'a' }, 'tags_all')).toEqual({ cost_center: 'a' });
    expect(providerNames({ tags: { cost_center: 'a' } }, 'x')).toEqual({ tags: { cost_center: 'a' } });
  });

  test.each([
    ['prod.show.json', 'prod', []],
    ['pr5706.tfstate', 'pr5706', ['--lookup', 'pr5706.sg-rules.json']],
  ])(
    'GIVEN the %s fixture WHEN adopted THEN no drift row shows a Terraform (snake_case) key outside tags',
    (state, suffix, extra) => {
      const dir = tempDir();
      const report = path.join(dir, 'report.json');
      const code = adoptMain(['--state', state, '--suffix', suffix, '--report', report, ...extra], {
        env: { CATALOG_CONFIG: path.join(FIXTURES_DIR, 'seed.yaml') },
        cwd: STATES,
        projectDir: dir,
        log: () => undefined,
        error: () => undefined,
      });
      expect(code).toBe(0);
      const drift: any[] = JSON.parse(fs.readFileSync(report, 'utf8')).drift;
      expect(drift.length).toBeGreaterThan(0);
      const snake = drift
        .filter((d) => !/^tags/.test(d.attribute))
        .flatMap((d) =>
          keysUnder(d.state)
            .filter((k) => k.includes('_'))
            .map((k) => `${d.resource} ${d.field}: ${k}`),
        );
      expect(snake).toEqual([]);
    },
  );
});
