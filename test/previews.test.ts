import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { buildApp, render, RenderedFile } from '../lib/app';
import { ConfigError } from '../lib/config/errors';
import { ownerAndRepo, previewsThatFit } from '../lib/config/previews';
import { Config } from '../lib/config/types';
import {
  PREVIEW_CREDENTIALS_POLICY,
  PREVIEW_PROJECT,
  PULL_REQUEST_LABEL,
  PULL_REQUEST_PREVIEWS,
} from '../lib/gitops/previews';
import { decideRender, LifecycleSettings, OpenPullRequest, planExpiry } from '../lib/synth/preview-lifecycle';
import { previewMain } from '../lib/synth/preview';
import { formatViolation, Validator } from '../lib/validate';
import { admit } from './admission-model';
import { cascadeFinalizer, isPermitted, wave } from './argocd-model';
import { baseConfigFile, find, loadFrom, objectsOf, PROJECT_DIR, tempDir } from './helpers';

const FINALIZER = 'resources-finalizer.argocd.argoproj.io';
const validator = Validator.forProject(PROJECT_DIR);

/** The seed fixture as the live configuration now is: production only, pull requests get previews. */
function longLivedOnly(patch: Record<string, unknown> = {}): any {
  const cfg = baseConfigFile();
  cfg.environments = cfg.environments.filter((e: any) => e.profile === 'production');
  return { ...cfg, ...patch };
}
const configOf = (file: any, env: Record<string, string> = {}): Config => loadFrom(file, env);
const argocd = (files: readonly RenderedFile[]) =>
  files.filter((f) => f.file.startsWith('argocd/')).flatMap((f) => f.objects);
const errorsOf = (file: any): string[] => {
  try {
    configOf(file);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.lines];
    throw e;
  }
  return [];
};

/**
 * The Go template rendering the ApplicationSet controller does for `{{.key}}` (applicationset/utils/utils.go:276-305,
 * `missingkey=error` as our template sets): enough for our template, which uses nothing else.
 */
function renderTemplate(v: any, params: Record<string, unknown>): any {
  if (typeof v === 'string') {
    return v.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_m, k: string) => {
      if (!(k in params)) throw new Error(`map has no entry for key "${k}"`);
      return String(params[k]);
    });
  }
  if (Array.isArray(v)) return v.map((x) => renderTemplate(x, params));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderTemplate(x, params)]));
  return v;
}

interface FakePullRequest {
  readonly number: number;
  readonly state: 'open' | 'closed';
  readonly labels: string[];
  readonly headSha: string;
  readonly branch: string;
}

/**
 * Argo CD v3.5.1's pullRequest generator over GitHub: open pull requests only (go-github's default list state),
 * those carrying every label of `labels` (applicationset/services/pull_request/github.go:57-114), the parameters of
 * pull_request.go:102-118 (labels with goTemplate); then one Application per parameter set from the template.
 */
function generate(appSet: any, pulls: readonly FakePullRequest[]): any[] {
  const g = appSet.spec.generators[0].pullRequest;
  const want: string[] = g.github.labels ?? [];
  return pulls
    .filter((p) => p.state === 'open' && want.every((l) => p.labels.includes(l)))
    .map((p) => {
      const params = {
        number: String(p.number),
        branch: p.branch,
        head_sha: p.headSha,
        head_short_sha: p.headSha.slice(0, 8),
        labels: p.labels,
      };
      const app = renderTemplate(appSet.spec.template, params);
      return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...app };
    });
}

