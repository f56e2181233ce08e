import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { PROFILE_DEFAULTS, REGISTRY_DEFAULTS, SEED_DEFAULTS } from './defaults';
import { ConfigError, ConfigProblem, formatProblem, formatValue } from './errors';
import { previewSuffix, PROTOTYPE_NUMBER, resolvePreviews } from './previews';
import { configFile, ConfigFile, EnvironmentSettings } from './schema';
import { closest } from './suggest';
import { Config, EnvironmentConfig, PlatformConfig, RegistryConfig } from './types';
import { ROLE_ARN, validateEnvironment, validateRegistry } from './validate';

export const DEFAULT_CONFIG_PATH = 'config/environments.yaml';

/** The environment variables the app reads; any other `CATALOG_*` variable is a typo and an error. */
export const ENV_VARS = {
  /** Adds a preview environment with this suffix (the seed's ENVIRONMENT_SUFFIX). */
  ENVIRONMENT_SUFFIX: 'ENVIRONMENT_SUFFIX',
  /** Path of the configuration file. */
  CONFIG: 'CATALOG_CONFIG',
} as const;

export interface LoadOptions {
  /** Process environment (only the variables in ENV_VARS are read). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Folder a relative CATALOG_CONFIG resolves against. */
  readonly cwd: string;
  /** Folder the default configuration file is in. @default - `cwd` */
  readonly projectDir?: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of plain objects; arrays and scalars from later layers replace earlier ones. */
export function merge(...layers: unknown[]): any {
  let out: unknown = undefined;
  for (const layer of layers) {
    if (layer === undefined) {
      continue;
    }
    if (isPlainObject(out) && isPlainObject(layer)) {
      const o: Record<string, unknown> = { ...out };
      for (const [k, v] of Object.entries(layer)) {
        o[k] = merge(o[k], v);
      }
      out = o;
    } else {
      out = layer;
    }
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether `layer` (a file's `defaults` or one environment entry) sets the setting at `relative` (`service.cpu`,
 * `network.publicSubnetCidrs[1]`, `tags.Owner`). Lists are set as a whole, so an index means the list.
 */
function hasSetting(layer: unknown, relative: string): boolean {
  const keys = relative.startsWith('tags.')
    ? ['tags', relative.slice('tags.'.length)]
    : relative.replace(/\[\d+\]/g, '').split('.');
  let node = layer;
  for (const key of keys) {
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) {
      return false;
    }
    node = node[key];
  }
  return true;
}

/** What a value is, with its article: `a string`, `a list`, `null`. */
function describeType(v: unknown): string {
  if (v === null) {
    return 'null';
  }
  if (Array.isArray(v)) {
    return 'a list';
  }
  return typeof v === 'object' ? 'a mapping' : typeof v === 'boolean' ? 'a boolean' : `a ${typeof v}`;
}

function settingPath(path: ReadonlyArray<PropertyKey>, data: unknown): string {
  let out = '';
  let node: unknown = data;
  for (const key of path) {
    if (typeof key === 'number') {
      // name environments by their suffix when they have one: positions shift when the file is edited
      const suffix = isPlainObject((node as unknown[])?.[key]) ? ((node as any)[key].suffix as unknown) : undefined;
      out += typeof suffix === 'string' && out === 'environments' ? `[${suffix}]` : `[${key}]`;
    } else {
      out += out ? `.${String(key)}` : String(key);
    }
    node = isPlainObject(node) || Array.isArray(node) ? (node as any)[key] : undefined;
  }
  return out || '(file)';
}

/** What zod expected, in the words of the configuration reference. */
const SHAPES: Readonly<Record<string, string>> = {
  string: 'a quoted string',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

/** The schema of the setting at `path`, without its optional wrapper (array indices step into the element schema). */
function schemaAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): any {
  let node: any = schema;
  const unwrap = () => {
    while (node?.def?.type === 'optional' || node?.def?.type === 'nullable') {
      node = node.def.innerType;
    }
  };
  unwrap();
  for (const key of path) {
    node =
      node?.def?.type === 'array' ? node.def.element : node?.def?.type === 'object' ? node.def.shape[key] : undefined;
    unwrap();
  }
  return node;
}

/** The keys the schema allows at `path`; [] where that is no mapping. */
function knownKeys(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  const node = schemaAt(schema, path);
  return node?.def?.type === 'object' ? Object.keys(node.def.shape) : [];
}

/** `from 1 to 65535`, `of 1 or more`: the range a number setting's schema allows. */
function numberRange(path: ReadonlyArray<PropertyKey>): string {
  const node = schemaAt(configFile, path);
  const min = Number.isFinite(node?.minValue) ? (node.minValue as number) : undefined;
  const max = Number.isFinite(node?.maxValue) ? (node.maxValue as number) : undefined;
  return min !== undefined && max !== undefined
    ? `from ${min} to ${max}`
    : min !== undefined
      ? `of ${min} or more`
      : `of ${max} or less`;
}

function zodProblems(error: z.ZodError, data: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const setting = settingPath(issue.path, data);
    const value = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeys(configFile, issue.path);
        for (const key of issue.keys) {
          // a setting written one level too high (`cpu` for `service.cpu`) is named with its parent
          const nested = known.flatMap((k) => knownKeys(configFile, [...issue.path, k]).map((n) => [k, n] as const));
          const inner = nested.find(([, n]) => closest(key, [n]) !== undefined);
          const near = closest(key, known) ?? (inner ? `${inner[0]}.${inner[1]}` : undefined);
          problems.push({
            setting: setting === '(file)' ? key : `${setting}.${key}`,
            value: (isPlainObject(value) ? value[key] : undefined) ?? null,
            problem: 'is not a known setting',
            fix: near
              ? `did you mean ${near}? rename it, or remove it`
              : `remove it or correct its spelling; the settings here are ${known.join(', ')}`,
          });
        }
        break;
      }
      case 'invalid_type':
        problems.push(
          value === undefined
            ? { setting, value, problem: 'is required', fix: `set it, as ${SHAPES[issue.expected] ?? issue.expected}` }
            : issue.expected === 'int' && typeof value === 'number'
              ? { setting, value, problem: 'must be a whole number', fix: 'write it without a fraction' }
              : {
                  setting,
                  value,
                  problem: `must be ${SHAPES[issue.expected] ?? issue.expected}, not ${describeType(value)}`,
                  fix: `write it as ${SHAPES[issue.expected] ?? issue.expected}`,
                },
        );
        break;
      case 'invalid_value':
        // a missing setting of a fixed set of values (`profile`) is reported as missing, not as a wrong value
        problems.push({
          setting,
          value,
          problem: value === undefined ? 'is required' : 'is not an allowed value',
          fix: `${value === undefined ? 'set it to' : 'use'} one of ${issue.values.map((v) => String(v)).join(', ')}`,
        });
        break;
      case 'too_small':
      case 'too_big': {
        const bound = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
        const [problem, fix] =
          issue.origin === 'string'
            ? ['must not be empty', 'write a value, or remove the setting where it has a default']
            : issue.origin === 'array'
              ? [
                  `must have ${bound} ${Number(issue.code === 'too_small' ? issue.minimum : issue.maximum) === 1 ? 'entry' : 'entries'}`,
                  `list ${bound}`,
                ]
              : [`must be ${bound}`, `use a number ${numberRange(issue.path)}`];
        problems.push({ setting, value, problem, fix });
        break;
      }
      case 'invalid_format': {
        const prefix = (issue as { prefix?: string }).prefix;
        problems.push(
          prefix !== undefined
            ? { setting, value, problem: `must start with ${prefix}`, fix: `write it as ${prefix}${String(value)}` }
            : {
                setting,
                value,
                problem: 'has the wrong format',
                fix: `write it as the reference says: ${issue.message}`,
              },
        );
        break;
      }
      default:
        problems.push({
          setting,
          value,
          problem: issue.message.charAt(0).toLowerCase() + issue.message.slice(1),
          fix: 'correct the value (see the configuration reference in README.md)',
        });
    }
  }
  return problems;
}

