import * as fs from 'node:fs';
import * as path from 'node:path';

/** The project folder: the nearest folder at or above `from` with a package.json (the bundles live in .cache/build). */
export function findProjectDir(from: string): string {
  let dir = path.resolve(from);
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no package.json at or above ${from}`);
    }
    dir = parent;
  }
  return dir;
}