describe('previews settings', () => {
  test('GIVEN no previews section WHEN loaded THEN the defaults apply and the repository comes from platform.repoURL', () => {
    const p = configOf(longLivedOnly()).previews;
    expect(p).toMatchObject({
      provider: 'github',
      owner: 'example-org',
      repo: 'catalog-api-platform',
      label: 'preview',
      branchPrefix: 'previews/pr-',
      requeueAfterSeconds: 180,
      ttlHours: 72,
    });
    expect(p.prototype).toMatchObject({ suffix: 'pr9999999', profile: 'preview' });
  });

  test('GIVEN production per-az WHEN maxConcurrent is defaulted THEN it is what the default VPC and EIP quotas leave (3)', () => {
    // 5 Elastic IPs per region (L-0263D0A3), production's NAT per zone takes 2, each preview's single NAT 1
    expect(configOf(longLivedOnly()).previews.maxConcurrent).toBe(3);
    // a long-lived preview-profile environment in the same account and region takes one more
    expect(configOf(baseConfigFile()).previews.maxConcurrent).toBe(2);
  });

  test('GIVEN long-lived environments elsewhere WHEN counting THEN only the previews’ account and region count', () => {
    const c = configOf(longLivedOnly());
    const prod = c.environments[0];
    expect(previewsThatFit(c.previews.prototype, [{ ...prod, accountId: '210987654321' }])).toBe(5);
    expect(previewsThatFit(c.previews.prototype, [prod, { ...prod, suffix: 'prod2' }, { ...prod, suffix: 'p3' }])).toBe(
      0,
    );
  });

  test('GIVEN previews.environment WHEN a preview is rendered THEN it applies on top of the preview profile', () => {
    const file = longLivedOnly({
      previews: {
        environment: {
          deployRoleArn: 'arn:aws:iam::123456789012:role/catalog-api-previews',
          service: { desiredCount: 1, minCapacity: 1 },
        },
      },
    });
    const c = configOf(file, { ENVIRONMENT_SUFFIX: 'pr12' });
    const pr12 = c.environments.find((e) => e.suffix === 'pr12')!;
    expect(pr12.deployRoleArn).toBe('arn:aws:iam::123456789012:role/catalog-api-previews');
    expect([pr12.service.desiredCount, pr12.network.natGateways, pr12.service.capacityProviderStrategy]).toEqual([
      1,
      'single',
      [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }],
    ]);
    expect(c.previews.prototype.deployRoleArn).toBe(pr12.deployRoleArn);
  });

  test.each([
    [
      { maxConcurrent: -1 },
      /previews\.maxConcurrent: is out of range \(got -1\); use 0 \(no previews\) to 1000; 3 fit/,
    ],
    [
      { provider: 'bitbucket' },
      /previews\.provider: is not an allowed value \(got "bitbucket"\); use one of github, gitlab, gitea/,
    ],
    [{ provider: 'gitea' }, /previews\.api: is required for provider gitea \(got nothing\)/],
    [{ ttlHours: 0 }, /previews\.ttlHours: is out of range \(got 0\); use 1 to 2160/],
    [{ label: 'a,b' }, /previews\.label: is not a usable label \(got "a,b"\)/],
    [{ branchPrefix: 'main' }, /previews\.branchPrefix: is not a usable branch name prefix \(got "main"\)/],
    [{ requeueAfterSeconds: 5 }, /previews\.requeueAfterSeconds: is out of range \(got 5\)/],
    [{ tokenref: {} }, /previews\.tokenref: is not a known setting/],
    [
      { environment: { network: { natGateways: 'none' } } },
      /previews\.environment\.network\.natGateways: is not an allowed value/,
    ],
  ])('GIVEN previews %j WHEN loaded THEN one clear line names the setting', (previews, expected) => {
    const lines = errorsOf(longLivedOnly({ previews }));
    expect(lines).toEqual([expect.stringMatching(expected)]);
  });

  test('GIVEN an invalid value in defaults WHEN loaded THEN it is reported once, at defaults, not again for previews', () => {
    const file = longLivedOnly();
    file.defaults.service = { ...file.defaults.service, cpu: 1000 };
    expect(errorsOf(file)).toEqual([
      expect.stringMatching(/^[^:]+: defaults\.service\.cpu: is not a fargate cpu size/),
    ]);
  });

  test('GIVEN a repository url without an owner WHEN previews cannot derive it THEN the error says what to set', () => {
    const file = longLivedOnly();
    file.platform.repoURL = 'https://git.example.com/catalog.git';
    expect(errorsOf(file)).toEqual([
      expect.stringMatching(
        /previews\.owner: cannot be derived from platform\.repoURL .*; set previews\.owner and previews\.repo/,
      ),
    ]);
    expect(ownerAndRepo('git@github.com:example-org/catalog-api-platform.git')).toEqual({
      owner: 'example-org',
      repo: 'catalog-api-platform',
    });
  });
});

