import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { toYaml } from '../lib/app';
import { formatViolation, Validator } from '../lib/validate';
import { goMapKey, goResolvePlain } from '../lib/validate/go-yaml';
import { readYamlAsKubectl } from '../lib/validate/read';
import { PROJECT_DIR, tempDir } from './helpers';

/**
 * The rule table of go.yaml.in/yaml/v2 v2.4.3 resolve.go:37-47 (the YAML 1.1 reader inside sigs.k8s.io/yaml v1.6.0,
 * which kubectl v0.36 and Argo CD v3.5.1 decode manifests with), every spelling it lists.
 */
const RULE_TABLE: ReadonlyArray<[readonly string[], unknown]> = [
  [['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'], true],
  [['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'], false],
  [['', '~', 'null', 'Null', 'NULL'], null],
  [['.nan', '.NaN', '.NAN'], NaN],
  [['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'], Infinity],
  [['-.inf', '-.Inf', '-.INF'], -Infinity],
];

/**
 * Numbers and near-misses through resolve.go:132-191 (strconv.ParseInt/ParseUint base 0 after removing `_`,
 * yamlStyleFloat, the `0b` fallbacks, ParseFloat for a leading `.`). Expected values are what sigs.k8s.io/yaml
 * v1.6.0's YAMLToJSON returns for `- <text>` and for the key in `<text>: 1` (undefined: it rejects the key).
 */
const NUMERIC: ReadonlyArray<[string, unknown, string | undefined]> = [
  ['0777', 511, '511'],
  ['09', 9, '9'],
  ['08.5', 8.5, '8.5'],
  ['0x1F_', 31, '31'],
  ['0X1f', 31, '31'],
  ['0o17', 15, '15'],
  ['0O17', 15, '15'],
  ['0B101', 5, '5'],
  ['0b-1', -1, '-1'],
  ['0b+1', 1, '1'],
  ['-0b11', -3, '-3'],
  ['+0x10', 16, '16'],
  ['1_000', 1000, '1000'],
  ['1__0', 10, '10'],
  ['_1', '_1', '_1'],
  ['1_', 1, '1'],
  ['.5_5', 0.55, '0.55'],
  ['._5', '._5', '._5'],
  ['.5e3_0', 5e29, '5e+29'],
  ['.5e_3', '.5e_3', '.5e_3'],
  ['1e3', 1000, '1000'],
  ['1e400', '1e400', '1e400'],
  ['1e-400', 0, '0'],
  ['+.5', 0.5, '0.5'],
  ['-.5e-3', -0.0005, '-0.0005'],
  ['.e5', '.e5', '.e5'],
  ['1.', 1, '1'],
  ['0x', '0x', '0x'],
  ['0b', '0b', '0b'],
  ['00', 0, '0'],
  ['9223372036854775807', 9223372036854775807, '9223372036854775807'],
  ['9223372036854775808', 9223372036854775808, undefined],
  ['18446744073709551616', 18446744073709551616, '1.8446744e+19'],
  ['0x10000000000000000', '0x10000000000000000', '0x10000000000000000'],
  ['2001-12-14', '2001-12-14', '2001-12-14'],
  ['1:20', '1:20', '1:20'],
  ['1.2.3', '1.2.3', '1.2.3'],
  ['12e', '12e', '12e'],
  ['yEs', 'yEs', 'yEs'],
  ['oN', 'oN', 'oN'],
  ['tRue', 'tRue', 'tRue'],
  ['nULL', 'nULL', 'nULL'],
];

/** Strings built to defeat a writer that quotes only what its own schema resolves. */
function adversarialStrings(): string[] {
  const out = new Set<string>([...RULE_TABLE.flatMap(([l]) => l), ...NUMERIC.map(([t]) => t), '<<', '-0', '1e1000']);
  const grow = (alphabet: string, prefix: string, left: number) => {
    out.add(prefix);
    if (left > 0) for (const c of alphabet) grow(alphabet, prefix + c, left - 1);
  };
  grow('0189+-._eEbxXoOny', '', 3);
  grow('0b+-._', '', 4);
  out.delete('');
  // a YAML parser would read these as syntax (`- x`, `? x`, `: x`) rather than as one scalar, so no writer emits them
  return [...out].filter((s) => !/^[-?:]$/.test(s));
}

describe('go-yaml v2 resolver port', () => {
  test.each(RULE_TABLE.flatMap(([list, value]) => list.map((t) => [t, value] as const)))(
    'GIVEN the plain scalar %p WHEN resolved THEN it is %p',
    (text, value) => {
      expect(goResolvePlain(text)).toBe(value);
    },
  );

  test.each(NUMERIC)('GIVEN the plain scalar %p WHEN decoded THEN the value is %p and the key %p', (text, v, key) => {
    expect(goResolvePlain(text)).toBe(v);
    expect(goMapKey(text)).toBe(key);
  });

  test('GIVEN a merge key WHEN converted to a JSON key THEN it is not taken for a plain string', () => {
    expect(goMapKey('<<')).toBeUndefined();
  });
});