/** What to do about a configuration file the OS would not let us read, by error code. */
const READ_FIXES: Readonly<Record<string, string>> = {
  ENOENT: `create it, or set ${ENV_VARS.CONFIG} to the path of the configuration file`,
  EISDIR: `set ${ENV_VARS.CONFIG} to the configuration file itself, not a folder`,
  EACCES: 'give the user running synth permission to read it',
  EPERM: 'give the user running synth permission to read it',
};

/** The OS error as `no such file or directory (ENOENT)`: Node's text without the syscall and path it appends. */
function osReason(err: NodeJS.ErrnoException): string {
  const text = /^[A-Z]+: ([^,]+)/.exec(err.message)?.[1] ?? err.message;
  return err.code ? `${text.toLowerCase()} (${err.code})` : text.toLowerCase();
}

/** `<source>: cannot read the configuration file: <the OS error>; <what to do about it>`. */
export function readFailure(source: string, err: NodeJS.ErrnoException): string {
  const fix =
    READ_FIXES[err.code ?? ''] ?? `check the file, or set ${ENV_VARS.CONFIG} to the path of the configuration file`;
  return `${source}: cannot read the configuration file: ${osReason(err)}; ${fix}`;
}

/** The last non-blank line at or before `line` (1-based): an error at the end of the file belongs to what precedes it. */
function offendingLine(lines: readonly string[], line: number, col: number): { line: number; col: number } {
  let l = Math.min(line, lines.length);
  if (l === line && (lines[l - 1] ?? '').trim() !== '') {
    return { line, col };
  }
  while (l > 1 && (lines[l - 1] ?? '').trim() === '') {
    l--;
  }
  return { line: l, col: (lines[l - 1] ?? '').length + 1 };
}

