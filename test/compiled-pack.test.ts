/**
 * The pack of compiled validators (lib/validate/schema.ts CompiledSchemaCache): a run's validators are kept together
 * and loaded as one file by the next run; a damaged pack is never trusted, the per-schema files are used instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompiledSchemaCache, formatsModule } from '../lib/validate/schema';
import { PROJECT_DIR } from './helpers';

const SCHEMA = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', maxLength: 5 }, port: { type: 'integer' } },
  additionalProperties: false,
};

const cacheIn = (dir: string) => new CompiledSchemaCache(dir, formatsModule(PROJECT_DIR));

/** A cache folder inside the project, as `.cache/validators` is: compiled code requires ajv's runtime from there. */
const made: string[] = [];
function cacheDir(): string {
  fs.mkdirSync(path.join(PROJECT_DIR, '.cache'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(PROJECT_DIR, '.cache', 'validators-test-'));
  made.push(dir);
  return dir;
}
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** What a validator says about a few values: valid or the keywords of its errors. */
function verdicts(validate: any): unknown[] {
  return [{ name: 'a' }, { name: 'toolong' }, { port: 1 }, { name: 'a', extra: 1 }].map((v) =>
    validate(v) ? 'valid' : validate.errors.map((e: any) => e.keyword),
  );
}

describe('CompiledSchemaCache', () => {
  const expected = ['valid', ['maxLength'], ['required'], ['additionalProperties']];

  test('GIVEN a run that compiled a schema WHEN the next run needs it THEN it comes from the pack alone', () => {
    const dir = cacheDir();
    const first = cacheIn(dir);
    expect(verdicts(first.compile(SCHEMA))).toEqual(expected);
    first.persist();
    expect(fs.existsSync(path.join(dir, 'pack.js'))).toBe(true);
    // the per-schema files gone, only the pack can answer
    for (const f of fs.readdirSync(dir).filter((f) => /^[0-9a-f]{32}\.js$/.test(f))) fs.rmSync(path.join(dir, f));
    expect(verdicts(cacheIn(dir).compile(SCHEMA))).toEqual(expected);
  });

  test('GIVEN a damaged pack WHEN a schema is needed THEN the validator is as strict as a fresh one', () => {
    const dir = cacheDir();
    const first = cacheIn(dir);
    first.compile(SCHEMA);
    first.persist();
    fs.writeFileSync(path.join(dir, 'pack.js'), fs.readFileSync(path.join(dir, 'pack.js'), 'utf8').slice(0, 200));
    const second = cacheIn(dir);
    expect(verdicts(second.compile(SCHEMA))).toEqual(expected);
    // and the pack is written again whole
    second.persist();
    expect(verdicts(cacheIn(dir).compile(SCHEMA))).toEqual(expected);
    expect(fs.readFileSync(path.join(dir, 'pack.js'), 'utf8').length).toBeGreaterThan(200);
  });
});
