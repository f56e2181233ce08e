// First run and error messages, through the programs a user runs: the built `npm run crds` step and the synth entry
// point. Every failure exits non-zero, prints no stack trace, writes nothing, and says what, where, what was received
// and the fix, in lower case.
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { LockedCrd, readLock } from '../lib/crds/lock';
import { merge } from '../lib/config/load';
import { setImageMain } from '../lib/config/set-image';
import { STACK_TAGS } from '../lib/config/validate';
import { baseConfigFile, find, loadFrom, objectsOf, PROJECT_DIR, synth, tempDir, withEnvironment } from './helpers';
import { pool, RunResult, runMain, snapshotDir, writeConfig, runProcess } from './process';

const CRDS_BUNDLE = path.join(PROJECT_DIR, '.cache', 'build', 'crds.js');
const LOCK = readLock(PROJECT_DIR);
const STACK_TRACE = /^\s+at |Error:|\.[jt]s:\d+/m;

/**
 * A project folder holding the built `npm run crds` program, package.json and a lock, nested one level down so that
 * its `../shared/crds` does not exist.
 */
function crdsProject(files: readonly LockedCrd[]): string {
  const dir = path.join(tempDir('catalog-first-run-'), 'project');
  fs.mkdirSync(path.join(dir, '.cache', 'build'), { recursive: true });
  fs.copyFileSync(CRDS_BUNDLE, path.join(dir, '.cache', 'build', 'crds.js'));
  fs.copyFileSync(path.join(PROJECT_DIR, 'package.json'), path.join(dir, 'package.json'));
  fs.writeFileSync(path.join(dir, 'crds.lock.json'), JSON.stringify({ files }));
  return dir;
}

/** Runs `npm run crds`'s program (`node .cache/build/crds.js`) of `dir` as npm would, in `dir`. */
function runCrds(dir: string, env: Record<string, string>): Promise<RunResult> {
  return runProcess(process.execPath, [path.join(dir, '.cache', 'build', 'crds.js')], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
}

/** A local HTTP server answering every request with `handler`; no network is needed. */
async function server(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => s.close(() => resolve())) };
}

function expectCleanFailure(r: RunResult, dir: string): void {
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(STACK_TRACE);
  expect(fs.existsSync(path.join(dir, '.crds'))).toBe(false);
  expect(fs.readdirSync(dir).filter((f) => f.startsWith('.crds.'))).toEqual([]);
}

