import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourcedObject } from './objects';

/**
 * Digest of every source file of the bundle that is running (scripts/build.cjs puts it in at build time), so a
 * record made by other validator code never matches. Unset when the sources run unbundled (tsx, jest).
 */
declare const CATALOG_BUNDLE_DIGEST: string | undefined;

/** Bump when what a record means changes. */
const RECORD_FORMAT = 1;

/** What the strict validator's verdict depends on besides the objects, read from the project. */
export interface VerdictInputs {
  /** Identity of the validator code (the bundle's source digest). */
  readonly code: string;
  /** `<projectDir>/.crds/catalog`: the pinned CRD schemas. */
  readonly catalogDir: string;
  /** lib/validate/formats.js, which compiled validators load at run time. */
  readonly formatsFile: string;
  /** The @kubernetes/client-node version whose models give the built-in kinds' schemas. */
  readonly builtinModels: string;
  /** Whether the security policy ran. */
  readonly policy: boolean;
}

/**
 * Records of object sets the strict validator accepted, one file per set in `.cache/verified/<key>` with the text of
 * every output file, so a synth whose output did not change neither validates nor writes YAML again; and, per
 * configuration (`config-<key>`), the set it synthesized to, so a synth whose configuration did not change does not
 * even build. The key is a sha256 over everything the verdict depends on: the
 * validator code, the pinned CRD catalog (its index's bytes and every schema file's size, mtime and inode, so any
 * edit or re-materialization counts as a change), the formats module's bytes, the built-in models' version, the
 * policy switch, and every object with its file. A record holds its own key; one that does not (truncated, edited,
 * copied to another name) is no record. Only a clean verdict is recorded: a set with violations is validated, and
 * rejected, every time.
 */
export class VerifiedCache {
  private constructor(
    private readonly dir: string,
    private readonly fingerprint: string,
  ) {}

