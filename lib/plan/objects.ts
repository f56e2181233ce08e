import * as fs from 'node:fs';
import * as path from 'node:path';
import { readYamlAsKubectl } from '../validate/read';

/** One synthesized object, placed in the scope Argo CD syncs it with. */
export interface PlanObject {
  /** Environment suffix for `environments/<suffix>/…`, else the first folder (`platform`, `argocd`). */
  readonly scope: string;
  /** Path of its file relative to the output folder. */
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  /** '' when cluster-scoped */
  readonly namespace: string;
  readonly name: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/** A managed AWS resource as the plan judges it: the object itself, or the manifest a provider-kubernetes Object wraps. */
export interface AwsView {
  /** `<group>/<Kind>`, e.g. `rds.aws.m.upbound.io/Cluster` */
  readonly kind: string;
  /** Path of its `spec.forProvider` inside the object, e.g. `spec.forProvider.manifest.spec.forProvider`. */
  readonly forProviderPath: string;
  readonly forProvider: Readonly<Record<string, unknown>>;
  readonly externalName?: string;
}

export const AWS_GROUP_SUFFIX = '.aws.m.upbound.io';
const OBJECT_KIND = 'kubernetes.m.crossplane.io/Object';

export const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
export const typeOf = (o: { apiVersion: string; kind: string }): string =>
  `${groupOf(o.apiVersion) || 'core'}/${o.kind}`;

/** Identity of an object within a plan: what Argo CD tracks (group, kind, namespace, name) plus its scope. */
export function objectKey(o: PlanObject): string {
  return `${o.scope}|${typeOf(o)}|${o.namespace}|${o.name}`;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Reads `path` (dotted, as `objects.ts` writes them) from a plain object. */
export function getPath(root: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((v, k) => record(v)?.[k], root);
}

/** The AWS managed resource this object is or wraps; undefined for Kubernetes, Crossplane and Argo CD objects. */
export function awsView(o: PlanObject): AwsView | undefined {
  const view = (m: Record<string, unknown>, prefix: string): AwsView | undefined => {
    const apiVersion = String(m.apiVersion ?? '');
    const kind = String(m.kind ?? '');
    if (!groupOf(apiVersion).endsWith(AWS_GROUP_SUFFIX) || kind === 'ProviderConfig') {
      return undefined;
    }
    const externalName = record(record(m.metadata)?.annotations)?.['crossplane.io/external-name'];
    return {
      kind: `${groupOf(apiVersion)}/${kind}`,
      forProviderPath: `${prefix}spec.forProvider`,
      forProvider: record(getPath(m, 'spec.forProvider')) ?? {},
      externalName: typeof externalName === 'string' ? externalName : undefined,
    };
  };
  if (typeOf(o) === OBJECT_KIND) {
    const manifest = record(getPath(o.body, 'spec.forProvider.manifest'));
    return manifest ? view(manifest, 'spec.forProvider.manifest.') : undefined;
  }
  return view(o.body as Record<string, unknown>, '');
}

/** Scope of a file under the output folder: `environments/<suffix>/x.yaml` → suffix; `platform/x.yaml` → platform. */
export function scopeOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'environments' && parts.length > 2 ? parts[1] : parts.length > 1 ? parts[0] : '';
}

/** Objects parsed from the YAML files among texts keyed by their path under the output folder (comments and layout ignored). */
export function objectsFromFiles(files: ReadonlyMap<string, string>): PlanObject[] {
  const out: PlanObject[] = [];
  // dist/ holds other generated files too (diagrams as Markdown)
  for (const file of [...files.keys()].filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of readYamlAsKubectl(files.get(file)!)) {
      if (doc.error) {
        throw new Error(`${file}: not valid YAML: ${doc.error}`);
      }
      const body = record(doc.object);
      if (!body) {
        continue;
      }
      const meta = record(body.metadata) ?? {};
      out.push({
        scope: scopeOf(file),
        file,
        apiVersion: String(body.apiVersion ?? ''),
        kind: String(body.kind ?? ''),
        namespace: String(meta.namespace ?? ''),
        name: String(meta.name ?? ''),
        body,
      });
    }
  }
  return out;
}

/** Every `*.yaml` file below `dir`, keyed by its path relative to `dir` with `/` separators. */
export function readYamlTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(child);
      } else if (/\.ya?ml$/.test(entry.name)) {
        files.set(child, fs.readFileSync(path.join(dir, child), 'utf8'));
      }
    }
  };
  walk('');
  return files;
}
