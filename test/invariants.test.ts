import { parseAllDocuments } from 'yaml';
import { toYaml } from '../lib/app';
import { LABELS } from '../lib/common/context';
import { CrdCatalog, schemaAt } from '../lib/validate/catalog';
import { RenderedFile } from '../lib/app';
import { Config } from '../lib/config/types';
import { allObjects, defaultSynth, editedSynth, fixtureConfig, liveSynth, PROJECT_DIR, repoConfig } from './helpers';

const catalog = CrdCatalog.forProject(PROJECT_DIR);
const isAwsMr = (o: any) => /\.aws\.m\.upbound\.io\//.test(o.apiVersion);
const SEED_TAGS = ['Environment', 'Project', 'EnvironmentSuffix', 'Name'];

// Invariants hold for any valid configuration: the live file users edit, and the fixtures.
const SOURCES: Array<[string, () => { config: Config; files: readonly RenderedFile[] }]> = [
  ['config/environments.yaml', () => ({ config: repoConfig(), files: liveSynth().files })],
  ['the seed fixture', () => ({ config: fixtureConfig('seed'), files: defaultSynth().files })],
  ['the edited fixture', () => ({ config: fixtureConfig('edited'), files: editedSynth().files })],
];

describe.each(SOURCES)('invariants over every emitted object of %s', (_source, load) => {
  const { config, files } = load();
  const envFiles = files.filter((f) => f.file.startsWith('environments/'));

  test('every environment has its own folder', () => {
    for (const env of config.environments) {
      expect(files.some((f) => f.file.startsWith(`environments/${env.suffix}/`))).toBe(true);
    }
  });

  test('every object has an explicit name without a generated hash suffix', () => {
    for (const o of allObjects(files)) {
      expect(o.metadata.name).toBeTruthy();
      expect(`${o.kind}/${o.metadata.name}`).not.toMatch(/-c8[0-9a-f]{6}$|-[0-9a-f]{8}$/);
    }
  });

  test('names are unique per kind and namespace', () => {
    const keys = allObjects(files).map(
      (o) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('namespaced objects of an environment live in its namespace; the namespace object exists', () => {
    for (const env of config.environments) {
      const ns = `catalog-api-${env.suffix}`;
      const objs = envFiles.filter((f) => f.file.startsWith(`environments/${env.suffix}/`)).flatMap((f) => f.objects);
      expect(objs.filter((o) => o.kind === 'Namespace' && o.metadata.name === ns)).toHaveLength(1);
      for (const o of objs) {
        const crd = catalog.get(o.apiVersion, o.kind);
        if (o.kind !== 'Namespace' && (crd === undefined || crd.namespaced)) {
          expect(`${o.kind}/${o.metadata.name} in ${o.metadata.namespace}`).toBe(
            `${o.kind}/${o.metadata.name} in ${ns}`,
          );
        }
      }
    }
  });

  test('every object carries the part-of, component and environment labels', () => {
    for (const o of envFiles.flatMap((f) => f.objects)) {
      expect(Object.keys(o.metadata.labels ?? {})).toEqual(expect.arrayContaining(Object.values(LABELS)));
    }
  });

  test('every AWS managed resource names its ProviderConfig explicitly', () => {
    const mrs = allObjects(files).filter((o) => isAwsMr(o) && !/ProviderConfig/.test(o.kind));
    expect(mrs.length).toBeGreaterThan(0);
    for (const o of mrs) {
      expect({ id: `${o.kind}/${o.metadata.name}`, ref: o.spec.providerConfigRef }).toEqual({
        id: `${o.kind}/${o.metadata.name}`,
        ref: { kind: 'ProviderConfig', name: 'aws' },
      });
    }
  });

  test('every AWS managed resource whose kind has a region sets it; every kind with tags carries the seed tags', () => {
    for (const env of config.environments) {
      const objs = envFiles.filter((f) => f.file.startsWith(`environments/${env.suffix}/`)).flatMap((f) => f.objects);
      for (const o of objs.filter(isAwsMr)) {
        const crd = catalog.get(o.apiVersion, o.kind)!;
        const id = `${o.kind}/${o.metadata.name}`;
        if (schemaAt(crd.schema, 'spec.forProvider.region')) {
          expect([id, o.spec.forProvider.region]).toEqual([id, o.metadata.labels['catalog-api/region'] ?? env.region]);
        }
        if (schemaAt(crd.schema, 'spec.forProvider.tags')) {
          const tags = o.spec.forProvider.tags ?? {};
          expect([id, Object.keys(tags)]).toEqual([id, expect.arrayContaining(SEED_TAGS)]);
          expect([id, tags.Project, tags.EnvironmentSuffix, tags.Environment]).toEqual([
            id,
            'catalog-api',
            env.suffix,
            env.environmentTag,
          ]);
        }
      }
    }
  });
});

describe('YAML output', () => {
  test('every manifest parses back to exactly the objects rendered', () => {
    const files = [...liveSynth().files, ...defaultSynth().files, ...editedSynth().files];
    // the other files are the diagrams beside the manifests (Markdown), which hold no objects
    expect(files.filter((f) => !f.file.endsWith('.yaml')).flatMap((f) => f.objects)).toEqual([]);
    for (const f of files.filter((x) => x.file.endsWith('.yaml'))) {
      const docs = parseAllDocuments(f.text).map((d) => d.toJS());
      expect([f.file, docs]).toEqual([f.file, f.objects]);
    }
  });

  test('strings a YAML 1.1 reader would take for other types stay strings', () => {
    const text = toYaml([{ a: 'yes', b: 'on', c: '80', d: 'true', e: '1e3', f: 'null', g: '' }]);
    expect(parseAllDocuments(text)[0].toJS()).toEqual({
      a: 'yes',
      b: 'on',
      c: '80',
      d: 'true',
      e: '1e3',
      f: 'null',
      g: '',
    });
    expect(text).toMatch(/^a: 'yes'$/m);
    expect(text).toMatch(/^b: 'on'$/m);
  });
});