describe('npm run crds on a first run', () => {
  test('GIVEN no ../shared/crds and no other source WHEN it runs THEN one short summary with the three ways', async () => {
    // GIVEN the full lock and no CRD folder anywhere
    const dir = crdsProject(LOCK.files);
    // WHEN
    const r = await runCrds(dir, {});
    // THEN what is missing, where it looked, and the three ways to provide the files, instead of one line per file
    expectCleanFailure(r, dir);
    const n = LOCK.files.length;
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `crds: ${n} of ${n} pinned crd files are missing from ../shared/crds (the default folder, next to the project; ` +
        'CRDS_SOURCE_DIR is not set), which does not exist; provide them in one of three ways:',
      '  1. put the pinned releases (argo-cd-v3.5.1, crossplane-v2.3.4, provider-kubernetes-v1.2.1, ' +
        'provider-upjet-aws-v2.6.0) in ../shared/crds',
      '  2. set CRDS_SOURCE_DIR to a folder holding them (relative to the project)',
      '  3. set CRDS_FETCH=1 to download them from the upstream urls in crds.lock.json (each verified against its sha256)',
    ]);
  });

  test('GIVEN CRDS_SOURCE_DIR holding some of the files THEN the summary names the setting, its value and examples', async () => {
    const [first, second, third] = LOCK.files;
    const dir = crdsProject([first, second, third]);
    const source = path.join(dir, 'crds');
    fs.mkdirSync(path.join(source, path.dirname(first.path)), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_DIR, '.crds', 'files', first.path), path.join(source, first.path));
    // WHEN
    const r = await runCrds(dir, { CRDS_SOURCE_DIR: 'crds' });
    // THEN
    expectCleanFailure(r, dir);
    expect(r.stderr.split('\n')[0]).toBe(
      `crds: 2 of 3 pinned crd files are missing from CRDS_SOURCE_DIR (got "crds"), e.g. '${second.path}', ` +
        `'${third.path}'; provide them in one of three ways:`,
    );
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(4);
  });

  test('GIVEN CRDS_FETCH=1 and a URL answering 404 THEN the error names the file, the URL and the status', async () => {
    const s = await server((_req, res) => {
      res.statusCode = 404;
      res.end('not here');
    });
    try {
      const [first, second] = LOCK.files;
      const url = `${s.url}/crds/${path.basename(first.path)}`;
      const dir = crdsProject([
        { ...first, url },
        { ...second, url: `${s.url}/other.yaml` },
      ]);
      // WHEN
      const r = await runCrds(dir, { CRDS_FETCH: '1', CRDS_SOURCE_DIR: 'nowhere' });
      // THEN
      expectCleanFailure(r, dir);
      expect(r.stderr).toBe(
        `crds: CRDS_FETCH=1: cannot download '${first.path}' from ${url}: the server answered http 404 (not found) ` +
          '(1 more missing file not tried); check that the url is reachable from here, or provide the files through ' +
          'CRDS_SOURCE_DIR\n',
      );
    } finally {
      await s.close();
    }
  });

  test('GIVEN CRDS_FETCH=1 and an unreachable URL THEN the error names the URL and the network error', async () => {
    // a port that was just free: nothing listens there
    const s = await server(() => undefined);
    const url = `${s.url}/crd.yaml`;
    await s.close();
    const [first] = LOCK.files;
    const dir = crdsProject([{ ...first, url }]);
    // WHEN
    const r = await runCrds(dir, { CRDS_FETCH: '1', CRDS_SOURCE_DIR: 'nowhere' });
    // THEN
    expectCleanFailure(r, dir);
    expect(r.stderr).toMatch(
      new RegExp(
        `^crds: CRDS_FETCH=1: cannot download '${first.path}' from ${url}: connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+; ` +
          'check that the url is reachable from here',
      ),
    );
  });

  test('GIVEN CRDS_FETCH=1 and a URL serving the pinned file THEN it is verified and counted in good grammar', async () => {
    const [first] = LOCK.files;
    const body = fs.readFileSync(path.join(PROJECT_DIR, '.crds', 'files', first.path));
    const s = await server((_req, res) => res.end(body));
    try {
      const dir = crdsProject([{ ...first, url: `${s.url}/crd.yaml` }]);
      const r = await runCrds(dir, { CRDS_FETCH: '1', CRDS_SOURCE_DIR: 'nowhere' });
      expect([r.status, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toBe('crds: 1 file verified, 1 group in .crds/\n');
    } finally {
      await s.close();
    }
  });
});

/** [case, configuration (object, raw text, or a function making the path), extra env, exact lines expected] */
type Case = [string, unknown, Record<string, string>, Array<string | RegExp>];

const top = (patch: Record<string, unknown>) => ({ ...baseConfigFile(), ...patch });
const withDefaults = (defaults: Record<string, unknown>, envPatch?: unknown) => {
  const cfg = envPatch ? withEnvironment('pr5706', envPatch) : baseConfigFile();
  return { ...cfg, defaults: merge(cfg.defaults, defaults) };
};

