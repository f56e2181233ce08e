import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/** One pinned CRD file: where it lives under the shared CRD folder, where it comes from upstream, its digest. */
export interface LockedCrd {
  readonly path: string;
  readonly url: string;
  readonly sha256: string;
}

export interface CrdLock {
  readonly files: readonly LockedCrd[];
}

/** Upstream location of each pinned release folder (raw files at the release tag). */
export const UPSTREAM: Readonly<Record<string, string>> = {
  'provider-upjet-aws-v2.6.0':
    'https://raw.githubusercontent.com/crossplane-contrib/provider-upjet-aws/v2.6.0/package/crds',
  'crossplane-v2.3.4': 'https://raw.githubusercontent.com/crossplane/crossplane/v2.3.4/cluster/crds',
  'argo-cd-v3.5.1': 'https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/crds',
  'provider-kubernetes-v1.2.1':
    'https://raw.githubusercontent.com/crossplane-contrib/provider-kubernetes/v1.2.1/package/crds',
};

export const LOCK_FILE = 'crds.lock.json';
/** Where verified copies are materialized; `imports/` and the validator read only from here. */
export const MATERIALIZED_DIR = '.crds';

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function upstreamUrl(lockPath: string): string {
  const [release, ...rest] = lockPath.split('/');
  const base = UPSTREAM[release];
  if (!base) {
    throw new Error(
      `crd lock: unknown release folder '${release}' in '${lockPath}'; add it to UPSTREAM in lib/crds/lock.ts`,
    );
  }
  return `${base}/${rest.join('/')}`;
}

export function readLock(projectDir: string): CrdLock {
  return JSON.parse(fs.readFileSync(path.join(projectDir, LOCK_FILE), 'utf8')) as CrdLock;
}

/** The API group a CRD declares (`spec.group`); Argo CD's file names do not carry it. */
export function groupOf(lockPath: string, content: string): string {
  const crd = parse(content) as { kind?: string; spec?: { group?: string } };
  if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec?.group) {
    throw new Error(`crd lock: '${lockPath}' is not a CustomResourceDefinition with spec.group`);
  }
  return crd.spec.group;
}

export interface MaterializeOptions {
  /** Folder holding the shared, pinned CRD releases. */
  readonly sourceDir: string;
  /** Fetch from the upstream URL when a file is not in `sourceDir`. */
  readonly fetchMissing?: (url: string) => Promise<Buffer>;
}

/**
 * Copies every locked CRD into `.crds/files`, verifying its sha256, and writes one multi-document file per API group
 * into `.crds/groups` (what `cdk8s import` reads: separate same-group imports would overwrite each other).
 */
