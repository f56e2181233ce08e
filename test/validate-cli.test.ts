import * as fs from 'node:fs';
import * as path from 'node:path';
import { runValidateCli } from '../lib/validate/cli';
import { baseConfigFile, tempDir } from './helpers';
import { runMain, writeConfig } from './process';

function validate(argv: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const status = runValidateCli(argv, cwd, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run validate: usage', () => {
  test('--help prints the usage and the exit codes and exits 0', () => {
    const r = validate(['--help'], tempDir());
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^usage: npm run validate -- \[--help\] \[path \.\.\.\]/);
    expect(r.out).toMatch(/^ {2}0 {2}no violations$/m);
    expect(r.out).toMatch(/^ {2}1 {2}violations/m);
    expect(r.out).toMatch(/^ {2}2 {2}usage or input error/m);
  });

  test.each([
    [['--strict'], 'validate: unknown option --strict; the only option is --help (npm run validate -- --help)'],
    [['missing'], 'validate: no such file or folder: missing'],
    [['empty'], 'validate: no .yaml or .yml files in empty'],
  ])('%j is a usage or input error: exit 2, one line', (argv, message) => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'empty'));
    const r = validate(argv, dir);
    expect(r.status).toBe(2);
    expect(r.err).toBe(message);
    expect(r.out).toBe('');
  });
});

describe('npm run validate: a subset of a synthesized tree', () => {
  let dir: string;

  beforeAll(async () => {
    // GIVEN a tree synthesized from a fixture configuration
    dir = tempDir('catalog-validate-');
    const config = writeConfig(dir, 'config.yaml', baseConfigFile());
    const r = await runMain({ env: { CATALOG_CONFIG: config, CDK8S_OUTDIR: path.join(dir, 'dist') } });
    expect(r.status).toBe(0);
  });

  const anEnvironment = () => fs.readdirSync(path.join(dir, 'dist', 'environments')).sort()[0];

  test('one environment folder is checked with the platform objects it relies on: no false errors', () => {
    const r = validate([path.join('dist', 'environments', anEnvironment())], dir);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^validate: \d+ files \(checked with \d+ more of their tree\), \d+ objects, 0 violations/);
  });

  test('one file is checked with the rest of its tree: no false errors', () => {
    const r = validate([path.join('dist', 'environments', anEnvironment(), 'network.k8s.yaml')], dir);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^validate: 1 file \(checked with \d+ more of their tree\), \d+ objects, 0 violations/);
  });

  test('a file outside any tree says which prerequisites it could not see, and reports them missing', () => {
    const lone = path.join(dir, 'lone');
    fs.mkdirSync(lone);
    fs.copyFileSync(
      path.join(dir, 'dist', 'environments', anEnvironment(), 'network.k8s.yaml'),
      path.join(lone, 'network.k8s.yaml'),
    );
    const r = validate(['lone'], dir);
    expect(r.status).toBe(1);
    expect(r.err.split('\n')[0]).toBe(
      'validate: lone is not inside a synthesized tree (a folder with environments/ and platform/); ' +
        'checked on its own, so the ProviderConfigs, namespaces and RBAC it relies on are reported as not found',
    );
    expect(r.err).toMatch(/Not found: ProviderConfig\.aws\.m\.upbound\.io/);
  });

  test('findings are reported for the given paths only, never for the tree read with them', () => {
    // GIVEN one environment's file holds an object the API server would reject
    const [first, second] = fs.readdirSync(path.join(dir, 'dist', 'environments')).sort();
    expect(second).toBeDefined();
    const broken = path.join(dir, 'dist', 'environments', first, 'network.k8s.yaml');
    const text = fs.readFileSync(broken, 'utf8');
    fs.appendFileSync(
      broken,
      '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n  namespace: default\ndata:\n  a: {}\n',
    );
    try {
      // WHEN that file is validated THEN its finding is reported
      const bad = validate([path.relative(dir, broken)], dir);
      expect(bad.status).toBe(1);
      expect(bad.err).toMatch(/network\.k8s\.yaml: ConfigMap\/default\/broken: data\.a: /);
      // WHEN another environment is validated THEN the broken file is read for context but not reported
      const other = validate([path.join('dist', 'environments', second)], dir);
      expect(other.err).toBe('');
      expect(other.status).toBe(0);
    } finally {
      fs.writeFileSync(broken, text);
    }
  });
});