const CASES: Case[] = [
  [
    'a folder given as the configuration file',
    (dir: string) => {
      fs.mkdirSync(path.join(dir, 'folder.yaml'), { recursive: true });
      return 'folder.yaml';
    },
    {},
    [
      'folder.yaml: cannot read the configuration file: illegal operation on a directory (EISDIR); ' +
        'set CATALOG_CONFIG to the configuration file itself, not a folder',
    ],
  ],
  [
    'an invalid value in defaults',
    withDefaults({ service: { cpu: 1000 } }),
    {},
    [
      'case.yaml: defaults.service.cpu: is not a fargate cpu size (got 1000); use one of 256, 512, 1024, 2048, ' +
        '4096, 8192, 16384 (1024 = 1 vCPU)',
    ],
  ],
  [
    'an invalid value in defaults that one environment overrides',
    withDefaults({ service: { cpu: 1000 } }, { service: { cpu: 999 } }),
    {},
    [
      /^case\.yaml: defaults\.service\.cpu: is not a fargate cpu size \(got 1000\); /,
      /^case\.yaml: environments\[pr5706\]\.service\.cpu: is not a fargate cpu size \(got 999\); /,
    ],
  ],
  [
    'a value in defaults that only one environment cannot take',
    withDefaults({ service: { desiredCount: 6 } }, { service: { maxCapacity: 4 } }),
    {},
    [
      'case.yaml: defaults.service.desiredCount (as used by environments[pr5706]): is outside the scaling range 2..4 ' +
        '(got 6); set desiredCount between minCapacity and maxCapacity',
    ],
  ],
  [
    'a tag in defaults that cannot take effect',
    withDefaults({ tags: { Project: 'shop' } }),
    {},
    [
      'case.yaml: defaults.tags.Project: cannot take effect: the stack sets the Project tag itself, to catalog-api ' +
        '(got "shop"); remove it, or use another key',
    ],
  ],
  [
    'an unknown top-level key close to a known one',
    top({ enviroments: [] }),
    {},
    ['case.yaml: enviroments: is not a known setting (got []); did you mean environments? rename it, or remove it'],
  ],
  [
    'an unknown key in snake case',
    withEnvironment('pr5706', { database: { engine_version: '16.4' } }),
    {},
    [
      'case.yaml: environments[pr5706].database.engine_version: is not a known setting (got "16.4"); did you mean ' +
        'engineVersion? rename it, or remove it',
    ],
  ],
  [
    'an unknown key in defaults with the wrong case',
    withDefaults({ service: { imagetag: 'v1' } }),
    {},
    [
      'case.yaml: defaults.service.imagetag: is not a known setting (got "v1"); did you mean imageTag? rename it, ' +
        'or remove it',
    ],
  ],
  [
    'a setting written one level too high',
    withEnvironment('pr5706', { cpu: 512 }),
    {},
    [
      'case.yaml: environments[pr5706].cpu: is not a known setting (got 512); did you mean service.cpu? rename it, ' +
        'or remove it',
    ],
  ],
  [
    'overlapping subnets in defaults',
    withDefaults({
      network: {
        publicSubnetCidrs: ['10.0.0.0/22', '10.0.4.0/24'],
        privateSubnetCidrs: ['10.0.1.0/24', '10.0.6.0/24'],
      },
    }),
    {},
    [
      'case.yaml: defaults.network.privateSubnetCidrs[0]: overlaps defaults.network.publicSubnetCidrs[0] ' +
        '(10.0.0.0/22) (got "10.0.1.0/24"); give every subnet its own, non-overlapping block',
    ],
  ],
  [
    'an unknown key close to nothing',
    withEnvironment('pr5706', { cdn: { colour: 'blue' } }),
    {},
    [
      'case.yaml: environments[pr5706].cdn.colour: is not a known setting (got "blue"); remove it or correct its ' +
        'spelling; the settings here are priceClass, viewerProtocolPolicy, cachedPathPatterns',
    ],
  ],
  [
    'a tab used for indentation',
    'platform:\n\tproviderRoleArn: x\n',
    {},
    [
      'case.yaml:2:1: malformed yaml/json: tabs are not allowed as indentation (got "\\tproviderRoleArn: x"); ' +
        'fix the syntax on line 2 at column 1',
    ],
  ],
  [
    'an unclosed list at the end of the file',
    'platform:\n  repoURL: x\nenvironments: [a, b\n\n',
    {},
    [
      /^case\.yaml:3:20: malformed yaml\/json: .* \(got "environments: \[a, b"\); fix the syntax on line 3 at column 20$/,
    ],
  ],
  [
    'a list left unclosed in the middle of the file (the parser notices it only at the next key)',
    'platform:\n  repoURL: x\n  region: [eu-north-1\n\nenvironments: []\n',
    {},
    [
      'case.yaml:3:11: malformed yaml/json: flow sequence in block collection must be sufficiently indented and end ' +
        'with a ] (got "  region: [eu-north-1"); fix the syntax on line 3 at column 11',
    ],
  ],
  [
    'a mapping item indented wrongly in the middle of the file',
    'platform:\n  repoURL: x\n  targetRevision: main\n providerRoleArn: y\nenvironments: []\n',
    {},
    [
      'case.yaml:4:1: malformed yaml/json: all mapping items must start at the same column (got " providerRoleArn: y"); ' +
        'fix the syntax on line 4 at column 1',
    ],
  ],
  [
    'a user tag the stack overwrites',
    withEnvironment('pr5706', { tags: { Name: 'web', Owner: 'team-a' } }),
    {},
    [
      'case.yaml: environments[pr5706].tags.Name: cannot take effect: the stack sets the Name tag itself, to the ' +
        'resource name (got "web"); remove it, or use another key',
    ],
  ],
  [
    'an Environment tag instead of environmentTag',
    withEnvironment('pr5706', { tags: { Environment: 'qa' } }),
    {},
    [
      'case.yaml: environments[pr5706].tags.Environment: cannot take effect: the stack sets the Environment tag ' +
        'itself, to environmentTag (got "qa"); remove it and set environmentTag instead',
    ],
  ],
  [
    'an unknown region',
    withEnvironment('pr5706', { region: 'eu-nowhere-1' }),
    {},
    [
      /^case\.yaml: environments\[pr5706\]\.region: is not an aws region of the commercial partition \(got "eu-nowhere-1"\); use one of af-south-1, /,
    ],
  ],
  [
    'a fraction where a whole number belongs',
    withEnvironment('pr5706', { service: { cpu: 1024.5 } }),
    {},
    ['case.yaml: environments[pr5706].service.cpu: must be a whole number (got 1024.5); write it without a fraction'],
  ],
  [
    'a number above its range',
    withEnvironment('pr5706', { loadBalancer: { unhealthyThreshold: 11 } }),
    {},
    [
      'case.yaml: environments[pr5706].loadBalancer.unhealthyThreshold: must be at most 10 (got 11); use a number ' +
        'from 2 to 10',
    ],
  ],
  [
    'a health check path without its slash',
    withEnvironment('pr5706', { loadBalancer: { healthCheckPath: 'health' } }),
    {},
    [
      'case.yaml: environments[pr5706].loadBalancer.healthCheckPath: must start with / (got "health"); write it as ' +
        '/health',
    ],
  ],
  [
    'an empty capacity provider list',
    withEnvironment('pr5706', { service: { capacityProviderStrategy: [] } }),
    {},
    [
      'case.yaml: environments[pr5706].service.capacityProviderStrategy: must have at least 1 entry (got []); list ' +
        'at least 1',
    ],
  ],
  [
    'a missing required setting',
    { ...baseConfigFile(), platform: { providerRoleArn: 'arn:aws:iam::123456789012:role/p', targetRevision: 'main' } },
    {},
    ['case.yaml: platform.repoURL: is required (got nothing); set it, as a quoted string'],
  ],
  [
    'a list where a mapping belongs',
    withEnvironment('pr5706', { tags: ['team-a'] }),
    {},
    [
      'case.yaml: environments[pr5706].tags: must be a mapping (key: value), not a list (got ["team-a"]); write it ' +
        'as a mapping (key: value)',
    ],
  ],
  [
    'a subnet list one entry short',
    withEnvironment('pr5706', { network: { privateSubnetCidrs: ['10.0.3.0/24'] } }),
    {},
    [
      'case.yaml: environments[pr5706].network.privateSubnetCidrs: has 1 entry for 2 availability zones (got ' +
        '["10.0.3.0/24"]); give exactly one subnet per availability zone, in the same order',
    ],
  ],
  [
    'a suffix one character too long',
    withEnvironment('pr5706', { suffix: 'a'.repeat(29) }),
    {},
    [
      `case.yaml: environments[${'a'.repeat(29)}].suffix: makes the load balancer name 'alb-${'a'.repeat(29)}' 33 ` +
        `characters long, over the limit of 32 (got "${'a'.repeat(29)}"); shorten the suffix by at least 1 character`,
    ],
  ],
];

