import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildApp, RenderedFile, toYaml } from '../lib/app';
import { apiGroup } from '../lib/common/field-path';
import { DIAGRAM_FILE, diagramFiles, ManifestFile } from '../lib/diagram/diagram';
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

interface Parsed {
  nodes: Map<string, string>;
  edges: { from: string; label: string; to: string }[];
  text: string;
}

/** The nodes (id → label) and edges of a generated diagram. */
function parseDiagram(text: string): Parsed {
  const mermaid = /```mermaid\n([\s\S]*?)```/.exec(text)![1];
  const nodes = new Map<string, string>();
  const edges: Parsed['edges'] = [];
  for (const line of mermaid.split('\n')) {
    const n = /^\s+(\w+)\["(.*)"\](:::\w+)?$/.exec(line);
    const e = /^\s+(\w+) -->\|"(.*)"\| (\w+)$/.exec(line);
    if (n) nodes.set(n[1], n[2]);
    if (e) edges.push({ from: e[1], label: e[2], to: e[3] });
  }
  return { nodes, edges, text };
}

/** Every reference field in an object, found by name: (field label, name it targets). */
function referencesByName(o: any): { label: string; name: string }[] {
  const out: { label: string; name: string }[] = [];
  const walk = (v: any, parentKey: string, parent: any) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, parentKey, parent));
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries<any>(v)) {
      if (k === 'metadata' || k === 'status') continue;
      const label = typeof v.kind === 'string' && !x?.kind && typeof x?.name === 'string' ? `${parentKey}.${k}` : k;
      if (k === 'providerConfigRef') continue;
      if (/Refs$/.test(k) && Array.isArray(x)) x.forEach((r) => out.push({ label, name: r.name }));
      else if (/Ref$/.test(k) && typeof x?.name === 'string') out.push({ label, name: x.name });
      else if (k === 'patchesFrom') out.push({ label: `patchesFrom ${x.fieldPath}`, name: x.name });
      else if (k === 'dependsOn') out.push({ label: k, name: x.name });
      else walk(x, k, v);
    }
  };
  walk(o, '', undefined);
  return out;
}

