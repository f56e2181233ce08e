/**
 * Pinned CRDs.
 *   crds.ts materialize   verify every locked file (sha256) and write .crds/ (default)
 *   crds.ts pin <path..>  add files (paths under the shared CRD folder) to crds.lock.json
 * The shared CRD folder is ../shared/crds, or CRDS_SOURCE_DIR; files missing there are fetched from their pinned
 * upstream URL when CRDS_FETCH=1 (outside an offline workspace).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CrdFetchError,
  CrdLock,
  CrdLockError,
  LOCK_FILE,
  LockedCrd,
  materialize,
  readLock,
  sha256,
  upstreamUrl,
} from '../lib/crds/lock';
import { findProjectDir } from '../lib/synth/project';

const projectDir = findProjectDir(__dirname);
const DEFAULT_SOURCE = '../shared/crds';
const sourceDir = path.resolve(projectDir, process.env.CRDS_SOURCE_DIR || DEFAULT_SOURCE);

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

async function fetchUpstream(url: string): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    // fetch says only "fetch failed"; the cause holds the network error (refused, name not resolved, TLS)
    const cause = (err as Error & { cause?: Error }).cause;
    throw new Error(cause?.message ?? (err as Error).message);
  }
  if (!res.ok) {
    throw new Error(
      `the server answered http ${res.status}${res.statusText ? ` (${res.statusText.toLowerCase()})` : ''}`,
    );
  }
  return Buffer.from(await res.arrayBuffer());
}

/** One short summary for files missing without CRDS_FETCH: what, where it looked, the three ways to provide them. */
function missingSummary(missing: readonly LockedCrd[], total: number): string[] {
  const given = process.env.CRDS_SOURCE_DIR;
  const where = given
    ? `CRDS_SOURCE_DIR (got ${JSON.stringify(given)})`
    : `${DEFAULT_SOURCE} (the default folder, next to the project; CRDS_SOURCE_DIR is not set)`;
  const state = !fs.existsSync(sourceDir)
    ? 'which does not exist'
    : `e.g. ${missing
        .slice(0, 3)
        .map((m) => `'${m.path}'`)
        .join(', ')}`;
  const releases = [...new Set(missing.map((m) => m.path.split('/')[0]))].sort();
  return [
    `${missing.length} of ${count(total, 'pinned crd file')} ${missing.length === 1 ? 'is' : 'are'} missing from ${where}, ${state}; provide them in one of three ways:`,
    `1. put the pinned releases (${releases.join(', ')}) in ${DEFAULT_SOURCE}`,
    `2. set CRDS_SOURCE_DIR to a folder holding them (relative to the project)`,
    `3. set CRDS_FETCH=1 to download them from the upstream urls in ${LOCK_FILE} (each verified against its sha256)`,
  ];
}

async function main(argv: string[]): Promise<void> {
  const [cmd = 'materialize', ...rest] = argv;
  if (cmd === 'materialize') {
    const r = await materialize(projectDir, {
      sourceDir,
      fetchMissing: process.env.CRDS_FETCH === '1' ? fetchUpstream : undefined,
    });
    if (!process.env.CRDS_QUIET) {
      console.log(
        `crds: ${count(r.files, 'file')} verified, ${count(r.groups, 'group')} in .crds/${r.reused ? ' (up to date)' : ''}`,
      );
    }
    return;
  }
  if (cmd === 'pin') {
    const lockPath = path.join(projectDir, LOCK_FILE);
    const lock: CrdLock = fs.existsSync(lockPath) ? JSON.parse(fs.readFileSync(lockPath, 'utf8')) : { files: [] };
    const byPath = new Map(lock.files.map((f) => [f.path, f]));
    for (const p of rest) {
      const data = fs.readFileSync(path.join(sourceDir, p));
      byPath.set(p, { path: p, url: upstreamUrl(p), sha256: sha256(data) });
    }
    const files = [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
    fs.writeFileSync(lockPath, JSON.stringify({ files }, null, 2) + '\n');
    console.log(`crds: ${count(files.length, 'file')} pinned in ${LOCK_FILE}`);
    return;
  }
  throw new Error(`unknown command '${cmd}'; use 'materialize' or 'pin <path..>'`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  let lines: string[];
  if (err instanceof CrdLockError) {
    const total = readLock(projectDir).files.length;
    lines = [...err.problems, ...(err.missing.length > 0 ? missingSummary(err.missing, total) : [])];
  } else if (err instanceof CrdFetchError) {
    const left = err.left > 0 ? ` (${count(err.left, 'more missing file')} not tried)` : '';
    lines = [
      `CRDS_FETCH=1: cannot download '${err.entry.path}' from ${err.entry.url}: ${err.reason}${left}; ` +
        'check that the url is reachable from here, or provide the files through CRDS_SOURCE_DIR',
    ];
  } else {
    lines = [err instanceof Error ? err.message : String(err)];
  }
  lines.forEach((l, i) => console.error(i === 0 ? `crds: ${l}` : `  ${l}`));
  process.exit(1);
});
