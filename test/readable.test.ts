import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildApp, RenderedFile, toYaml } from '../lib/app';
import { apiGroup } from '../lib/common/field-path';
import { COMPACT_JSON_FIELDS, GENERATED_HEADER, PRETTY_JSON_FIELDS, prettyJsonDocuments } from '../lib/synth/readable';
import { runValidateCli } from '../lib/validate/cli';
import { readObjects } from './cluster/harness/manifests';
import { defaultSynth, editedSynth, fixtureConfig, PROJECT_DIR, tempDir } from './helpers';

const fixtures = () =>
  [
    ['seed', defaultSynth().files],
    ['edited', editedSynth().files],
  ] as const;
const manifests = (files: readonly RenderedFile[]) => files.filter((f) => f.file.endsWith('.yaml'));

/** Every string in `value` that parses as a JSON object or array, with its path from the object root. */
function jsonStrings(value: unknown, at = ''): { path: string; text: string }[] {
  if (typeof value === 'string') {
    if (!/^\s*[[{]/.test(value)) return [];
    try {
      const v = JSON.parse(value);
      return v && typeof v === 'object' ? [{ path: at, text: value }] : [];
    } catch {
      return [];
    }
  }
  if (Array.isArray(value)) return value.flatMap((v) => jsonStrings(v, at));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => jsonStrings(v, at ? `${at}.${k}` : k));
  }
  return [];
}

/** Objects and the manifests provider-kubernetes Objects wrap, each with where it sits. */
function withWrapped(objects: readonly any[]): any[] {
  return objects.flatMap((o) =>
    o.kind === 'Object' && o.spec?.forProvider?.manifest ? [o, o.spec.forProvider.manifest] : [o],
  );
}

const listed = (o: any, p: string) =>
  [...PRETTY_JSON_FIELDS, ...COMPACT_JSON_FIELDS].find(
    (f) => f.group === apiGroup(o.apiVersion) && f.kind === o.kind && f.path === p,
  );