/**
 * Offset of the innermost `[` or `{` still open at `end`, outside quoted scalars and comments; undefined when none.
 * Good enough for pointing at the line a flow collection was opened on (the parser has already failed).
 */
function unclosedFlowStart(text: string, end: number): number | undefined {
  const open: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < end && i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,]/.test(text[i - 1]))) {
      // a quote opens a quoted scalar only where a scalar starts (an apostrophe inside a word does not)
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i < end && text[i] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      open.push(i);
    } else if ((c === ']' || c === '}') && open.length > 0) {
      open.pop();
    }
  }
  return open.length > 0 ? open[open.length - 1] : undefined;
}

function readFile(configPath: string, source: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(configPath, 'utf8');
  } catch (err) {
    throw new ConfigError([readFailure(source, err as NodeJS.ErrnoException)]);
  }
  // JSON is YAML 1.2, so .json files parse here too; duplicate keys are errors, not last-one-wins
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    const lines = text.split(/\r?\n/);
    throw new ConfigError(
      doc.errors.map((e) => {
        // linePos is 1-based in both line and column
        const at = lineCounter.linePos(e.pos[0]);
        const opener = /^flow (sequence|map)\b.*end with a [\]}]/i.test(e.message)
          ? unclosedFlowStart(text, e.pos[0])
          : undefined;
        // the parser notices an unclosed [ or { only at the next key, lines later: the offending line is the opener's
        const { line, col } =
          opener !== undefined && lineCounter.linePos(opener).line < offendingLine(lines, at.line, at.col).line
            ? lineCounter.linePos(opener)
            : offendingLine(lines, at.line, at.col);
        const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        return (
          `${source}:${line}:${col}: malformed yaml/json: ${message.charAt(0).toLowerCase()}${message.slice(1)} ` +
          `(got ${formatValue(lines[line - 1] ?? '')}); fix the syntax on line ${line} at column ${col}`
        );
      }),
    );
  }
  return doc.toJS();
}

