import * as fs from 'node:fs';
import * as path from 'node:path';
import { BuiltinSchemas } from './builtin';
import { CrdCatalog } from './catalog';
import { validateMetadata } from './meta';
import { ObjectIndex, SourcedObject } from './objects';
import { policyErrors } from './policy';
import { readYamlAsKubectl, Reinterpreted } from './read';
import { referenceErrors } from './references';
import { CompiledSchemaCache, formatsModule, KindSchema } from './schema';
import { FieldError, Violation } from './violation';

export { formatViolation, Violation } from './violation';
export { SourcedObject } from './objects';

export interface ValidateOptions {
  /** Run the security and safety policy (default true). */
  readonly policy?: boolean;
}

/**
 * Stands in for the API server (schema, CEL, ObjectMeta, scope), the provider's reference resolution and a security
 * reviewer, over a set of objects. Compiled schemas are cached per kind for the life of the validator.
 */
export class Validator {
  private readonly schemas = new Map<string, { kind: KindSchema; namespaced: boolean; nameIsLabel: boolean } | null>();
  private readonly builtins = new BuiltinSchemas();
  private readonly compiled: CompiledSchemaCache;

  /** @param projectDir where compiled validators are kept between runs (`.cache/validators`) */
  constructor(
    readonly catalog: CrdCatalog,
    projectDir: string,
  ) {
    const dir = path.resolve(projectDir);
    this.compiled = new CompiledSchemaCache(path.join(dir, '.cache', 'validators'), formatsModule(dir));
  }

  /** A validator over the pinned CRDs materialized in `<projectDir>/.crds`, caching compiled schemas in `.cache`. */
  static forProject(projectDir: string): Validator {
    return new Validator(CrdCatalog.forProject(projectDir), projectDir);
  }

  private schemaFor(apiVersion: string, kind: string) {
    const k = `${apiVersion}/${kind}`;
    if (!this.schemas.has(k)) {
      const crd = this.catalog.get(apiVersion, kind);
      const builtin = crd ? undefined : this.builtins.schemaFor(apiVersion, kind);
      this.schemas.set(
        k,
        crd
          ? { kind: new KindSchema(crd.schema, this.compiled), namespaced: crd.namespaced, nameIsLabel: false }
          : builtin
            ? {
                kind: new KindSchema(builtin.schema, this.compiled),
                namespaced: builtin.info.namespaced,
                nameIsLabel: !!builtin.info.nameIsLabel,
              }
            : null,
      );
    }
    return this.schemas.get(k) ?? undefined;
  }

  /** The structural schema of a custom or supported built-in kind. */
  schemaOf = (apiVersion: string, kind: string): any => this.schemaFor(apiVersion, kind)?.kind.schema;

  /** What the API server would say about one object on create (paths relative to `at`). */
  private serverErrors(obj: any, at: string): FieldError[] {
    const prefix = (errs: FieldError[]) =>
      at ? errs.map((e) => ({ ...e, path: e.path === '(object)' ? at : `${at}.${e.path}` })) : errs;
    if (typeof obj?.apiVersion !== 'string' || typeof obj?.kind !== 'string') {
      return prefix([
        {
          path: '(object)',
          rule: 'schema',
          message: 'Invalid value: apiVersion and kind must be set',
          type: 'Required',
        },
      ]);
    }
    const s = this.schemaFor(obj.apiVersion, obj.kind);
    if (!s) {
      return prefix([
        {
          path: '(object)',
          rule: 'schema',
          message: `no matches for kind "${obj.kind}" in version "${obj.apiVersion}" (not served by a pinned CRD or a supported built-in kind)`,
        },
      ]);
    }
    const errs = [
      ...validateMetadata(obj.metadata, { namespaced: s.namespaced, nameIsLabel: s.nameIsLabel }),
      ...s.kind.validate(obj),
    ];
    return prefix(errs);
  }

  /** Objects plus the manifests wrapped in provider-kubernetes Objects, which the API server sees when applied. */
  private expand(objects: readonly SourcedObject[]): SourcedObject[] {
    const out: SourcedObject[] = [];
    for (const o of objects) {
      out.push(o);
      const manifest = o.object?.spec?.forProvider?.manifest;
      if (o.object?.kind === 'Object' && o.object?.apiVersion?.startsWith('kubernetes.m.crossplane.io/') && manifest) {
        out.push({
          file: o.file,
          object: manifest,
          embeddedIn: { object: o.object, path: 'spec.forProvider.manifest' },
        });
      }
    }
    return out;
  }

  validate(objects: readonly SourcedObject[], opts: ValidateOptions = {}): Violation[] {
    const all = this.expand(objects);
    const index = new ObjectIndex(all);
    const violations: Violation[] = [];
    for (const o of all) {
      const host = o.embeddedIn?.object ?? o.object;
      const at = o.embeddedIn?.path ?? '';
      const errs: FieldError[] = this.serverErrors(o.object, at);
      const rel = (es: FieldError[]) => (at ? es.map((e) => ({ ...e, path: `${at}.${e.path}` })) : es);
      errs.push(...rel(referenceErrors(o, index, this.catalog, this.schemaOf)));
      if (opts.policy !== false) {
        // a wrapped manifest is checked as an object of its own (expand), not again inside its Object
        const own =
          o.object?.spec?.forProvider?.manifest && !o.embeddedIn ? { ...o, object: withoutManifest(o.object) } : o;
        errs.push(...rel(policyErrors(own, index)));
      }
      for (const e of errs) {
        violations.push({
          file: o.file,
          kind: host?.kind ?? '(unknown)',
          namespace: host?.metadata?.namespace,
          name: host?.metadata?.name ?? '(unnamed)',
          path: e.path,
          rule: e.rule,
          message: e.message,
        });
      }
    }
    this.compiled.persist();
    return violations;
  }

