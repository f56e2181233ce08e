import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { PROFILE_DEFAULTS, REGISTRY_DEFAULTS, SEED_DEFAULTS } from './defaults';
import { ConfigError, ConfigProblem, formatProblem, formatValue } from './errors';
import { configFile, ConfigFile, EnvironmentSettings } from './schema';
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

function describeType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v;
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

const SHAPES: Readonly<Record<string, string>> = {
  string: 'a quoted string',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
  number: 'a number',
  boolean: 'true or false',
};

function zodProblems(error: z.ZodError, data: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const setting = settingPath(issue.path, data);
    const value = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          problems.push({
            setting: setting === '(file)' ? key : `${setting}.${key}`,
            value: (isPlainObject(value) ? value[key] : undefined) ?? null,
            problem: 'is not a known setting',
            fix: 'remove it or correct its spelling (see the configuration reference in README.md)',
          });
        }
        break;
      case 'invalid_type':
        problems.push({
          setting,
          value,
          problem:
            value === undefined
              ? `is required (${issue.expected})`
              : `must be ${issue.expected}, not ${describeType(value)}`,
          fix:
            value === undefined ? `set ${setting}` : `write it as ${SHAPES[issue.expected] ?? `a ${issue.expected}`}`,
        });
        break;
      case 'invalid_value':
        problems.push({
          setting,
          value,
          problem: 'is not an allowed value',
          fix: `use one of ${issue.values.map((v) => String(v)).join(', ')}`,
        });
        break;
      default:
        problems.push({ setting, value, problem: issue.message.toLowerCase(), fix: 'correct the value' });
    }
  }
  return problems;
}

function readFile(configPath: string, source: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(configPath, 'utf8');
  } catch {
    throw new ConfigError([
      `${source}: cannot read the configuration file; create it or set ${ENV_VARS.CONFIG} to its path`,
    ]);
  }
  // JSON is YAML 1.2, so .json files parse here too; duplicate keys are errors, not last-one-wins
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        const where = `line ${pos.line}, column ${pos.col}`;
        return `${source}: ${where}: malformed yaml/json: ${e.message.split('\n')[0].toLowerCase()}; fix the syntax at that position`;
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
    entries.push({ suffix: extra, profile: 'preview' });
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
    const problems = validateEnvironment(env, at);
    lines.push(...problems.map((p) => formatProblem(source, p)));
    environments.push(env);
  });

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
  return { platform, registry, environments };
}
