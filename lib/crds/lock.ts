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
): Promise<{ files: number; groups: number }> {
  const lock = readLock(projectDir);
  const problems: string[] = [];
  const contents = new Map<string, Buffer>();
  for (const entry of lock.files) {
    const local = path.join(opts.sourceDir, entry.path);
    let data: Buffer | undefined;
    if (fs.existsSync(local)) {
      data = fs.readFileSync(local);
    } else if (opts.fetchMissing) {
      data = await opts.fetchMissing(entry.url);
    } else {
      problems.push(
        `missing crd '${entry.path}': not found in ${opts.sourceDir}; restore it or fetch it from ${entry.url}`,
      );
      continue;
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
  fs.mkdirSync(path.join(tmp, 'groups'), { recursive: true });
  for (const [g, docs] of groups) {
    const body = docs.map((d) => d.replace(/^---\n/, '').trimEnd() + '\n').join('---\n');
    fs.writeFileSync(path.join(tmp, 'groups', `${g}.yaml`), body);
  }
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(tmp, out);
  return { files: contents.size, groups: groups.size };
}

export class CrdLockError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'CrdLockError';
  }
}

/** The API groups materialized in `.crds/groups`, sorted: cdk8s.yaml's `imports:` must name exactly these. */
export function materializedGroups(projectDir: string): string[] {
  return fs
    .readdirSync(path.join(projectDir, MATERIALIZED_DIR, 'groups'))
    .map((f) => path.basename(f, '.yaml'))
    .sort();
}