describe('PullRequestPreviews', () => {
  const files = render(buildApp(configOf(longLivedOnly())));
  const objects = argocd(files);
  const appSet = find(objects, 'ApplicationSet', PULL_REQUEST_PREVIEWS);
  const project = find(objects, 'AppProject', PREVIEW_PROJECT);

  test('GIVEN the default settings WHEN synthesized THEN a GitHub pullRequest generator lists labelled pull requests', () => {
    expect(appSet.spec.generators).toEqual([
      {
        pullRequest: {
          github: { owner: 'example-org', repo: 'catalog-api-platform', labels: ['preview'] },
          requeueAfterSeconds: 180,
        },
      },
    ]);
    expect(appSet.spec.goTemplate).toBe(true);
    expect(appSet.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: false });
    expect(appSet.spec.template.metadata.finalizers).toEqual([FINALIZER]);
  });

  test('GIVEN a private GitLab repository WHEN configured THEN the generator uses the project path and the token secret', () => {
    const c = configOf(
      longLivedOnly({
        previews: {
          provider: 'gitlab',
          api: 'https://gitlab.example.com',
          tokenRef: { secretName: 'gl', key: 'token' },
        },
      }),
    );
    const g = find(argocd(render(buildApp(c))), 'ApplicationSet', PULL_REQUEST_PREVIEWS).spec.generators[0].pullRequest;
    expect(g.gitlab).toEqual({
      project: 'example-org/catalog-api-platform',
      api: 'https://gitlab.example.com',
      pullRequestState: 'opened',
      labels: ['preview'],
      tokenRef: { secretName: 'gl', key: 'token' },
    });
  });

  test('GIVEN the emitted ApplicationSet and AppProject WHEN validated against the pinned Argo CD CRDs THEN no violations', () => {
    const set = [appSet, project].map((object) => ({ file: 'dist/argocd/argocd.k8s.yaml', object }));
    expect(validator.validate(set).map(formatViolation)).toEqual([]);
  });

  test('GIVEN no long-lived preview WHEN the list ApplicationSet has no elements THEN it validates (an empty list is no tuple schema)', () => {
    const listSet = find(objects, 'ApplicationSet', 'catalog-api-previews');
    expect(listSet.spec.generators).toEqual([{ list: { elements: [] } }]);
    expect(validator.validate([{ file: 'dist/argocd/argocd.k8s.yaml', object: listSet }]).map(formatViolation)).toEqual(
      [],
    );
  });

  test('GIVEN an open labelled pull request WHEN generated THEN its Application has the sync policy, health and waves of production’s', () => {
    const [app] = generate(appSet, [
      { number: 12, state: 'open', labels: ['preview'], headSha: 'a'.repeat(40), branch: 'feature/x' },
    ]);
    const prod = find(objects, 'Application', 'catalog-api-prod');
    expect(app.metadata).toMatchObject({
      name: 'catalog-api-pr12',
      namespace: 'argocd',
      labels: { [PULL_REQUEST_LABEL]: '12' },
      finalizers: [FINALIZER],
    });
    expect(app.metadata.annotations['argocd.argoproj.io/compare-options']).toBe('ServerSideDiff=true');
    expect(app.spec).toMatchObject({
      project: PREVIEW_PROJECT,
      source: { targetRevision: 'previews/pr-12', path: 'environments/pr12', repoURL: prod.spec.source.repoURL },
      destination: { namespace: 'catalog-api-pr12', server: 'https://kubernetes.default.svc' },
    });
    expect(app.spec.syncPolicy).toEqual(prod.spec.syncPolicy);
    expect(app.spec.ignoreDifferences).toEqual(prod.spec.ignoreDifferences);
    // the generated Application is itself valid against the pinned Application CRD
    expect(validator.validate([{ file: 'generated.yaml', object: app }]).map(formatViolation)).toEqual([]);
  });

  test('GIVEN pull requests without the label, closed, or labelled differently WHEN generated THEN no Application', () => {
    const pulls: FakePullRequest[] = [
      { number: 1, state: 'open', labels: [], headSha: 'b'.repeat(40), branch: 'a' },
      { number: 2, state: 'closed', labels: ['preview'], headSha: 'c'.repeat(40), branch: 'b' },
      { number: 3, state: 'open', labels: ['no-preview', 'Preview'], headSha: 'd'.repeat(40), branch: 'c' },
    ];
    expect(generate(appSet, pulls)).toEqual([]);
  });

  test('GIVEN the preview project WHEN asked about a preview’s objects THEN all are permitted, production’s and the platform’s none', () => {
    const pr12 = objectsOf(render(buildApp(configOf(longLivedOnly(), { ENVIRONMENT_SUFFIX: 'pr12' }))), 'pr12');
    expect(pr12.filter((o) => !isPermitted(project, o)).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    const prod = objectsOf(files, 'prod');
    expect(prod.filter((o) => isPermitted(project, o)).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    const platform = files.filter((f) => f.file.startsWith('platform/')).flatMap((f) => f.objects);
    expect(platform.filter((o) => isPermitted(project, o)).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    // a Namespace is cluster-scoped: permitted only by name (app_project_types.go:399-418, filepath.Match)
    expect(project.spec.clusterResourceWhitelist).toEqual([
      { group: '', kind: 'Namespace', name: 'catalog-api-pr[0-9]*' },
    ]);
  });

  test('GIVEN the preview namespaces WHEN the Object confinement policy matches THEN it applies to every preview', () => {
    const policy = find(
      files.filter((f) => f.file.startsWith('platform/')).flatMap((f) => f.objects),
      'ValidatingAdmissionPolicy',
      'catalog-api-object-confinement',
    );
    expect(policy.spec.matchConditions).toEqual([
      { name: 'environment-namespace', expression: "request.namespace.startsWith('catalog-api-')" },
    ]);
  });

  test('GIVEN previews open or closed WHEN main is synthesized THEN dist/ is the same: no pull request is in it', () => {
    const withSuffix = render(buildApp(configOf(longLivedOnly(), {})));
    expect(withSuffix.map((f) => [f.file, f.text])).toEqual(files.map((f) => [f.file, f.text]));
    expect(files.filter((f) => /^environments\/pr[0-9]+\//.test(f.file))).toEqual([]);
  });
});

describe('preview:render', () => {
  const dir = tempDir();
  const configFile = path.join(dir, 'environments.yaml');
  fs.writeFileSync(configFile, JSON.stringify(longLivedOnly()));
  const run = (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = previewMain(argv, {
      env: { CATALOG_CONFIG: configFile },
      cwd: dir,
      projectDir: PROJECT_DIR,
      log: (l) => out.push(l),
      error: (l) => err.push(l),
    });
    return { code, out, err };
  };
  const list = (d: string): string[] =>
    fs.existsSync(d)
      ? fs
          .readdirSync(d, { withFileTypes: true })
          .flatMap((e) => (e.isDirectory() ? list(path.join(d, e.name)).map((x) => `${e.name}/${x}`) : [e.name]))
      : [];

  test('GIVEN a pull request number and image tag WHEN rendered THEN the folder is the ENVIRONMENT_SUFFIX synth’s environment, byte for byte', () => {
    const r = run(['render', '--pr', '12', '--image-tag', '2.0.1', '--out', 'out']);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      expect.stringMatching(/^preview:render: pr12, \d+ files, \d+ objects in out\/environments\/pr12\/$/),
    ]);
    const expected = render(
      buildApp(
        configOf(longLivedOnly({ defaults: { ...longLivedOnly().defaults, service: { imageTag: '2.0.1' } } }), {
          ENVIRONMENT_SUFFIX: 'pr12',
        }),
      ),
    ).filter((f) => f.file.startsWith('environments/pr12/'));
    expect(list(path.join(dir, 'out')).sort()).toEqual(expected.map((f) => f.file).sort());
    for (const f of expected) {
      expect([f.file, fs.readFileSync(path.join(dir, 'out', f.file), 'utf8') === f.text]).toEqual([f.file, true]);
    }
    const td = parse(
      fs
        .readFileSync(path.join(dir, 'out/environments/pr12/service.k8s.yaml'), 'utf8')
        .split('\n---\n')
        .find((d: string) => d.includes('kind: TaskDefinition')) ?? '',
    );
    expect(JSON.stringify(td)).toContain(':2.0.1');
  });

  test.each([
    [
      ['render', '--pr', 'abc', '--out', 'x'],
      2,
      /--pr: is not a pull request number \(got "abc"\); give a positive integer/,
    ],
    [['render', '--pr', '3'], 2, /--out: is required \(got nothing\)/],
    [
      ['render', '--pr', '3', '--out', path.join(PROJECT_DIR, 'dist')],
      2,
      /--out: is dist\/ or inside it .*previews are never written to dist\//,
    ],
    [
      ['render', '--pr', '3', '--out', 'x', '--image-tag', 'latest'],
      1,
      /--image-tag: names a moving tag: .*\(got "latest"\)/,
    ],
    [['render', '--pr', '3', '--out', 'x', '--tag', 'y'], 2, /--tag: is not an option/],
  ])('GIVEN %j WHEN run THEN it exits %i naming the argument and writes nothing', (argv, code, message) => {
    const before = list(dir);
    const r = run(argv as string[]);
    expect(r.code).toBe(code);
    expect(r.err.join('\n')).toMatch(message);
    expect(r.err.join('\n')).not.toMatch(/\n\s+at /);
    expect(list(dir)).toEqual(before);
  });

  test('GIVEN the configuration WHEN settings are printed THEN the workflows get label, branch prefix, limit and TTL', () => {
    const r = run(['settings']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out[0])).toMatchObject({
      label: 'preview',
      branchPrefix: 'previews/pr-',
      maxConcurrent: 3,
      ttlHours: 72,
    });
  });
});

describe('preview lifecycle decisions', () => {
  const s: LifecycleSettings = { label: 'preview', branchPrefix: 'previews/pr-', ttlHours: 72, maxConcurrent: 3 };
  const pr = (number: number, labels = ['preview'], headCommittedAt = '2026-01-01T00:00:00Z'): OpenPullRequest => ({
    number,
    labels,
    headCommittedAt,
  });

  test('GIVEN the limit reached WHEN a new pull request asks THEN it is refused and loses the label; an existing one renders', () => {
    const full = ['previews/pr-1', 'previews/pr-2', 'previews/pr-3', 'main'];
    expect(decideRender(pr(4), full, s)).toMatchObject({ render: false, removeLabel: true, deleteBranch: false });
    expect(decideRender(pr(4), full, s).reason).toMatch(/3 previews exist and previews.maxConcurrent is 3/);
    expect(decideRender(pr(2), full, s)).toMatchObject({ render: true });
    expect(decideRender(pr(4), full.slice(1), s)).toMatchObject({ render: true });
  });

  test('GIVEN the label removed WHEN decided THEN the branch is deleted; a fork never renders', () => {
    expect(decideRender(pr(2, []), ['previews/pr-2'], s)).toMatchObject({ render: false, deleteBranch: true });
    expect(decideRender({ ...pr(5), fork: true }, [], s)).toMatchObject({ render: false, deleteBranch: false });
  });

  test('GIVEN a preview without a commit for ttlHours WHEN the schedule runs THEN it expires; branches without a labelled PR go', () => {
    const now = new Date('2026-01-04T01:00:00Z');
    const plan = planExpiry(
      now,
      [pr(1, ['preview'], '2026-01-01T00:00:00Z'), pr(2, ['preview'], '2026-01-03T00:00:00Z'), pr(3, [])],
      ['previews/pr-1', 'previews/pr-2', 'previews/pr-3', 'previews/pr-9', 'previews/pr-x', 'main'],
      s,
    );
    expect(plan).toEqual({ expire: [1], deleteBranches: ['previews/pr-1', 'previews/pr-3', 'previews/pr-9'] });
  });
});

describe('the life of one preview, open to close', () => {
  const file = longLivedOnly();
  const main = render(buildApp(configOf(file)));
  const objects = argocd(main);
  const appSet = find(objects, 'ApplicationSet', PULL_REQUEST_PREVIEWS);
  const project = find(objects, 'AppProject', PREVIEW_PROJECT);
  const settings = configOf(file).previews;
  const head = 'e'.repeat(40);

  test('GIVEN pull request 12 opened and labelled WHEN it is rendered, generated, synced and closed THEN everything goes, namespace last', () => {
    const log: string[] = [];
    // opened with the label: the workflow decides, renders and publishes the branch
    const branches = new Map<string, RenderedFile[]>();
    const decision = decideRender(
      { number: 12, labels: ['preview'], headCommittedAt: '2026-01-01T00:00:00Z' },
      [...branches.keys()],
      settings,
    );
    expect(decision.render).toBe(true);
    const rendered = render(buildApp(configOf(file, { ENVIRONMENT_SUFFIX: 'pr12' }))).filter((f) =>
      f.file.startsWith('environments/pr12/'),
    );
    branches.set('previews/pr-12', rendered);
    log.push(`published previews/pr-12 (${rendered.length} files)`);

    // the generator lists it: one Application reading that branch
    let pulls: FakePullRequest[] = [
      { number: 12, state: 'open', labels: ['preview'], headSha: head, branch: 'feature' },
    ];
    const [app] = generate(appSet, pulls);
    expect(branches.has(app.spec.source.targetRevision)).toBe(true);
    const synced = branches
      .get(app.spec.source.targetRevision)!
      .filter((f) => f.file.startsWith(`${app.spec.source.path}/`))
      .flatMap((f) => f.objects)
      .filter((o) => !o.metadata.annotations?.['argocd.argoproj.io/hook']);
    log.push(`generated ${app.metadata.name}`);

    // sync: every object permitted in the preview project, in its own namespace, the namespace in the first wave
    expect(synced.filter((o) => !isPermitted(project, o))).toEqual([]);
    expect(
      synced.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== app.spec.destination.namespace),
    ).toEqual([]);
    const ns = find(synced, 'Namespace', 'catalog-api-pr12');
    expect(wave(ns)).toBe(Math.min(...synced.map(wave)));
    log.push(`synced ${synced.length} objects`);

    // closed: the generator drops it; the controller deletes the Application (applicationset_controller.go:809-880)
    pulls = [{ ...pulls[0], state: 'closed' }];
    const desired = generate(appSet, pulls).map((a) => a.metadata.name);
    const deleted = [app].filter((a) => !desired.includes(a.metadata.name));
    expect(deleted.map((a) => a.metadata.finalizers)).toEqual([[FINALIZER]]);
    // the finalizer deletes wave by wave; only the namespace's own wave may go with it (no AWS resource there)
    const { events } = cascadeFinalizer(synced, project);
    const aws = (e: string) =>
      /^(gone with namespace|delete) /.test(e) && !/(Namespace|ProviderConfig|RoleBinding)\//.test(e);
    const nsDeleted = events.indexOf('delete Namespace/catalog-api-pr12');
    expect(events.filter((e) => e.startsWith('gone with namespace')).filter(aws)).toEqual([]);
    expect(events.slice(nsDeleted).filter((e) => e.startsWith('delete ') && aws(e))).toEqual([]);
    expect(events[events.length - 1]).toBe('finalizer removed');
    // the workflow's teardown deletes the branch; main's Argo CD objects never changed, so nothing else waited
    branches.delete('previews/pr-12');
    expect(argocd(render(buildApp(configOf(file))))).toEqual(objects);
    log.push(`deleted in ${events.filter((e) => e.startsWith('delete ')).length} deletions, namespace last`);
    expect(log).toEqual([
      expect.stringMatching(/^published previews\/pr-12 \(\d+ files\)$/),
      'generated catalog-api-pr12',
      expect.stringMatching(/^synced \d+ objects$/),
      expect.stringMatching(/^deleted in \d+ deletions, namespace last$/),
    ]);
  });

  test('GIVEN the label removed or the TTL passed WHEN the generator lists again THEN the Application is dropped the same way', () => {
    const open: FakePullRequest = { number: 7, state: 'open', labels: ['preview'], headSha: head, branch: 'f' };
    expect(generate(appSet, [open]).map((a) => a.metadata.name)).toEqual(['catalog-api-pr7']);
    expect(generate(appSet, [{ ...open, labels: [] }])).toEqual([]);
    const plan = planExpiry(
      new Date('2026-01-05T00:00:00Z'),
      [{ number: 7, labels: ['preview'], headCommittedAt: '2026-01-01T00:00:00Z' }],
      ['previews/pr-7'],
      settings,
    );
    expect(plan).toEqual({ expire: [7], deleteBranches: ['previews/pr-7'] });
  });
});