  /**
   * The cache of `<projectDir>/.cache/verified`, or undefined when the verdict's inputs cannot be pinned down (the
   * sources run unbundled, or the CRD catalog is missing; the validator then reports that itself).
   */
  static forProject(projectDir: string, opts: { policy?: boolean; code?: string } = {}): VerifiedCache | undefined {
    const code = opts.code ?? (typeof CATALOG_BUNDLE_DIGEST === 'string' ? CATALOG_BUNDLE_DIGEST : undefined);
    if (code === undefined) {
      return undefined;
    }
    let builtinModels: string;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      builtinModels = require('@kubernetes/client-node/package.json').version;
    } catch {
      return undefined;
    }
    return VerifiedCache.from(path.join(projectDir, '.cache', 'verified'), {
      code,
      catalogDir: path.join(projectDir, '.crds', 'catalog'),
      formatsFile: path.join(projectDir, 'lib', 'validate', 'formats.js'),
      builtinModels,
      policy: opts.policy !== false,
    });
  }

  /** The cache in `dir` for a verdict with `inputs`, or undefined when the catalog or formats cannot be read. */
  static from(dir: string, inputs: VerdictInputs): VerifiedCache | undefined {
    const h = createHash('sha256');
    h.update(`${RECORD_FORMAT}\0${inputs.code}\0${inputs.builtinModels}\0${inputs.policy}\0`);
    try {
      h.update(fs.readFileSync(inputs.formatsFile));
      const index = fs.readFileSync(path.join(inputs.catalogDir, 'index.json'));
      h.update(index);
      for (const e of JSON.parse(index.toString('utf8')) as Array<{ schemaFile: string }>) {
        const st = fs.statSync(path.join(inputs.catalogDir, e.schemaFile));
        h.update(`\0${e.schemaFile}\0${st.size}\0${st.mtimeMs}\0${st.ino}`);
      }
    } catch {
      return undefined;
    }
    return new VerifiedCache(dir, h.digest('hex'));
  }

  /** The key of one set of objects, in order. */
  keyOf(objects: readonly SourcedObject[]): string {
    const h = createHash('sha256').update(this.fingerprint);
    for (const o of objects) {
      h.update(`\0${o.file}\0${JSON.stringify(o.object)}`);
    }
    return h.digest('hex');
  }

  /**
   * The file texts recorded with `key`, or undefined when there is no intact record: one whose key line, digest line
   * and body agree.
   */
  lookup(key: string): Map<string, string> | undefined {
    let data: string;
    try {
      data = fs.readFileSync(this.file(key), 'utf8');
    } catch {
      return undefined;
    }
    const first = data.indexOf('\n');
    const second = data.indexOf('\n', first + 1);
    const body = data.slice(second + 1);
    if (
      first < 0 ||
      second < 0 ||
      data.slice(0, first) !== key ||
      data.slice(first + 1, second) !== createHash('sha256').update(body).digest('hex')
    ) {
      return undefined;
    }
    try {
      return new Map(JSON.parse(body) as Array<[string, string]>);
    } catch {
      return undefined;
    }
  }

  /** Records that the set with `key` validated clean and renders as `texts`; a cache that cannot be written is skipped. */
  record(key: string, texts: ReadonlyMap<string, string>): void {
    const body = JSON.stringify([...texts]);
    this.write(key, `${key}\n${createHash('sha256').update(body).digest('hex')}\n${body}`);
  }

  /**
   * The key of what buildApp is given (the configuration as loaded, and the adoptions): buildApp and render read
   * nothing else (no files, no environment, no clock), so with the same code (part of the fingerprint) it determines
   * the objects; the Node version is part of it too
   * (sorting uses its ICU). Undefined properties are kept apart from missing ones.
   */
  configKeyOf(config: unknown): string {
    // Maps and Sets (the adoptions are a Map) by their entries, which JSON.stringify would drop
    const json = JSON.stringify(config, (_, v) =>
      v === undefined
        ? '\u0000undefined'
        : v instanceof Map
          ? { '\u0000map': [...v] }
          : v instanceof Set
            ? { '\u0000set': [...v] }
            : v,
    );
    return createHash('sha256').update(`${this.fingerprint}\0config\0${process.version}\0${json}`).digest('hex');
  }

  /**
   * The output recorded for a configuration: the texts of the intact record of the object set it synthesized to, and
   * that set's object count; undefined when either record is missing or damaged.
   */
  recallConfig(configKey: string): { texts: Map<string, string>; objects: number } | undefined {
    let data: string;
    try {
      data = fs.readFileSync(this.file(`config-${configKey}`), 'utf8');
    } catch {
      return undefined;
    }
    const m = /^([0-9a-f]{64})\n([0-9a-f]{64})\n(\d+)\n$/.exec(data);
    if (!m || m[1] !== configKey) {
      return undefined;
    }
    const texts = this.lookup(m[2]);
    return texts && { texts, objects: Number(m[3]) };
  }

  /** Records that the configuration with `configKey` synthesized to the validated set `setKey` of `objects` objects. */
  recordConfig(configKey: string, setKey: string, objects: number): void {
    this.write(`config-${configKey}`, `${configKey}\n${setKey}\n${objects}\n`);
  }

  private write(name: string, content: string): void {
    const file = this.file(name);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(tmp, content);
      fs.renameSync(tmp, file);
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }

  private file(key: string): string {
    return path.join(this.dir, key);
  }
}

/**
 * The verdict on `objects` and, when it is clean, the text of every file: taken from an intact record of this exact
 * set (with a text for each of `files`, and for the files render() adds), else `validate(objects)` and, only if that finds nothing, `render()`, which
 * is then recorded. Without a cache every call validates.
 */
export function validateOrRecall<V>(
  objects: readonly SourcedObject[],
  files: readonly string[],
  cache: VerifiedCache | undefined,
  validate: (objects: readonly SourcedObject[]) => V[],
  render: () => ReadonlyMap<string, string>,
): { violations: V[]; texts?: ReadonlyMap<string, string>; key?: string } {
  const key = cache?.keyOf(objects);
  const recalled = key === undefined ? undefined : cache!.lookup(key);
  if (recalled && files.every((f) => recalled.has(f))) {
    return { violations: [], texts: recalled, key };
  }
  const violations = validate(objects);
  if (violations.length > 0) {
    return { violations };
  }
  const texts = render();
  if (key !== undefined) {
    cache!.record(key, texts);
  }
  return { violations, texts, key };
}
