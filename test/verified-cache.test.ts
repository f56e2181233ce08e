/**
 * The record of validated object sets (lib/validate/verified.ts): a synth whose objects, CRD catalog and validator
 * code did not change skips validation; anything else, including a damaged record, validates again, and a bad object
 * is always rejected. Uses a copy of the pinned CRD catalog where a test changes it, and the seed fixture's objects.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatViolation, SourcedObject, Validator, Violation } from '../lib/validate';
import { toYaml } from '../lib/app';
import { validateOrRecall, VerdictInputs, VerifiedCache } from '../lib/validate/verified';
import { defaultSynth, PROJECT_DIR, tempDir } from './helpers';
import { synthesizeToDist } from '../lib/synth/run';
import { MAIN_BUNDLE, runMain, snapshotDir } from './process';

const validator = Validator.forProject(PROJECT_DIR);
const CATALOG = path.join(PROJECT_DIR, '.crds', 'catalog');

function inputs(overrides: Partial<VerdictInputs> = {}): VerdictInputs {
  return {
    code: 'code-1',
    catalogDir: CATALOG,
    formatsFile: path.join(PROJECT_DIR, 'lib', 'validate', 'formats.js'),
    builtinModels: '1.4.0',
    policy: true,
    ...overrides,
  };
}

function cacheIn(dir: string, overrides: Partial<VerdictInputs> = {}): VerifiedCache {
  const cache = VerifiedCache.from(dir, inputs(overrides));
  if (!cache) throw new Error('no cache');
  return cache;
}

function emitted(): SourcedObject[] {
  return defaultSynth().files.flatMap((f) =>
    // copies made in this realm, which js-yaml dumps (structuredClone's are not plain objects to it)
    f.objects.map((object) => ({ file: `dist/${f.file}`, object: JSON.parse(JSON.stringify(object)) })),
  );
}

/** The seed's objects with one unknown field added to the preview's VPC (the API server rejects it). */
function withBadVpc(): SourcedObject[] {
  const set = emitted();
  const vpc = set.find((o) => o.object.kind === 'VPC' && o.object.metadata.name === 'vpc-pr5706');
  if (!vpc) throw new Error('no VPC vpc-pr5706 in the seed');
  vpc.object.bogus = 1;
  return set;
}

/** The verdict on `set` as synth asks for it: from an intact record, else validated and (when clean) rendered. */
function verdict(
  set: SourcedObject[],
  cache: VerifiedCache,
  validate: (objects: readonly SourcedObject[]) => Violation[] = (o) => validator.validate(o),
): { violations: Violation[]; texts?: ReadonlyMap<string, string> } {
  const files = [...new Set(set.map((o) => o.file))];
  const render = () => new Map(files.map((f) => [f, toYaml(set.filter((o) => o.file === f).map((o) => o.object))]));
  return validateOrRecall(set, files, cache, validate, render);
}

/** The real validator, counting its calls. */
function counting(): { calls: number; validate: (objects: readonly SourcedObject[]) => Violation[] } {
  const c = {
    calls: 0,
    validate: (objects: readonly SourcedObject[]) => {
      c.calls++;
      return validator.validate(objects);
    },
  };
  return c;
}