function envProblems(env: LoadOptions['env']): string[] {
  const known = new Set<string>(Object.values(ENV_VARS));
  return Object.keys(env)
    .filter((k) => k.startsWith('CATALOG_') && !known.has(k))
    .sort()
    .map(
      (k) =>
        `environment: ${k}: is not a known variable (got ${formatValue(env[k])}); unset it or use one of ${[...known].join(', ')}`,
    );
}

/**
 * Reads the configuration file and the documented environment variables, merges seed → profile → file defaults →
 * environment, and validates everything. Throws ConfigError listing every problem, one line each.
 */
export function loadConfig(opts: LoadOptions): Config {
  const given = opts.env[ENV_VARS.CONFIG];
  const configPath = given || DEFAULT_CONFIG_PATH;
  const resolved = path.resolve(given ? opts.cwd : (opts.projectDir ?? opts.cwd), configPath);
  const lines: string[] = envProblems(opts.env);
  const shown = configPath;
  const data = readFile(resolved, shown);
  if (data === null || data === undefined) {
    throw new ConfigError([
      ...lines,
      `${shown}: (file): is empty (got nothing); write the platform and environments settings (see README.md)`,
    ]);
  }
  const parsed = configFile.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError([...lines, ...zodProblems(parsed.error, data).map((p) => formatProblem(shown, p))]);
  }
  const file: ConfigFile = parsed.data;
  const entries: Array<EnvironmentSettings & { suffix: string; profile: 'production' | 'preview' }> = [
    ...file.environments,
  ];

  const extra = opts.env[ENV_VARS.ENVIRONMENT_SUFFIX];
  if (extra !== undefined && entries.some((e) => e.suffix === extra)) {
    // adding nothing would be a silent no-op, and a preview must never stand in for a configured environment
    lines.push(
      `environment: ${ENV_VARS.ENVIRONMENT_SUFFIX}: names an environment ${shown} already has (got ${formatValue(extra)}); ` +
        `unset it, or choose a suffix that is not in ${shown}`,
    );
  } else if (extra !== undefined) {
    // a preview gets what every pull-request preview gets (`previews.environment` over the preview profile)
    entries.push({ ...(file.previews?.environment as EnvironmentSettings), suffix: extra, profile: 'preview' });
  }
  if (entries.length === 0) {
    lines.push(
      `${shown}: environments: is empty (got []); add at least one environment or set ${ENV_VARS.ENVIRONMENT_SUFFIX}`,
    );
  }

  // the platform creates the shared repository with the providers' own identity, so it lives in their account
  const registry: RegistryConfig = {
    ...REGISTRY_DEFAULTS,
    ...file.registry,
    accountId: /^arn:[^:]+:iam::(\d{12}):/.exec(file.platform.providerRoleArn)?.[1] ?? '',
  };
  lines.push(...validateRegistry(registry).map((p) => formatProblem(shown, p)));

  const seen = new Map<string, number>();
  const environments: EnvironmentConfig[] = [];
  const fromDefaults = new Map<string, Array<{ at: string; relative: string }>>();
  // defaults come before the environments in the file, and so do their problems
  const defaultsAt = lines.length;
  entries.forEach((entry, i) => {
    const at = i < file.environments.length ? `environments[${entry.suffix}]` : ENV_VARS.ENVIRONMENT_SUFFIX;
    const source = i < file.environments.length ? shown : 'environment';
    if (seen.has(entry.suffix)) {
      lines.push(
        `${shown}: environments[${seen.get(entry.suffix)}] and environments[${i}]: both use suffix (got ${formatValue(entry.suffix)}); give every environment its own suffix`,
      );
      return;
    }
    seen.set(entry.suffix, i);
    const env = merge(
      SEED_DEFAULTS,
      PROFILE_DEFAULTS[entry.profile],
      { environmentTag: entry.profile },
      file.defaults,
      entry,
      { registry },
    ) as EnvironmentConfig;
    if (env.accountId === undefined) {
      lines.push(
        formatProblem(source, {
          setting: `${at}.accountId`,
          value: undefined,
          problem: 'is required',
          fix: 'set accountId in defaults or on the environment',
        }),
      );
      return;
    }
    for (const p of validateEnvironment(env, at)) {
      const relative = p.setting.slice(at.length + 1);
      if (!hasSetting(entry, relative) && hasSetting(file.defaults, relative)) {
        // the value is written once, in defaults: report it there, once for all environments that inherit it
        // a problem naming another setting also from defaults (a subnet it overlaps) names it there too
        const problem = p.problem.replaceAll(
          new RegExp(`${escapeRegExp(at)}\\.([\\w.[\\]]+)`, 'g'),
          (m, other: string) =>
            !hasSetting(entry, other) && hasSetting(file.defaults, other) ? `defaults.${other}` : m,
        );
        const line = formatProblem(shown, { ...p, problem, setting: `defaults.${relative}` });
        fromDefaults.set(line, [...(fromDefaults.get(line) ?? []), { at, relative }]);
      } else {
        lines.push(formatProblem(source, p));
      }
    }
    environments.push(env);
  });
  const defaultsLines = [...fromDefaults].map(([line, users]) => {
    const { relative } = users[0];
    const inheritors = entries.filter((e) => !hasSetting(e, relative));
    // a problem only some inheritors have (it depends on their own settings) says which
    return users.length === inheritors.length
      ? line
      : line.replace(
          `defaults.${relative}: `,
          `defaults.${relative} (as used by ${users.map((u) => u.at).join(', ')}): `,
        );
  });
  lines.splice(defaultsAt, 0, ...defaultsLines);

  // the preview every pull request gets, built for the longest expected number (name limits); not in dist/
  const prototypeAt = 'previews.environment';
  const prototype = merge(
    SEED_DEFAULTS,
    PROFILE_DEFAULTS.preview,
    { environmentTag: 'preview' },
    file.defaults,
    file.previews?.environment,
    { suffix: previewSuffix(PROTOTYPE_NUMBER), profile: 'preview', registry },
  ) as EnvironmentConfig;
  if (prototype.accountId !== undefined) {
    lines.push(
      // only what previews.environment itself sets: a value from defaults is reported there, once
      ...validateEnvironment(prototype, prototypeAt)
        .filter((p) => hasSetting(file.previews?.environment, p.setting.slice(prototypeAt.length + 1)))
        .map((p) => formatProblem(shown, p)),
    );
  }
  const previewsResolved = resolvePreviews(
    file.previews,
    file.platform,
    prototype,
    environments.filter((e) => e.suffix !== extra),
  );
  lines.push(...previewsResolved.problems.map((p) => formatProblem(shown, p)));

  const platform: PlatformConfig = file.platform;
  if (!ROLE_ARN.test(platform.providerRoleArn)) {
    lines.push(
      formatProblem(shown, {
        setting: 'platform.providerRoleArn',
        value: platform.providerRoleArn,
        problem: 'is not an iam role arn',
        fix: 'use arn:aws:iam::<account-id>:role/<name> (the role the crossplane providers get through IRSA)',
      }),
    );
  }
  if (!/^(https:\/\/|ssh:\/\/|git@)[^\s]+$/.test(platform.repoURL)) {
    lines.push(
      formatProblem(shown, {
        setting: 'platform.repoURL',
        value: platform.repoURL,
        problem: 'is not a git repository url',
        fix: 'use the https:// or git@ url Argo CD clones',
      }),
    );
  }
  if (lines.length > 0) {
    throw new ConfigError(lines);
  }
  return { platform, registry, environments, previews: previewsResolved.previews };
}