describe('configuration errors through the synth program', () => {
  const dir = tempDir('catalog-errors-');
  const out = path.join(dir, 'dist');
  let results: RunResult[];

  beforeAll(async () => {
    results = await pool(
      CASES.map(([, content, extra], i) => () => {
        const caseDir = path.join(dir, `case-${i}`);
        fs.mkdirSync(caseDir);
        const file =
          typeof content === 'function' ? content(caseDir) : (writeConfig(caseDir, 'case.yaml', content), 'case.yaml');
        return runMain({ cwd: caseDir, env: { ...extra, CATALOG_CONFIG: file, CDK8S_OUTDIR: out } });
      }),
    );
  });

  test.each(CASES.map((c, i) => [c[0], i, c[3]] as const))(
    '%s: exit 1, exactly the expected lines, no stack trace, nothing written',
    (_name, i, expected) => {
      const r = results[i];
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toBe(`synth failed: invalid configuration; nothing was written to ${out}/`);
      const problems = lines.slice(1).map((l) => l.replace(/^ {2}/, ''));
      expect(problems).toEqual(expected.map((e) => (typeof e === 'string' ? e : expect.stringMatching(e))));
      expect(r.stderr).not.toMatch(STACK_TRACE);
      expect(snapshotDir(out)).toEqual({});
      expect(fs.readdirSync(dir).filter((f) => f.startsWith('dist'))).toEqual([]);
    },
  );

  test('a folder given as the configuration file is not reported as missing', () => {
    expect(results[0].stderr).not.toMatch(/create it|does not exist|ENOENT/);
  });

  test('an unknown region is one error, not also one per availability zone', () => {
    const i = CASES.findIndex((c) => c[0] === 'an unknown region');
    expect(results[i].stderr).not.toMatch(/availabilityZones/);
  });
});