describe('preview workflows', () => {
  const wf = (name: string) => parse(fs.readFileSync(path.join(PROJECT_DIR, '.github/workflows', name), 'utf8'));
  const preview = wf('preview.yaml');
  const ttl = wf('preview-ttl.yaml');
  const steps = (w: any) => Object.values(w.jobs).flatMap((j: any) => j.steps);

  test('GIVEN preview.yaml WHEN parsed THEN it runs on the pull request events and grants nothing by default', () => {
    expect(preview.on.pull_request.types).toEqual(
      expect.arrayContaining(['opened', 'synchronize', 'reopened', 'labeled', 'closed']),
    );
    expect(preview.permissions).toEqual({});
    expect(ttl.permissions).toEqual({});
    expect(preview.jobs.admit.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    expect(preview.jobs.render.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    expect(preview.jobs.teardown.permissions).toEqual({ contents: 'write' });
    expect(ttl.jobs.expire.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    expect(ttl.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \S+ \S+ \S+$/) }]);
    // forks get no preview: their token cannot push, and their code must not get ours
    // (the render job runs only after the admit job: test/preview-quota.test.ts)
    expect(preview.jobs.admit.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
  });

  test('GIVEN every step WHEN checked THEN actions are pinned by full commit id and checkouts keep no credentials', () => {
    const uses = [...steps(preview), ...steps(ttl)].filter((s: any) => s.uses);
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.filter((s: any) => !/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/.test(s.uses))).toEqual([]);
    expect(
      uses.filter((s: any) => s.uses.startsWith('actions/checkout@') && s.with?.['persist-credentials'] !== false),
    ).toEqual([]);
  });

  test('GIVEN every run block WHEN read THEN no expression is pasted into the shell (values come through env)', () => {
    const runs = [...steps(preview), ...steps(ttl)].filter((s: any) => s.run).map((s: any) => s.run as string);
    expect(runs.filter((r) => r.includes('${{'))).toEqual([]);
    expect(runs.filter((r) => r.includes('\n') && !r.startsWith('set -euo pipefail'))).toEqual([]);
  });

  test('GIVEN the render job WHEN read THEN it renders with preview:render outside dist/, pushes only the preview branch and posts the plan', () => {
    const run = preview.jobs.render.steps.map((s: any) => s.run ?? '').join('\n');
    expect(run).toContain('npm run -s preview:render -- --pr "$PR" --out .cache/preview');
    expect(run).toContain('npm run -s plan -- --base "origin/${BASE_REF}" --markdown');
    expect(run).not.toMatch(/--out\s+\.?\/?dist/);
    expect(run.match(/git push[^\n]*/g)).toEqual([expect.stringMatching(/"HEAD:refs\/heads\/\$\{BRANCH\}"$/)]);
    expect(run).toContain('git show "origin/${BASE_REF}:config/environments.yaml"');
    const teardown = preview.jobs.teardown.steps.map((s: any) => s.run ?? '').join('\n');
    expect(teardown).toMatch(
      /gh api -X DELETE "repos\/\$\{GITHUB_REPOSITORY\}\/git\/refs\/heads\/\$\{prefix\}\$\{PR\}"/,
    );
    expect(preview.jobs.teardown.if).toContain("github.event.action == 'closed'");
  });
});