describe('toYaml', () => {
  test('GIVEN every manifest in dist/ WHEN read as kubectl and as YAML 1.2 THEN both readings agree everywhere', () => {
    const dist = path.join(PROJECT_DIR, 'dist');
    const files = (function walk(dir: string): string[] {
      return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    })(dist).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    let strings = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const asKubectl = readYamlAsKubectl(text);
      expect(asKubectl.flatMap((d) => d.reinterpreted.map((r) => `${file}:${r.line}: ${r.path}`))).toEqual([]);
      const asYaml12 = parseAllDocuments(text).map((d) => d.toJS());
      expect(asKubectl.map((d) => d.object)).toEqual(asYaml12);
      JSON.stringify(asYaml12, (_k, v) => (typeof v === 'string' && strings++, v));
    }
    expect(strings).toBeGreaterThan(1000);
  });

  test('GIVEN adversarial strings as keys and values WHEN written and read back by kubectl and YAML 1.2 THEN each is the same string', () => {
    const values = adversarialStrings();
    expect(values.length).toBeGreaterThan(5000);
    // one key per mapping: the parser's duplicate-key check is quadratic in a mapping's size
    const input = { keys: values.map((v) => ({ [v]: v })), list: values };
    const text = toYaml([input]);
    const [asKubectl] = readYamlAsKubectl(text);
    expect(asKubectl.reinterpreted).toEqual([]);
    expect(asKubectl.object).toEqual(input);
    expect(parseAllDocuments(text)[0].toJS()).toEqual(input);
  });

  test('GIVEN numbers and booleans WHEN written THEN they stay plain', () => {
    expect(toYaml([{ a: 1, b: true, c: 0.5, d: null }])).toBe('a: 1\nb: true\nc: 0.5\nd: null\n');
  });
});

describe('Validator.validateFiles', () => {
  const validator = Validator.forProject(PROJECT_DIR);
  const run = (yamlText: string) => {
    const dir = tempDir();
    const file = path.join(dir, 'input.yaml');
    fs.writeFileSync(file, yamlText);
    return validator
      .validateFiles([file], { policy: false })
      .violations.map((v) => formatViolation({ ...v, file: 'input.yaml' }));
  };
  const configMap = (data: string, labels = 'app: demo') =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n  namespace: default\n  labels:\n    ${labels}\ndata:\n${data}`;

  test('GIVEN a string field written as plain on WHEN validated THEN the line, object, field, value and fix are named', () => {
    expect(run(configMap('  mode: on\n'))).toEqual([
      "input.yaml:9: ConfigMap/default/demo: data.mode: on is read as true by kubectl and Argo CD (YAML 1.1), not as a string; quote it: 'on' [yaml11]",
    ]);
  });

  test.each(['y', 'NO', 'Off', '1_000', '0x1F_', '.5_5'])(
    'GIVEN a string field written as plain %p WHEN validated THEN it is flagged',
    (value) => {
      const out = run(configMap(`  value: ${value}\n`));
      expect(out).toHaveLength(1);
      expect(out[0]).toMatch(
        new RegExp(`^input\\.yaml:9: .*data\\.value: .* quote it: '${value.replace(/\./g, '\\.')}' \\[yaml11\\]$`),
      );
    },
  );

  test('GIVEN an octal-looking number WHEN validated THEN both readings are named', () => {
    expect(run(configMap('  perm: 0777\n'))).toEqual([
      "input.yaml:9: ConfigMap/default/demo: data.perm: 0777 is read as 511 by kubectl and Argo CD (YAML 1.1) but as 777 by YAML 1.2 readers; write the intended value unambiguously, or quote it if a string is meant: '0777' [yaml11]",
    ]);
  });

  test('GIVEN a map key written as plain on WHEN validated THEN the key change is flagged', () => {
    expect(run(configMap('  a: b\n', 'on: demo'))).toEqual([
      'input.yaml:7: ConfigMap/default/demo: metadata.labels.on: key on becomes "true" in kubectl and Argo CD (YAML 1.1); quote it: \'on\' [yaml11]',
    ]);
  });

  test('GIVEN the same values quoted WHEN validated THEN nothing is flagged', () => {
    expect(run(configMap("  mode: 'on'\n  perm: \"0777\"\n  count: '1_000'\n", "'on': demo"))).toEqual([]);
  });
});