export async function materialize(
  projectDir: string,
  opts: MaterializeOptions,
): Promise<{ files: number; groups: number; reused: boolean }> {
  const lock = readLock(projectDir);
  if (upToDate(projectDir, lock)) {
    const groups = fs.readdirSync(path.join(projectDir, MATERIALIZED_DIR, 'groups')).length;
    return { files: lock.files.length, groups, reused: true };
  }
  const problems: string[] = [];
  const contents = new Map<string, Buffer>();
  const missing = lock.files.filter((e) => !fs.existsSync(path.join(opts.sourceDir, e.path)));
  if (missing.length > 0 && !opts.fetchMissing) {
    throw new CrdLockError([], missing);
  }
  for (const entry of lock.files) {
    const local = path.join(opts.sourceDir, entry.path);
    let data: Buffer;
    if (!missing.includes(entry)) {
      data = fs.readFileSync(local);
    } else {
      try {
        data = await opts.fetchMissing!(entry.url);
      } catch (err) {
        // one unreachable host fails every download the same way: report the first and how many were left
        throw new CrdFetchError(entry, (err as Error).message, missing.length - 1 - missing.indexOf(entry));
      }
    }
    const actual = sha256(data);
    if (actual !== entry.sha256) {
      problems.push(
        `sha256 mismatch for '${entry.path}': expected ${entry.sha256}, got ${actual}; the file is not the pinned release`,
      );
      continue;
    }
    contents.set(entry.path, data);
  }
  if (problems.length > 0) {
    throw new CrdLockError(problems);
  }
  const out = path.join(projectDir, MATERIALIZED_DIR);
  const tmp = `${out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const groups = new Map<string, string[]>();
  for (const [p, data] of [...contents.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const dest = path.join(tmp, 'files', p);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, data);
    const text = data.toString('utf8');
    const g = groupOf(p, text);
    groups.set(g, [...(groups.get(g) ?? []), text]);
  }
  writeCatalog(tmp, contents);
  fs.mkdirSync(path.join(tmp, 'groups'), { recursive: true });
  for (const [g, docs] of groups) {
    const body = docs.map((d) => d.replace(/^---\n/, '').trimEnd() + '\n').join('---\n');
    fs.writeFileSync(path.join(tmp, 'groups', `${g}.yaml`), body);
  }
  fs.writeFileSync(path.join(tmp, STAMP), stamp(lock));
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(tmp, out);
  return { files: contents.size, groups: groups.size, reused: false };
}

const STAMP = 'lock.sha256';

function stamp(lock: CrdLock): string {
  return sha256(JSON.stringify(lock));
}

/** `.crds/` was made from this very lock and every file in it still has its pinned hash. */
function upToDate(projectDir: string, lock: CrdLock): boolean {
  const dir = path.join(projectDir, MATERIALIZED_DIR);
  try {
    if (fs.readFileSync(path.join(dir, STAMP), 'utf8') !== stamp(lock)) {
      return false;
    }
    return lock.files.every((f) => sha256(fs.readFileSync(path.join(dir, 'files', f.path))) === f.sha256);
  } catch {
    return false;
  }
}

/** One served kind in `.crds/catalog/index.json`; its schema is in `.crds/catalog/<file>`. */
export interface CatalogEntry {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly schemaFile: string;
  readonly source: string;
}

/**
 * Pre-parsed schemas, one JSON file per served kind plus an index: parsing 15 MB of CRD YAML takes over a second,
 * reading the few JSON schemas a run needs takes milliseconds.
 */
function writeCatalog(dir: string, contents: ReadonlyMap<string, Buffer>): void {
  const out = path.join(dir, 'catalog');
  fs.mkdirSync(out, { recursive: true });
  const index: CatalogEntry[] = [];
  for (const [p, data] of contents) {
    const crd = parse(data.toString('utf8'));
    for (const v of crd.spec.versions) {
      if (!v.served) {
        continue;
      }
      const apiVersion = `${crd.spec.group}/${v.name}`;
      const schemaFile = `${crd.spec.group}_${v.name}_${crd.spec.names.kind}.json`;
      fs.writeFileSync(path.join(out, schemaFile), JSON.stringify(v.schema?.openAPIV3Schema ?? {}));
      index.push({
        apiVersion,
        kind: crd.spec.names.kind,
        plural: crd.spec.names.plural,
        namespaced: crd.spec.scope === 'Namespaced',
        schemaFile,
        source: p,
      });
    }
  }
  index.sort((a, b) => `${a.apiVersion}/${a.kind}`.localeCompare(`${b.apiVersion}/${b.kind}`));
  fs.writeFileSync(path.join(out, 'index.json'), JSON.stringify(index, null, 1));
}

/**
 * The lock cannot be satisfied: `problems` are one line each (hash mismatches); `missing` are the locked files absent
 * from the source folder when downloading was not allowed, reported by the caller as one summary.
 */
export class CrdLockError extends Error {
  constructor(
    readonly problems: readonly string[],
    readonly missing: readonly LockedCrd[] = [],
  ) {
    super([...problems, ...missing.map((m) => `missing crd '${m.path}'`)].join('\n'));
    this.name = 'CrdLockError';
  }
}

/** Downloading a missing file failed; `reason` is the HTTP status or the network error, `left` the files not tried. */
export class CrdFetchError extends Error {
  constructor(
    readonly entry: LockedCrd,
    readonly reason: string,
    readonly left: number,
  ) {
    super(`cannot download '${entry.path}' from ${entry.url}: ${reason}`);
    this.name = 'CrdFetchError';
  }
}

/** The API groups materialized in `.crds/groups`, sorted: cdk8s.yaml's `imports:` must name exactly these. */
export function materializedGroups(projectDir: string): string[] {
  return fs
    .readdirSync(path.join(projectDir, MATERIALIZED_DIR, 'groups'))
    .map((f) => path.basename(f, '.yaml'))
    .sort();
}
