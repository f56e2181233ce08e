import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** One served version of a CRD, keyed by `group/version` and kind. */
export interface CrdVersion {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly schema: any;
  readonly file: string;
}

/** Every served kind of the pinned CRDs, read from the materialized `.crds/files`. */
export class CrdCatalog {
  private readonly byKey = new Map<string, CrdVersion>();

  static fromDir(dir: string): CrdCatalog {
    const catalog = new CrdCatalog();
    const walk = (d: string): string[] =>
      fs
        .readdirSync(d, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
    if (!fs.existsSync(dir)) {
      throw new Error(`no pinned CRDs in ${dir}; run 'npm run crds' to materialize them`);
    }
    for (const file of walk(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()) {
      for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
        const crd = doc.toJS();
        if (crd?.kind === 'CustomResourceDefinition') {
          catalog.add(crd, path.relative(dir, file));
        }
      }
    }
    return catalog;
  }

  add(crd: any, file: string): void {
    for (const v of crd.spec.versions) {
      if (!v.served) {
        continue;
      }
      const entry: CrdVersion = {
        apiVersion: `${crd.spec.group}/${v.name}`,
        kind: crd.spec.names.kind,
        plural: crd.spec.names.plural,
        namespaced: crd.spec.scope === 'Namespaced',
        schema: v.schema?.openAPIV3Schema ?? {},
        file,
      };
      this.byKey.set(`${entry.apiVersion}/${entry.kind}`, entry);
    }
  }

  get(apiVersion: string, kind: string): CrdVersion | undefined {
    return this.byKey.get(`${apiVersion}/${kind}`);
  }

  all(): CrdVersion[] {
    return [...this.byKey.values()];
  }
}

/** The schema at a dotted property path (`spec.forProvider.tags`), or undefined. */
export function schemaAt(schema: any, dotted: string): any {
  let node = schema;
  for (const key of dotted.split('.')) {
    node = node?.properties?.[key];
  }
  return node;
}