  /**
   * Reads every YAML document of the given files (or folders, recursively) as kubectl and Argo CD read them (YAML
   * 1.1, read.ts) and validates them together. A plain scalar those readers take for something else than a YAML 1.2
   * reader does is reported with its line (rule `yaml11`).
   */
  validateFiles(
    paths: readonly string[],
    opts: ValidateOptions = {},
  ): { violations: Violation[]; objects: number; files: number } {
    // a file named twice (itself and within a folder) is one file, read once
    const files = [...new Set(paths.flatMap((p) => listYaml(p)))].sort();
    const objects: SourcedObject[] = [];
    const violations: Violation[] = [];
    const scalars = new Map<string, { file: string; object: any; scalar: Reinterpreted }>();
    for (const file of files) {
      for (const doc of readYamlAsKubectl(fs.readFileSync(file, 'utf8'))) {
        if (doc.error !== undefined) {
          violations.push({
            file,
            kind: '(yaml)',
            name: '(document)',
            path: '(object)',
            rule: 'yaml',
            message: doc.error,
          });
          continue;
        }
        const object = doc.object as any;
        if (object !== null && object !== undefined) {
          objects.push({ file, object });
          for (const scalar of doc.reinterpreted) {
            scalars.set(scalarKey(file, object, scalar.path), { file, object, scalar });
          }
        }
      }
    }
    const reported = new Set<string>();
    for (const v of this.validate(objects, opts)) {
      const k = scalarKey(v.file, { kind: v.kind, metadata: { namespace: v.namespace, name: v.name } }, v.path);
      const hit = v.rule === 'schema' ? scalars.get(k) : undefined;
      if (hit && !hit.scalar.isKey) {
        // the field rejects what kubectl reads there; say why once, where it is written
        if (!reported.has(k)) {
          reported.add(k);
          violations.push(yaml11Violation(hit.file, hit.object, hit.scalar));
        }
        continue;
      }
      violations.push(v);
    }
    for (const [k, { file, object, scalar }] of scalars) {
      // keys that change and numbers that differ are wrong whatever the field's type
      if (!reported.has(k) && (scalar.isKey || typeof scalar.yaml12 !== 'string')) {
        violations.push(yaml11Violation(file, object, scalar));
      }
    }
    return { violations, objects: objects.length, files: files.length };
  }
}

function scalarKey(file: string, object: any, at: string): string {
  return [file, object?.kind, object?.metadata?.namespace ?? '', object?.metadata?.name, at].join('\u0000');
}

const show = (v: unknown) => (typeof v === 'string' ? `the string "${v}"` : v === undefined ? 'nothing' : String(v));

/** The finding for a plain scalar kubectl reads differently, with its line and the fix. */
function yaml11Violation(file: string, object: any, s: Reinterpreted): Violation {
  const quoted = `'${s.text.replace(/'/g, "''")}'`;
  const message = s.isKey
    ? s.kubectl === undefined
      ? `key ${s.text} is rejected by kubectl and Argo CD (YAML 1.1: not a string key); quote it: ${quoted}`
      : `key ${s.text} becomes "${String(s.kubectl)}" in kubectl and Argo CD (YAML 1.1); quote it: ${quoted}`
    : typeof s.yaml12 === 'string'
      ? `${s.text} is read as ${show(s.kubectl)} by kubectl and Argo CD (YAML 1.1), not as a string; quote it: ${quoted}`
      : `${s.text} is read as ${show(s.kubectl)} by kubectl and Argo CD (YAML 1.1) but as ${show(s.yaml12)} by YAML 1.2 readers; write the intended value unambiguously, or quote it if a string is meant: ${quoted}`;
  return {
    file,
    line: s.line,
    kind: object?.kind ?? '(unknown)',
    namespace: object?.metadata?.namespace,
    name: object?.metadata?.name ?? '(unnamed)',
    path: s.path,
    rule: 'yaml11',
    message,
  };
}

function withoutManifest(obj: any): any {
  const forProvider = { ...obj.spec.forProvider };
  delete forProvider.manifest;
  return { ...obj, spec: { ...obj.spec, forProvider } };
}

/** The `.yaml`/`.yml` files at `p` (a file, or a folder read recursively); throws when `p` does not exist. */
export function listYaml(p: string): string[] {
  if (!fs.existsSync(p)) {
    throw new Error(`no such file or folder: ${p}`);
  }
  if (fs.statSync(p).isDirectory()) {
    return fs.readdirSync(p).flatMap((e) => listYaml(path.join(p, e)));
  }
  return /\.ya?ml$/.test(p) ? [p] : [];
}
