import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../config/errors';
import type { CatalogEntry } from '../crds/lock';

/** One served version of a CRD, keyed by `group/version` and kind. */
export interface CrdVersion {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly schema: any;
  /** The pinned CRD file it comes from. */
  readonly file: string;
}

/**
 * Every served kind of the pinned CRDs, from the catalog `npm run crds` materializes in `.crds/catalog`. Schemas are
 * read on first use.
 */
export class CrdCatalog {
  private readonly entries = new Map<string, CatalogEntry>();
  private readonly loaded = new Map<string, CrdVersion>();

  private constructor(private readonly dir: string) {}

  static fromDir(dir: string): CrdCatalog {
    const indexFile = path.join(dir, 'index.json');
    if (!fs.existsSync(indexFile)) {
      throw new UserError([`no pinned CRD catalog in ${dir}; run 'npm run crds' to materialize the pinned CRDs`]);
    }
    const catalog = new CrdCatalog(dir);
    for (const e of JSON.parse(fs.readFileSync(indexFile, 'utf8')) as CatalogEntry[]) {
      catalog.entries.set(`${e.apiVersion}/${e.kind}`, e);
    }
    return catalog;
  }

  static forProject(projectDir: string): CrdCatalog {
    return CrdCatalog.fromDir(path.join(projectDir, '.crds', 'catalog'));
  }

  get(apiVersion: string, kind: string): CrdVersion | undefined {
    const k = `${apiVersion}/${kind}`;
    const hit = this.loaded.get(k);
    if (hit) {
      return hit;
    }
    const e = this.entries.get(k);
    if (!e) {
      return undefined;
    }
    const schema = JSON.parse(fs.readFileSync(path.join(this.dir, e.schemaFile), 'utf8'));
    const v: CrdVersion = {
      apiVersion: e.apiVersion,
      kind: e.kind,
      plural: e.plural,
      namespaced: e.namespaced,
      schema,
      file: e.source,
    };
    this.loaded.set(k, v);
    return v;
  }

  /** `<plural>.<group>` of every served kind (the CRD and MRD names). */
  names(): string[] {
    return [...this.entries.values()].map((e) => `${e.plural}.${e.apiVersion.split('/')[0]}`);
  }

  /** Every served kind, schemas included (loads them all). */
  all(): CrdVersion[] {
    return [...this.entries.values()].map((e) => this.get(e.apiVersion, e.kind)!);
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
