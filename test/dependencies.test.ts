/**
 * What `npm ci` would warn about, read from package.json and package-lock.json (offline, no install): an engine
 * range of any locked package that excludes a Node version we claim to support (EBADENGINE), and an install script
 * npm has not been told to allow (`allowScripts`). Also that CI runs the oldest supported Node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';
import { parse } from 'yaml';
import { PROJECT_DIR } from './helpers';

const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, 'package-lock.json'), 'utf8'));
const supported: string = pkg.engines.node;
const oldest = semver.minVersion(supported)!.version;

/** Locked packages (`node_modules/...` paths), the root excluded. */
const locked = Object.entries<any>(lock.packages).filter(([at]) => at !== '');

/** Whether a Node version we support falls outside `range` (npm's EBADENGINE on that version). */
function excludesSupported(range: string): boolean {
  return !semver.subset(supported, range);
}

describe('package engines', () => {
  test('GIVEN the supported Node range WHEN it is read THEN it is a valid range that the running Node satisfies', () => {
    expect(semver.validRange(supported)).not.toBeNull();
    expect(semver.satisfies(process.versions.node, supported)).toBe(true);
  });

  test('GIVEN every locked package WHEN its engines.node is compared THEN it admits every supported Node version', () => {
    const narrower = locked
      .filter(([, p]) => typeof p.engines?.node === 'string' && excludesSupported(p.engines.node))
      .map(([at, p]) => `${at}@${p.version} requires node ${p.engines.node}`);
    expect(narrower).toEqual([]);
  });

  test('GIVEN a package that needs a newer Node WHEN checked THEN it is reported', () => {
    // the check itself: undici 8 (a dependency of @kubernetes/client-node 2) declares node >=22.19.0
    expect(excludesSupported('>=22.19.0')).toBe(true);
    expect(excludesSupported('^20.19.0 || ^22.13.0 || >=24')).toBe(false);
  });

  test('GIVEN the README WHEN it states the supported Node versions THEN it names the engines range', () => {
    expect(fs.readFileSync(path.join(PROJECT_DIR, 'README.md'), 'utf8')).toContain(`Node.js \`${supported}\``);
  });
});

describe('install scripts', () => {
  test('GIVEN every locked package with an install script WHEN allowScripts is read THEN it is allowed by name', () => {
    const withScripts = locked.filter(([, p]) => p.hasInstallScript).map(([at]) => at.replace(/^.*node_modules\//, ''));
    expect(withScripts.length).toBeGreaterThan(0);
    expect(withScripts.filter((name) => pkg.allowScripts?.[name] !== true)).toEqual([]);
  });

  test('GIVEN allowScripts WHEN compared with the lock THEN it names no package that has no install script', () => {
    const withScripts = new Set(
      locked.filter(([, p]) => p.hasInstallScript).map(([at]) => at.replace(/^.*node_modules\//, '')),
    );
    expect(Object.keys(pkg.allowScripts ?? {}).filter((name) => !withScripts.has(name))).toEqual([]);
  });
});

describe('CI', () => {
  const workflow = parse(fs.readFileSync(path.join(PROJECT_DIR, '.github/workflows/ci.yaml'), 'utf8'));

  test('GIVEN the workflow WHEN its Node versions are read THEN they include the oldest supported one', () => {
    const job = workflow.jobs.test;
    const versions: string[] = (job.strategy?.matrix?.node ?? []).map(String);
    expect(versions).toContain(oldest);
    versions.forEach((v) => expect(semver.satisfies(semver.coerce(v)!, supported)).toBe(true));
    const setup = job.steps.find((s: any) => String(s.uses).startsWith('actions/setup-node@'));
    expect(setup.with['node-version']).toBe('${{ matrix.node }}');
  });

  test('GIVEN .ci/run WHEN it starts THEN it prints the Node version it runs on', () => {
    expect(fs.readFileSync(path.join(PROJECT_DIR, '.ci/run'), 'utf8')).toMatch(/^node --version$/m);
  });
});