describe('messages of a good run', () => {
  test('GIVEN one environment WHEN synth succeeds THEN its summary counts in the singular', async () => {
    const dir = tempDir('catalog-errors-ok-');
    const config = { ...baseConfigFile(), environments: [{ suffix: 'pr1', profile: 'preview' }] };
    const r = await runMain({
      cwd: dir,
      env: { CATALOG_CONFIG: writeConfig(dir, 'one.yaml', config), CDK8S_OUTDIR: path.join(dir, 'dist') },
    });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^synth: 1 environment, \d+ files, \d+ objects in dist\/\n$/);
  });
});

describe('tags the stack sets itself', () => {
  test('STACK_TAGS are exactly the keys the stack puts on a resource besides the user tags', () => {
    // GIVEN a user tag that may take effect
    const files = synth(loadFrom(withEnvironment('pr5706', { tags: { Owner: 'team-a' } })));
    // WHEN the VPC's tags are read
    const vpc = find(objectsOf(files, 'pr5706'), 'VPC', 'vpc-pr5706');
    // THEN the user's tag is there and every other key is one the stack sets, which configuration rejects
    expect(vpc.spec.forProvider.tags.Owner).toBe('team-a');
    expect(
      Object.keys(vpc.spec.forProvider.tags)
        .filter((k) => k !== 'Owner')
        .sort(),
    ).toEqual(Object.keys(STACK_TAGS).sort());
  });
});

describe('npm run set-image', () => {
  test('GIVEN CATALOG_CONFIG naming a folder THEN it gives the reason and changes nothing', () => {
    const dir = tempDir('catalog-set-image-');
    fs.mkdirSync(path.join(dir, 'config.yaml'));
    const errors: string[] = [];
    const rc = setImageMain(['pr5706', 'v1.2.3'], {
      env: { CATALOG_CONFIG: 'config.yaml' },
      cwd: dir,
      projectDir: dir,
      log: () => undefined,
      error: (l) => errors.push(l),
    });
    expect(rc).toBe(1);
    expect(errors).toEqual([
      'config.yaml: cannot read the configuration file: illegal operation on a directory (EISDIR); set CATALOG_CONFIG ' +
        'to the configuration file itself, not a folder',
    ]);
    expect(fs.readdirSync(dir)).toEqual(['config.yaml']);
  });
});
