import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAdopt } from './adoption-support';
import { tempDir } from './helpers';
import { snapshotDir } from './process';

const run = runAdopt;

const PR5706 = ['--state', 'pr5706.tfstate', '--suffix', 'pr5706', '--lookup', 'pr5706.sg-rules.json'];

describe('npm run adopt: what it writes', () => {
  test('GIVEN a --report path in a folder that does not exist WHEN adopted THEN nothing is written, the setting and the OS error are named', () => {
    // GIVEN
    const dir = tempDir();
    const report = path.join(dir, 'missing', 'report.json');
    // WHEN
    const r = run([...PR5706, '--report', report], dir);
    // THEN
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      'adopt failed; nothing was written',
      `  --report: cannot write ${JSON.stringify(report)} (ENOENT); pass a file path in a folder that exists`,
    ]);
    expect(snapshotDir(path.join(dir, 'config'))).toEqual({});
  });

  test('GIVEN a --report path that is a folder and an earlier adoption file WHEN adopted THEN both stay as they were', () => {
    // GIVEN
    const dir = tempDir();
    expect(run(PR5706, dir).code).toBe(0);
    const before = snapshotDir(dir);
    fs.mkdirSync(path.join(dir, 'a-folder'));
    // WHEN
    const r = run([...PR5706, '--report', path.join(dir, 'a-folder')], dir);
    // THEN
    expect(r.code).toBe(1);
    expect(r.err[1]).toMatch(/^ {2}--report: cannot write ".*a-folder" \(it is a folder\); pass a file path/);
    expect(snapshotDir(dir)).toEqual(before);
  });

  test('GIVEN an earlier adoption file that is not valid YAML WHEN adopted again THEN its line is named and it is left alone', () => {
    // GIVEN a merge conflict left in the file
    const dir = tempDir();
    expect(run(PR5706, dir).code).toBe(0);
    const file = path.join(dir, 'config', 'adoption', 'pr5706.yaml');
    fs.writeFileSync(file, 'suffix: pr5706\nphase: [unclosed\n');
    // WHEN
    const r = run(PR5706, dir);
    // THEN
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe('adopt failed; nothing was written');
    expect(r.err[1]).toMatch(
      /^ {2}config\/adoption\/pr5706\.yaml:\d+:\d+: malformed yaml: .*; fix the file \(a merge conflict left in it, say\), or delete it to adopt from scratch$/,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('suffix: pr5706\nphase: [unclosed\n');
  });

  test('GIVEN an earlier adoption file with a misspelt phase WHEN adopted again THEN it is refused, not reset to observe', () => {
    // GIVEN
    const dir = tempDir();
    expect(run(PR5706, dir).code).toBe(0);
    const file = path.join(dir, 'config', 'adoption', 'pr5706.yaml');
    const misspelt = fs.readFileSync(file, 'utf8').replace('phase: observe', 'phase: managed');
    fs.writeFileSync(file, misspelt);
    // WHEN
    const r = run(PR5706, dir);
    // THEN
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      'adopt failed; nothing was written',
      '  config/adoption/pr5706.yaml: phase: is not an allowed value (got "managed"); use one of observe, manage, then adopt again',
    ]);
    expect(fs.readFileSync(file, 'utf8')).toBe(misspelt);
  });
});

describe('npm run adopt --lookup', () => {
  test('GIVEN ids recorded by an earlier lookup WHEN adopted again with a lookup file holding none of the rules THEN it is refused and the recorded ids stay', () => {
    // GIVEN
    const dir = tempDir();
    expect(run(PR5706, dir).code).toBe(0);
    const file = path.join(dir, 'config', 'adoption', 'pr5706.yaml');
    const recorded = fs.readFileSync(file, 'utf8');
    expect(recorded).toMatch(/externalName: sgr-/);
    const empty = path.join(dir, 'empty-rules.json');
    fs.writeFileSync(empty, JSON.stringify({ SecurityGroupRules: [] }));
    // WHEN
    const r = run(['--state', 'pr5706.tfstate', '--suffix', 'pr5706', '--lookup', empty], dir);
    // THEN
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe('adopt failed; nothing was written');
    expect(r.err[1]).toMatch(
      /^ {2}--lookup: holds no id for \d+ security-group rules still to look up \(got ".*empty-rules\.json"\); run `aws ec2 describe-security-group-rules .*` again and pass its output$/,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe(recorded);
  });
});

describe('npm run adopt --help', () => {
  test('GIVEN --help WHEN run THEN the usage is printed, exit 0, nothing written', () => {
    const dir = tempDir();
    const r = run(['--help'], dir);
    expect(r).toEqual({
      code: 0,
      out: ['usage: npm run adopt -- --state <file> --suffix <suffix> [--report <file.json>] [--lookup <file.json>]'],
      err: [],
    });
    expect(snapshotDir(dir)).toEqual({});
  });
});

describe('npm run adopt arguments', () => {
  test('GIVEN --suffix twice WHEN run THEN it is refused rather than the last one kept', () => {
    const dir = tempDir();
    const r = run(['--state', 'prod.show.json', '--suffix', 'prod', '--suffix', 'pr5706'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['adopt failed; nothing was written', '  --suffix: given more than once; pass it once']);
    expect(snapshotDir(dir)).toEqual({});
  });
});