describe('preview credentials policy', () => {
  const role = 'arn:aws:iam::123456789012:role/catalog-api-previews';
  const file = longLivedOnly({ previews: { environment: { deployRoleArn: role } } });
  const files = render(buildApp(configOf(file, { ENVIRONMENT_SUFFIX: 'pr12' })));
  const policy = find(argocd(files), 'ValidatingAdmissionPolicy', PREVIEW_CREDENTIALS_POLICY);
  const pr12 = objectsOf(files, 'pr12');
  const vpc = () => structuredClone(find(pr12, 'VPC', 'vpc-pr12'));
  const providerConfig = () => structuredClone(find(pr12, 'ProviderConfig', 'aws'));

  test('GIVEN a rendered preview WHEN admitted THEN every managed resource and its ProviderConfig are checked and allowed', () => {
    const results = pr12.map((o) => ({ id: `${o.kind}/${o.metadata.name}`, ...admit(policy, o) }));
    expect(results.filter((r) => r.denied.length > 0)).toEqual([]);
    const matched = results.filter((r) => r.matched).map((r) => r.id);
    const aws = pr12
      .filter((o) => o.apiVersion.includes('aws.m.upbound.io'))
      .map((o) => `${o.kind}/${o.metadata.name}`);
    expect(matched.sort()).toEqual(aws.sort());
    const binding = find(argocd(files), 'ValidatingAdmissionPolicyBinding', PREVIEW_CREDENTIALS_POLICY);
    expect([policy.spec.failurePolicy, binding.spec.validationActions]).toEqual(['Fail', ['Deny']]);
  });

  test('GIVEN a managed resource using a cluster-wide config or none WHEN admitted in a preview THEN it is denied', () => {
    const cluster = vpc();
    cluster.spec.providerConfigRef = { kind: 'ClusterProviderConfig', name: 'default' };
    const none = vpc();
    delete none.spec.providerConfigRef;
    for (const o of [cluster, none]) {
      expect(admit(policy, o).denied).toEqual([
        'a preview’s managed resources use only the ProviderConfig of their own namespace',
      ]);
    }
  });

  test('GIVEN a ProviderConfig assuming another role or none WHEN admitted in a preview THEN it is denied; production is not matched', () => {
    const other = providerConfig();
    other.spec.assumeRoleChain = [{ roleARN: 'arn:aws:iam::123456789012:role/catalog-api-deployer-prod' }];
    const direct = providerConfig();
    delete direct.spec.assumeRoleChain;
    for (const o of [other, direct]) {
      expect(admit(policy, o).denied).toEqual([`a preview’s ProviderConfig assumes only the previews’ role ${role}`]);
    }
    const prod = find(objectsOf(files, 'prod'), 'ProviderConfig', 'aws');
    expect(admit(policy, prod)).toEqual({ matched: false, denied: [] });
    const cluster = vpc();
    cluster.metadata.namespace = 'catalog-api-prod';
    cluster.spec.providerConfigRef = { kind: 'ClusterProviderConfig', name: 'default' };
    expect(admit(policy, cluster).matched).toBe(false);
  });

  test('GIVEN the emitted policy WHEN validated against the Kubernetes models THEN no violations', () => {
    const set = argocd(files)
      .filter((o) => o.metadata.name === PREVIEW_CREDENTIALS_POLICY)
      .map((object) => ({ file: 'dist/argocd/argocd.k8s.yaml', object }));
    expect(set).toHaveLength(2);
    expect(validator.validate(set).map(formatViolation)).toEqual([]);
  });
});
