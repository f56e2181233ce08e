import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { Config } from '../lib/config/types';
import { globMatch } from './argocd-model';
import {
  allObjects,
  baseConfigFile,
  defaultSynth,
  find,
  loadFrom,
  objectsOf,
  ofKind,
  PROJECT_DIR,
  synth,
} from './helpers';

const readme = () => fs.readFileSync(path.join(PROJECT_DIR, 'README.md'), 'utf8');

describe('Crossplane chart values', () => {
  test('GIVEN docs/crossplane/values.yaml THEN the chart creates no default activation policy', () => {
    const values = parse(fs.readFileSync(path.join(PROJECT_DIR, 'docs/crossplane/values.yaml'), 'utf8'));
    // the chart passes each entry as --activation (deployment.yaml:81-84); none means no default policy
    // (internal/initializer/managed_resource_activation_policy.go:34-36)
    expect(values).toEqual({ provider: { defaultActivations: [] } });
  });

  test('GIVEN the README bootstrap THEN Crossplane is installed with those values', () => {
    expect(readme()).toMatch(
      /helm install crossplane crossplane-stable\/crossplane --version 2\.3\.4 [^\n`]*-f docs\/crossplane\/values\.yaml/,
    );
  });
});

describe('bootstrap', () => {
  test('GIVEN the README THEN bootstrap applies only the AppProject and the app of apps', () => {
    const applies = [...readme().matchAll(/kubectl apply -f (\S+?)`/g)].map((m) => m[1]);
    expect(applies).toEqual(['dist/argocd/bootstrap.k8s.yaml']);
    const boot = defaultSynth().files.find((f) => f.file === 'argocd/bootstrap.k8s.yaml')!.objects;
    expect(boot.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'AppProject/catalog-api',
      'Application/catalog-api',
    ]);
  });
});

/**
 * Argo CD's orphaned-resource check for one Application (controller/appcontroller.go:544-562, 584-592, 654-676): the
 * top-level objects of the destination namespace (no owner reference) that no Application tracks, minus the
 * known exclusions and the project's `orphanedResources.ignore` (group, kind and name matched as globs).
 */
function orphans(project: any, namespaceContents: readonly any[], tracked: readonly any[]): string[] {
  const key = (o: any) =>
    `${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}/${o.metadata.name}`;
  const trackedKeys = new Set(tracked.map(key));
  return namespaceContents
    .filter((o) => !(o.metadata.ownerReferences ?? []).length)
    .filter((o) => !trackedKeys.has(key(o)))
    .filter((o) => !(o.kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt'))
    .filter((o) => !(o.kind === 'ServiceAccount' && o.metadata.name === 'default'))
    .filter((o) => {
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
      return !(project.spec.orphanedResources.ignore ?? []).some(
        (i: any) =>
          (!i.kind || globMatch(i.kind, o.kind, 'gobwas')) &&
          globMatch(i.group ?? '', group, 'gobwas') &&
          (!i.name || globMatch(i.name, o.metadata.name, 'gobwas')),
      );
    })
    .map(key);
}

describe('orphaned resources', () => {
  const files = defaultSynth().files;
  const project = find(allObjects(files), 'AppProject', 'catalog-api');

  test('GIVEN each environment running THEN the objects its Objects created are not reported as orphans', () => {
    expect(project.spec.orphanedResources.warn).toBe(true);
    for (const suffix of ['prod', 'pr5706']) {
      const tracked = objectsOf(files, suffix);
      const created = ofKind(tracked, 'Object').map((o) => o.spec.forProvider.manifest);
      const cluster = [
        ...tracked.filter((o) => o.metadata.namespace),
        ...created,
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' } },
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } },
      ];
      expect([suffix, orphans(project, cluster, tracked)]).toEqual([suffix, []]);
    }
  });

  test('GIVEN an object nobody declared THEN it is still reported', () => {
    const stray = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'left-behind' } };
    expect(orphans(project, [stray], [])).toEqual(['/ConfigMap/left-behind']);
    const strayCdn = {
      apiVersion: 'cloudfront.aws.m.upbound.io/v1beta1',
      kind: 'Distribution',
      metadata: { name: 'x' },
    };
    expect(orphans(project, [strayCdn], [])).toEqual(['cloudfront.aws.m.upbound.io/Distribution/x']);
  });

  test('GIVEN an environment added THEN its created objects are ignored too', () => {
    const cfg = baseConfigFile();
    cfg.environments.push({ suffix: 'pr42', profile: 'preview' });
    const config: Config = loadFrom(cfg);
    const after = synth(config);
    const p = find(allObjects(after), 'AppProject', 'catalog-api');
    const tracked = objectsOf(after, 'pr42');
    const created = ofKind(tracked, 'Object').map((o) => o.spec.forProvider.manifest);
    expect(created.length).toBeGreaterThan(0);
    expect(orphans(p, created, tracked)).toEqual([]);
  });
});
