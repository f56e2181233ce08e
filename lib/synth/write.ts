import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Replaces `outdir` with exactly `files`, atomically as far as a file system allows: everything is written to a
 * sibling staging folder first, then swapped in with two renames. A run that fails or is killed before the swap
 * leaves the previous folder untouched; one killed between the two renames is repaired by the next run
 * (`recoverInterruptedSwap`).
 */
export function writeAtomically(outdir: string, files: ReadonlyMap<string, string>): void {
  recoverInterruptedSwap(outdir);
  const staging = `${outdir}.staging`;
  const previous = `${outdir}.previous`;
  fs.rmSync(staging, { recursive: true, force: true });
  for (const [rel, text] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const dest = path.join(staging, rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, text);
  }
  fs.mkdirSync(staging, { recursive: true });
  fs.rmSync(previous, { recursive: true, force: true });
  if (fs.existsSync(outdir)) {
    fs.renameSync(outdir, previous);
  }
  fs.renameSync(staging, outdir);
  fs.rmSync(previous, { recursive: true, force: true });
}

/** If a swap was interrupted after `outdir` moved aside, put it back. */
export function recoverInterruptedSwap(outdir: string): void {
  const previous = `${outdir}.previous`;
  if (!fs.existsSync(outdir) && fs.existsSync(previous)) {
    fs.renameSync(previous, outdir);
  }
  fs.rmSync(previous, { recursive: true, force: true });
  fs.rmSync(`${outdir}.staging`, { recursive: true, force: true });
}
