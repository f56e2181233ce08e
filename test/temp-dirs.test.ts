// The suites run on machines shared with other work: a test run leaves no folder of its own in the OS temp folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadFrom, removeTempDirs, tempDir, withEnvironment } from './helpers';

describe('test temp folders', () => {
  test('GIVEN a configuration that fails WHEN loadFrom reads it THEN the folder it wrote the file to is gone', () => {
    // WHEN
    let message = '';
    try {
      loadFrom(withEnvironment('pr5706', { service: { maxCapacity: 0 } }));
    } catch (err) {
      message = (err as Error).message;
    }
    // THEN the error names the file loadFrom wrote, and its folder no longer exists
    const file = /(\S+environments\.yaml): environments\[pr5706\]\.service\.maxCapacity/.exec(message)?.[1];
    expect(file).toBeDefined();
    expect(fs.existsSync(path.dirname(file!))).toBe(false);
  });

  test('GIVEN folders made with tempDir WHEN the temp folders are removed after the file THEN none is left', () => {
    // GIVEN
    const dirs = [tempDir(), tempDir('catalog-other-')];
    fs.writeFileSync(path.join(dirs[0], 'file.yaml'), 'a: 1\n');
    fs.mkdirSync(path.join(dirs[1], 'nested', 'deeper'), { recursive: true });
    // WHEN
    removeTempDirs();
    // THEN
    expect(dirs.filter((d) => fs.existsSync(d))).toEqual([]);
  });
});