describe('JSON documents in dist/', () => {
  test.each(fixtures())(
    'GIVEN the %s fixture WHEN synthesized THEN every JSON document in a string is a listed field, pretty-printed unless listed compact',
    (_name, files) => {
      const found = withWrapped(manifests(files).flatMap((f) => f.objects)).flatMap((o) =>
        // a wrapped manifest is checked as itself (withWrapped), with its own kind
        jsonStrings(o)
          .filter((s) => !(o.kind === 'Object' && s.path.startsWith('spec.forProvider.manifest.')))
          .map((s) => ({ o, ...s })),
      );
      expect(found.length).toBeGreaterThan(0);
      for (const { o, path: p, text } of found) {
        const field = listed(o, p);
        expect([o.kind, o.metadata.name, p, field ? 'listed' : 'not listed']).toEqual([
          o.kind,
          o.metadata.name,
          p,
          'listed',
        ]);
        const compact = COMPACT_JSON_FIELDS.includes(field as any);
        expect(text).toBe(compact ? JSON.stringify(JSON.parse(text)) : JSON.stringify(JSON.parse(text), null, 2));
      }
    },
  );

  test.each(fixtures())(
    'GIVEN the %s fixture THEN every listed kind appears and each pretty document parses to exactly the document built',
    (name, files) => {
      // WHEN the same configuration is built again and its charts' objects taken before the YAML step
      const built = buildApp(fixtureConfig(name));
      const before = new Map(built.outputs.map((o) => [o.file, o.chart.toJson()]));
      const kinds = new Set<string>();
      for (const f of manifests(files)) {
        const was = withWrapped(before.get(f.file)!);
        const now = withWrapped(f.objects);
        expect(now.length).toBe(was.length);
        now.forEach((o, i) => {
          const fields = PRETTY_JSON_FIELDS.filter((x) => x.group === apiGroup(o.apiVersion) && x.kind === o.kind);
          for (const field of fields) {
            const get = (x: any) => field.path.split('.').reduce((v, k) => v?.[k], x);
            kinds.add(field.kind);
            // THEN the value means the same document, key order included: compacting it gives back the bytes built
            expect(JSON.parse(get(o))).toEqual(JSON.parse(get(was[i])));
            expect(JSON.stringify(JSON.parse(get(o)))).toBe(get(was[i]));
          }
        });
      }
      expect([...kinds].sort()).toEqual(
        ['LifecyclePolicy', 'Role', 'RolePolicy', 'BucketPolicy', 'TaskDefinition'].sort(),
      );
    },
  );

  test('a pretty document is a |- block scalar in the YAML, and changing one value changes one line', () => {
    // GIVEN a role policy as a construct builds it, and the same with one action changed
    const role = (action: string) => ({
      apiVersion: 'iam.aws.m.upbound.io/v1beta1',
      kind: 'RolePolicy',
      metadata: { name: 'p' },
      spec: {
        forProvider: {
          policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject', action], Resource: '*' }],
          }),
        },
      },
    });
    // WHEN written
    const a = toYaml(prettyJsonDocuments([role('s3:ListBucket')])).split('\n');
    const b = toYaml(prettyJsonDocuments([role('s3:PutObject')])).split('\n');
    // THEN a block scalar, and the texts differ in exactly the changed line
    expect(a).toContain('    policy: |-');
    expect(a.length).toBe(b.length);
    expect(a.filter((l, i) => l !== b[i])).toEqual(['              "s3:ListBucket"']);
  });

  test('a listed field that is not compact JSON.stringify output is refused, naming the object and field', () => {
    const o = {
      apiVersion: 'iam.aws.m.upbound.io/v1beta1',
      kind: 'Role',
      metadata: { name: 'r' },
      spec: { forProvider: { assumeRolePolicy: '{"Version": "2012-10-17"}' } },
    };
    expect(() => prettyJsonDocuments([o])).toThrow(
      'Role/r spec.forProvider.assumeRolePolicy: not the compact JSON.stringify text of its document',
    );
    // and the input objects are never changed
    const compact = { ...o, spec: { forProvider: { assumeRolePolicy: '{"Version":"2012-10-17"}' } } };
    prettyJsonDocuments([compact]);
    expect(compact.spec.forProvider.assumeRolePolicy).toBe('{"Version":"2012-10-17"}');
  });

  test('container definitions wrapped in a provider-kubernetes Object are pretty-printed too', () => {
    const objects = defaultSynth().files.find((f) => f.file === 'environments/pr5706/service.k8s.yaml')!.objects;
    const wrapper = objects.find((o) => o.kind === 'Object' && o.spec.forProvider.manifest.kind === 'TaskDefinition');
    const defs: string = wrapper.spec.forProvider.manifest.spec.forProvider.containerDefinitions;
    expect(defs.split('\n').length).toBeGreaterThan(10);
    expect(defs.startsWith('[\n  {\n    "name": ')).toBe(true);
  });
});

describe('dist/ files', () => {
  test.each(fixtures())(
    'GIVEN the %s fixture THEN every manifest starts with the generated-file header',
    (_n, files) => {
      for (const f of manifests(files)) {
        expect([f.file, f.text.startsWith(GENERATED_HEADER)]).toEqual([f.file, true]);
      }
      expect(GENERATED_HEADER).toMatch(/^# Generated by `npm run synth` from config\/environments\.yaml .*and lib\//);
      expect(GENERATED_HEADER).not.toMatch(/\d{4}-\d{2}-\d{2}|\d{2}:\d{2}/);
    },
  );

  test('GIVEN the seed fixture written out WHEN the validator CLI and the cluster harness read it THEN both accept it', () => {
    const dir = path.join(tempDir(), 'dist');
    for (const f of defaultSynth().files) {
      fs.mkdirSync(path.dirname(path.join(dir, f.file)), { recursive: true });
      fs.writeFileSync(path.join(dir, f.file), f.text);
    }
    // the validator, with its go-yaml (YAML 1.1) rule, over the whole tree
    const err: string[] = [];
    const out: string[] = [];
    expect(runValidateCli([dir], PROJECT_DIR, { out: (l) => out.push(l), err: (l) => err.push(l) })).toBe(0);
    expect(err).toEqual([]);
    // the cluster harness's loader reads back exactly the objects rendered
    for (const f of manifests(defaultSynth().files)) {
      expect(readObjects(path.join(dir, f.file))).toEqual(f.objects);
    }
  });
});