describe('VerifiedCache', () => {
  test('GIVEN a set that validated clean WHEN the same set is validated again THEN the validator does not run', () => {
    const cache = cacheIn(tempDir('catalog-verified-'));
    const v = counting();
    expect(verdict(emitted(), cache, v.validate).violations.map(formatViolation)).toEqual([]);
    const again = verdict(emitted(), cache, v.validate);
    expect(v.calls).toBe(1);
    // the recorded texts are those a fresh render gives
    expect(again).toEqual(verdict(emitted(), cacheIn(tempDir())));
  });

  test('GIVEN a recorded set WHEN one object changes THEN the set is validated again and a bad object is rejected', () => {
    const cache = cacheIn(tempDir('catalog-verified-'));
    const v = counting();
    verdict(emitted(), cache, v.validate);
    const { violations, texts } = verdict(withBadVpc(), cache, v.validate);
    expect(v.calls).toBe(2);
    expect(texts).toBeUndefined();
    expect(violations.map(formatViolation)).toEqual([expect.stringMatching(/vpc-pr5706.*unknown field "bogus"/)]);
    // a rejected set is never recorded: it is validated, and rejected, every time
    expect(verdict(withBadVpc(), cache, v.validate).violations).toHaveLength(1);
    expect(v.calls).toBe(3);
  });

  test.each([
    ['truncated', (text: string) => text.slice(0, text.length - 10)],
    ['emptied', () => ''],
    ['given another key', (text: string) => `${'f'.repeat(64)}${text.slice(64)}`],
    ['edited in its texts', (text: string) => text.replace('vpc-pr5706', 'vpc-pr5707')],
  ])('GIVEN a record that was %s WHEN its set is validated THEN the validator runs again', (_, damage) => {
    const dir = tempDir('catalog-verified-');
    const cache = cacheIn(dir);
    const v = counting();
    const fresh = verdict(emitted(), cache, v.validate);
    for (const f of fs.readdirSync(dir)) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      expect(damage(text)).not.toBe(text);
      fs.writeFileSync(path.join(dir, f), damage(text));
    }
    expect(verdict(emitted(), cache, v.validate)).toEqual(fresh);
    expect(v.calls).toBe(2);
  });

  test('GIVEN a clean record copied to the name of a bad set WHEN the bad set is validated THEN it is rejected', () => {
    const dir = tempDir('catalog-verified-');
    const cache = cacheIn(dir);
    verdict(emitted(), cache);
    const [good] = fs.readdirSync(dir);
    fs.copyFileSync(path.join(dir, good), path.join(dir, cache.keyOf(withBadVpc())));
    const { violations } = verdict(withBadVpc(), cache);
    expect(violations.map(formatViolation)).toEqual([expect.stringMatching(/unknown field/)]);
  });

  test.each<[string, Partial<VerdictInputs>]>([
    ['the validator code', { code: 'code-2' }],
    ['the built-in models', { builtinModels: '1.3.0' }],
    ['the policy switch', { policy: false }],
  ])('GIVEN a recorded set WHEN %s changes THEN the set is validated again', (_, change) => {
    const dir = tempDir('catalog-verified-');
    const v = counting();
    verdict(emitted(), cacheIn(dir), v.validate);
    verdict(emitted(), cacheIn(dir, change), v.validate);
    expect(v.calls).toBe(2);
  });

  test('GIVEN a recorded set WHEN a CRD schema or the formats module is rewritten THEN the set is validated again', () => {
    const catalog = path.join(tempDir('catalog-crds-'), 'catalog');
    fs.cpSync(CATALOG, catalog, { recursive: true });
    const formatsFile = path.join(tempDir('catalog-formats-'), 'formats.js');
    fs.copyFileSync(path.join(PROJECT_DIR, 'lib', 'validate', 'formats.js'), formatsFile);
    const dir = tempDir('catalog-verified-');
    const key = () => cacheIn(dir, { catalogDir: catalog, formatsFile }).keyOf(emitted());
    const before = key();
    expect(key()).toBe(before);
    const [entry] = JSON.parse(fs.readFileSync(path.join(catalog, 'index.json'), 'utf8'));
    const schema = path.join(catalog, entry.schemaFile);
    // same bytes, written again (a re-materialized catalog), then different bytes
    fs.writeFileSync(schema, fs.readFileSync(schema));
    const { mtimeMs } = fs.statSync(schema);
    fs.utimesSync(schema, new Date(mtimeMs), new Date(mtimeMs + 5000));
    const rewritten = key();
    expect(rewritten).not.toBe(before);
    fs.appendFileSync(formatsFile, '\n');
    expect(key()).not.toBe(rewritten);
  });

  test('GIVEN a configuration WHEN only an adoption (a Map entry) or an undefined setting differs THEN its key differs', () => {
    const cache = cacheIn(tempDir('catalog-verified-'));
    const key = (adoptions: Map<string, unknown>, extra: object = {}) =>
      cache.configKeyOf({ config: { environments: [{ suffix: 'prod', ...extra }] }, adoptions });
    expect(key(new Map())).toBe(key(new Map()));
    expect(key(new Map([['prod', { database: 'db-1' }]]))).not.toBe(key(new Map()));
    expect(key(new Map(), { maxCapacity: undefined })).not.toBe(key(new Map()));
  });

  test('GIVEN no CRD catalog WHEN a cache is made THEN there is none, so the validator reports the missing catalog', () => {
    expect(VerifiedCache.from(tempDir(), inputs({ catalogDir: path.join(tempDir(), 'missing') }))).toBeUndefined();
  });

  test('GIVEN the sources run unbundled WHEN the project cache is asked for THEN there is none', () => {
    // only the bundle knows the digest of the code it runs
    expect(VerifiedCache.forProject(PROJECT_DIR)).toBeUndefined();
    expect(VerifiedCache.forProject(PROJECT_DIR, { code: 'x' })).toBeInstanceOf(VerifiedCache);
  });
});

