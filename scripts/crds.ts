/**
 * Pinned CRDs.
 *   crds.ts materialize   verify every locked file (sha256) and write .crds/ (default)
 *   crds.ts pin <path..>  add files (paths under the shared CRD folder) to crds.lock.json
 * The shared CRD folder is ../shared/crds, or CRDS_SOURCE_DIR; files missing there are fetched from their pinned
 * upstream URL when CRDS_FETCH=1 (outside an offline workspace).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrdLock, CrdLockError, LOCK_FILE, materialize, sha256, upstreamUrl } from '../lib/crds/lock';
import { findProjectDir } from '../lib/synth/project';

const projectDir = findProjectDir(__dirname);
const sourceDir = path.resolve(projectDir, process.env.CRDS_SOURCE_DIR ?? '../shared/crds');

async function fetchUpstream(url: string): Promise<Buffer> {
  const res = await fetch(url);
  if (!res.ok) {
    throw new Error(`fetching ${url}: HTTP ${res.status}`);
  }
  return Buffer.from(await res.arrayBuffer());
}

async function main(argv: string[]): Promise<void> {
  const [cmd = 'materialize', ...rest] = argv;
  if (cmd === 'materialize') {
    const r = await materialize(projectDir, {
      sourceDir,
      fetchMissing: process.env.CRDS_FETCH === '1' ? fetchUpstream : undefined,
    });
    if (!process.env.CRDS_QUIET) {
      console.log(`crds: ${r.files} files verified, ${r.groups} groups in .crds/${r.reused ? ' (up to date)' : ''}`);
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
    console.log(`crds: ${files.length} files pinned in ${LOCK_FILE}`);
    return;
  }
  throw new Error(`unknown command '${cmd}'; use 'materialize' or 'pin <path..>'`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const msg = err instanceof CrdLockError ? err.problems.join('\n') : err instanceof Error ? err.message : String(err);
  console.error(`crds: ${msg}`);
  process.exit(1);
});