describe('Diagram', () => {
  test.each(fixtures())(
    'GIVEN the %s fixture THEN each folder of manifests has a diagram with an edge for every reference, and no edge to an undeclared or missing node',
    (_name, files) => {
      const folders = [...new Set(manifests(files).map((f) => path.dirname(f.file)))];
      expect(folders).toEqual(expect.arrayContaining(['platform', 'environments/pr5706']));
      let checked = 0;
      for (const folder of folders) {
        const diagram = files.find((f) => f.file === `${folder}/${DIAGRAM_FILE}`);
        expect([folder, diagram ? 'has a diagram' : 'none']).toEqual([folder, 'has a diagram']);
        const { nodes, edges, text } = parseDiagram(diagram!.text);
        // every edge starts and ends at a declared node, and none at an object nothing emits
        for (const e of edges) {
          expect([e.from, nodes.has(e.from), e.to, nodes.has(e.to)]).toEqual([e.from, true, e.to, true]);
        }
        expect([...nodes.values()].filter((l) => l.includes('not emitted'))).toEqual([]);
        let providerConfigRefs = 0;
        for (const f of manifests(files).filter((x) => path.dirname(x.file) === folder)) {
          for (const o of f.objects) {
            // the object is a node labelled with its kind and name
            const own = [...nodes.entries()].filter(
              ([, l]) =>
                l.endsWith(`${o.kind}<br/>${o.metadata.name}`) ||
                (l.includes(`${o.kind} → `) && l.endsWith(`<br/>${o.metadata.name}`)),
            );
            expect([o.kind, o.metadata.name, own.length]).toEqual([o.kind, o.metadata.name, 1]);
            const id = own[0][0];
            providerConfigRefs += JSON.stringify(o).split('"providerConfigRef"').length - 1;
            for (const r of referencesByName(o)) {
              const hit = edges.some(
                (e) => e.from === id && e.label === r.label && nodes.get(e.to)!.split('<br/>')[1] === r.name,
              );
              expect([o.kind, o.metadata.name, r.label, r.name, hit]).toEqual([
                o.kind,
                o.metadata.name,
                r.label,
                r.name,
                true,
              ]);
              checked++;
            }
          }
        }
        // providerConfigRef is summarized with a count per configuration, not drawn
        const summarized = [...text.matchAll(/^- `providerConfigRef → [^`]+`: (\d+) objects?$/gm)].reduce(
          (n, m) => n + Number(m[1]),
          0,
        );
        expect([folder, summarized]).toEqual([folder, providerConfigRefs]);
      }
      expect(checked).toBeGreaterThan(100);
    },
  );

  test('GIVEN a reference to an object nothing emits WHEN drawn THEN it points at a dashed "not emitted" node', () => {
    const files: ManifestFile[] = [
      {
        file: 'environments/x/network.k8s.yaml',
        objects: [
          {
            apiVersion: 'ec2.aws.m.upbound.io/v1beta1',
            kind: 'Subnet',
            metadata: { name: 's', namespace: 'n' },
            spec: { forProvider: { vpcIdRef: { name: 'gone' } } },
          },
        ],
      },
    ];
    const { nodes, edges } = parseDiagram(diagramFiles(files)[0].text);
    expect(edges).toHaveLength(1);
    expect(nodes.get(edges[0].to)).toBe('?<br/>gone<br/>(not emitted)');
    expect(diagramFiles(files)[0].text).toMatch(new RegExp(`${edges[0].to}\\["[^"]*"\\]:::outside`));
  });

  test('GIVEN two same-named objects of different kinds WHEN a kind-less ref names that name THEN the edge goes to the kind the field names', () => {
    const mk = (apiVersion: string, kind: string, name: string, forProvider = {}) => ({
      apiVersion,
      kind,
      metadata: { name, namespace: 'n' },
      spec: { forProvider },
    });
    const files: ManifestFile[] = [
      {
        file: 'environments/x/a.k8s.yaml',
        objects: [
          mk('ec2.aws.m.upbound.io/v1beta1', 'VPC', 'main'),
          mk('ec2.aws.m.upbound.io/v1beta1', 'RouteTable', 'main'),
          mk('ec2.aws.m.upbound.io/v1beta1', 'Subnet', 's', { vpcIdRef: { name: 'main' } }),
        ],
      },
    ];
    const { nodes, edges } = parseDiagram(diagramFiles(files)[0].text);
    expect(edges.map((e) => nodes.get(e.to))).toEqual(['ec2 VPC<br/>main']);
  });

  test('GIVEN a selector whose labels several kinds carry WHEN drawn THEN the edge goes to the objects of the kind the field names', () => {
    const labels = { 'app.kubernetes.io/part-of': 'x' };
    const mk = (kind: string, name: string, forProvider = {}) => ({
      apiVersion: 'ec2.aws.m.upbound.io/v1beta1',
      kind,
      metadata: { name, namespace: 'n', labels },
      spec: { forProvider },
    });
    const files: ManifestFile[] = [
      {
        file: 'environments/x/a.k8s.yaml',
        objects: [
          mk('VPC', 'v'),
          mk('Subnet', 'a'),
          mk('Subnet', 'b'),
          mk('NATGateway', 'nat', { subnetIdSelector: { matchLabels: labels } }),
        ],
      },
    ];
    const { nodes, edges } = parseDiagram(diagramFiles(files)[0].text);
    expect(edges.map((e) => [e.label, nodes.get(e.to)])).toEqual([
      ['subnetIdSelector', 'ec2 Subnet<br/>a'],
      ['subnetIdSelector', 'ec2 Subnet<br/>b'],
    ]);
  });

  test('the same files always give the same diagrams', () => {
    const files = manifests(defaultSynth().files);
    expect(diagramFiles(files)).toEqual(diagramFiles([...files]));
    expect(diagramFiles(files).map((d) => d.file)).toEqual(
      defaultSynth()
        .files.filter((f) => f.file.endsWith(DIAGRAM_FILE))
        .map((f) => f.file),
    );
  });

  test('the README links the generated diagrams instead of drawing the AWS resources by hand', () => {
    const readme = fs.readFileSync(path.join(PROJECT_DIR, 'README.md'), 'utf8');
    expect(readme).toContain('](dist/platform/README.md)');
    expect(readme).toMatch(/\]\(dist\/environments\/[a-z0-9-]+\/README\.md\)/);
    expect(readme).not.toMatch(/subgraph aws\[/);
  });
});