describe('synth bundle', () => {
  test('GIVEN the bundle WHEN it is built THEN it carries the digest of its sources', () => {
    const bundle = fs.readFileSync(path.join(path.dirname(MAIN_BUNDLE), 'bundle', 'main.js'), 'utf8');
    expect(bundle).not.toContain('0'.repeat(64));
    expect(bundle).toMatch(/"[0-9a-f]{64}"/);
  });

  test('GIVEN a synth that validated WHEN it runs again THEN it leaves an intact record and writes the same dist/', async () => {
    const out = tempDir('catalog-verified-dist-');
    const env = { CATALOG_CONFIG: path.join(__dirname, 'fixtures', 'seed.yaml') };
    const first = await runMain({ env: { ...env, CDK8S_OUTDIR: path.join(out, 'a') } });
    expect(first.status).toBe(0);
    const records = path.join(PROJECT_DIR, '.cache', 'verified');
    const intact = fs
      .readdirSync(records)
      .filter((f) => fs.readFileSync(path.join(records, f), 'utf8').startsWith(`${f}\n`));
    expect(intact.length).toBeGreaterThan(0);
    const second = await runMain({ env: { ...env, CDK8S_OUTDIR: path.join(out, 'b') } });
    expect(second.status).toBe(0);
    expect(snapshotDir(path.join(out, 'b'))).toEqual(snapshotDir(path.join(out, 'a')));
  });
});

describe('synth with records', () => {
  const FIXTURES = path.join(__dirname, 'fixtures');

  /** A synth of the fixture `name` into `<out>/<into>` with `cache`; its exit code and what it printed. */
  function synthWith(cache: VerifiedCache, out: string, into: string, name = 'seed') {
    const lines: string[] = [];
    const rc = synthesizeToDist({
      env: { CATALOG_CONFIG: path.join(FIXTURES, `${name}.yaml`), CDK8S_OUTDIR: path.join(out, into) },
      cwd: out,
      projectDir: PROJECT_DIR,
      verified: cache,
      log: (l) => lines.push(l),
      error: (l) => lines.push(l),
    });
    return { rc, lines, files: snapshotDir(path.join(out, into)) };
  }

  test('GIVEN a configuration synthesized before WHEN it synthesizes again THEN nothing is built and dist/ is the same', () => {
    const cache = cacheIn(tempDir('catalog-verified-'));
    const out = tempDir('catalog-verified-dist-');
    const first = synthWith(cache, out, 'a');
    const built = jest.spyOn(cache, 'keyOf');
    const second = synthWith(cache, out, 'b');
    // keyOf runs on built objects: not called, nothing was built, rendered or validated
    expect(built).not.toHaveBeenCalled();
    expect(second).toEqual({ ...first, lines: first.lines.map((l) => l.replace(/ in a\/$/, ' in b/')) });
  });

  test.each([
    ['its configuration record is damaged', (dir: string) => damage(dir, (f) => f.startsWith('config-'))],
    ['the record it points to is damaged', (dir: string) => damage(dir, (f) => !f.startsWith('config-'))],
  ])('GIVEN a configuration synthesized before WHEN %s THEN it is built and validated again', (_, harm) => {
    const dir = tempDir('catalog-verified-');
    const cache = cacheIn(dir);
    const out = tempDir('catalog-verified-dist-');
    const first = synthWith(cache, out, 'a');
    harm(dir);
    const built = jest.spyOn(cache, 'keyOf');
    const second = synthWith(cache, out, 'a');
    expect(built).toHaveBeenCalled();
    expect(second).toEqual(first);
  });

  test('GIVEN a configuration synthesized before WHEN another configuration synthesizes THEN it is built', () => {
    const cache = cacheIn(tempDir('catalog-verified-'));
    const out = tempDir('catalog-verified-dist-');
    synthWith(cache, out, 'a');
    const built = jest.spyOn(cache, 'keyOf');
    const edited = synthWith(cache, out, 'b', 'edited');
    expect(edited.rc).toBe(0);
    expect(built).toHaveBeenCalled();
  });
});

/** Cuts the last byte off every record in `dir` whose name matches. */
function damage(dir: string, which: (name: string) => boolean): void {
  const names = fs.readdirSync(dir).filter(which);
  expect(names.length).toBeGreaterThan(0);
  for (const f of names) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    fs.writeFileSync(path.join(dir, f), text.slice(0, -1));
  }
}
