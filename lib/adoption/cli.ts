import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'cdk8s';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { EnvironmentContext } from '../common/context';
import { ADOPTION_DIR, AdoptedResource, Adoption, AdoptionPhase } from '../config/adoption';
import { UserError } from '../config/errors';
import { loadConfig } from '../config/load';
import { Config } from '../config/types';
import { EnvironmentStack, EnvironmentStackOptions } from '../stack/environment';
import { desiredResources } from './desired';
import { LookedUpRule, Matching, matchResources } from './match';
import { AdoptionReport, buildReport, formatReport } from './report';
import { parseState, StateResource } from './state';

export interface AdoptOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Folder a relative `CATALOG_CONFIG` resolves against, as in every script (the process's working folder). */
  readonly cwd: string;
  /**
   * Folder the `--state`, `--lookup` and `--report` paths are relative to: where the user ran npm (`INIT_CWD`), since
   * npm runs scripts in the project folder. @default - `cwd`
   */
  readonly filesDir?: string;
  readonly projectDir: string;
  readonly log: (line: string) => void;
  readonly error: (line: string) => void;
}

const USAGE = 'npm run adopt -- --state <file> --suffix <suffix> [--report <file.json>] [--lookup <file.json>]';

function readText(file: string, what: string, cwd: string): string {
  try {
    return fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch {
    throw new UserError([`${what}: cannot read ${JSON.stringify(file)}; pass the path of an existing file`]);
  }
}

/** `SecurityGroupRules[]` of `aws ec2 describe-security-group-rules --output json`. */
export function parseLookup(text: string, source: string): LookedUpRule[] {
  let data: any;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError([
      `${source}: is not json; pass the output of \`aws ec2 describe-security-group-rules --output json\``,
    ]);
  }
  if (!Array.isArray(data?.SecurityGroupRules)) {
    throw new UserError([
      `${source}: has no SecurityGroupRules list (got keys ${JSON.stringify(Object.keys(data ?? {}))}); pass the output of \`aws ec2 describe-security-group-rules --output json\``,
    ]);
  }
  return data.SecurityGroupRules;
}

export interface AdoptResult {
  readonly report: AdoptionReport;
  readonly adoption: Adoption;
}

/**
 * Matches the state to environment `suffix` as configured (a fresh synth, no adoption applied) and returns the
 * report and the adoption file's content. `phase` is kept from an earlier adoption file, else `observe`.
 */
export function adopt(
  config: Config,
  suffix: string,
  stateText: string,
  stateFile: string,
  lookup: readonly LookedUpRule[] = [],
  phase: AdoptionPhase = 'observe',
): AdoptResult {
  const env = config.environments.find((e) => e.suffix === suffix);
  if (!env) {
    throw new UserError([
      `--suffix: names no configured environment (got ${JSON.stringify(suffix)}); use one of ${config.environments.map((e) => e.suffix).join(', ')}, or add the environment to config/environments.yaml first`,
    ]);
  }
  const state = parseState(stateText, stateFile);
  // the environment as a fresh synth renders it (buildApp builds each environment the same way, in an App of its own)
  const build = (opts: EnvironmentStackOptions = {}) => {
    const stack = new EnvironmentStack(new App({ outdir: 'unused' }), env, opts);
    return { stack, desired: desiredResources(stack.outputs.flatMap((o) => o.chart.toJson())) };
  };
  let { stack, desired } = build();
  let matching = matchResources(desired, state.resources, lookup, suffix);
  const keptSecret = keptPasswordSecret(stack.context, matching, state.resources, stateFile);
  if (keptSecret) {
    // the cluster keeps Terraform's password: the environment then also has the secret it is in, and the
    // parameter and task role read that secret; matched again, the rest matches as before
    ({ stack, desired } = build({ keptDatabaseSecretArn: keptSecret }));
    matching = matchResources(desired, state.resources, lookup, suffix);
  }
  const { report, resources } = buildReport({
    env: stack.context.config,
    namespace: stack.context.namespace,
    stateFile,
    state,
    desired,
    matching,
    phase,
  });
  if (!report.resources.some((r) => r.action === 'adopt')) {
    throw new UserError([
      `${stateFile}: holds none of environment ${suffix}'s resources (no name, tag or id matched); check --suffix and that the state is this environment's`,
    ]);
  }
  return {
    report,
    adoption: { suffix, phase, keepDatabasePassword: report.keepDatabasePassword, resources },
  };
}

/** The AWS managed key Secrets Manager uses when a secret names none: readable without a KMS grant. */
const AWS_MANAGED_SECRETS_KEY = /^(alias\/aws\/secretsmanager)?$/;

/**
 * For a matched cluster whose password Terraform generated (not RDS-managed), the ARN of the Secrets Manager secret
 * Terraform keeps it in: the seed's `db-credentials-<suffix>` (matched by name, never another environment's).
 * Undefined when the cluster is not adopted or its password is RDS-managed. Refuses, naming the fix, when the state
 * has no such secret (the password would have no known home) or when a customer managed KMS key encrypts it (the
 * task role would need a grant on that key, which adoption does not write).
 */
function keptPasswordSecret(
  ctx: EnvironmentContext,
  matching: Matching,
  state: readonly StateResource[],
  stateFile: string,
): string | undefined {
  const cluster = matching.outcomes.get(`rds.aws.m.upbound.io/Cluster/${ctx.names.dbCluster}`);
  if (cluster?.action !== 'adopt' || cluster.state.attributes.manage_master_user_password === true) return undefined;
  const name = ctx.names.dbCredentialsSecret;
  const hits = state.filter(
    (r) =>
      r.type === 'aws_secretsmanager_secret' &&
      r.attributes.name === name &&
      [undefined, ctx.config.suffix].includes((r.attributes.tags_all ?? r.attributes.tags)?.EnvironmentSuffix),
  );
  if (hits.length !== 1) {
    throw new UserError([
      `${stateFile}: cluster ${ctx.names.dbCluster} keeps the password Terraform generated, but the state holds ${hits.length} aws_secretsmanager_secret named ${JSON.stringify(name)} (want 1); pass the state of the stack that created the cluster, with its secret`,
    ]);
  }
  const secret = hits[0];
  const key = String(secret.attributes.kms_key_id ?? '');
  if (!AWS_MANAGED_SECRETS_KEY.test(key)) {
    throw new UserError([
      `${stateFile}: ${secret.address}: is encrypted with the customer managed KMS key ${JSON.stringify(key)}, on which the task role would need kms:Decrypt; adoption grants none, so nothing was adopted; keep this environment in Terraform until the secret uses the AWS managed key aws/secretsmanager`,
    ]);
  }
  return String(secret.attributes.id);
}

/** The adoption file's text: sorted keys, so the same state gives the same bytes. */
export function adoptionYaml(a: Adoption, stateFile: string): string {
  const sorted: Record<string, AdoptedResource> = {};
  for (const k of Object.keys(a.resources).sort()) sorted[k] = a.resources[k];
  const body = stringify(
    {
      suffix: a.suffix,
      phase: a.phase,
      state: path.basename(stateFile),
      keepDatabasePassword: a.keepDatabasePassword,
      resources: sorted,
    },
    { lineWidth: 0 },
  );
  return (
    `# Adoption of environment ${a.suffix} from Terraform state, written by \`npm run adopt\`; review its report, commit,\n` +
    '# then `npm run synth`. Set phase to manage once every resource is Synced and Ready in observe (README.md).\n' +
    body
  );
}

/**
 * The adoption file an earlier run wrote (its phase and password switch are kept), or undefined when there is none.
 * @throws UserError when it is not valid YAML or names an unknown phase
 */
function readEarlier(file: string, shown: string): { phase?: unknown; keepDatabasePassword?: unknown } | undefined {
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = lineCounter.linePos(e.pos[0]);
    throw new UserError([
      `${shown}:${at.line}:${at.col}: malformed yaml: ${e.message
        .split('\n')[0]
        .replace(/ at line \d+, column \d+:?$/, '')
        .toLowerCase()}; ` + 'fix the file (a merge conflict left in it, say), or delete it to adopt from scratch',
    ]);
  }
  const earlier = doc.toJS() ?? {};
  if (earlier.phase !== undefined && earlier.phase !== 'observe' && earlier.phase !== 'manage') {
    throw new UserError([
      `${shown}: phase: is not an allowed value (got ${JSON.stringify(earlier.phase)}); use one of observe, manage, then adopt again`,
    ]);
  }
  return earlier;
}

/**
 * Writes every `[path, text, setting]` or none: each goes to `<path>.tmp` first, and only when all are written are
 * they renamed into place. @throws UserError naming the setting and the OS error when one cannot be written
 */
function writeAllOrNothing(files: readonly (readonly [string, string, string])[]): void {
  const written: string[] = [];
  try {
    for (const [file, text, setting] of files) {
      try {
        if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
          throw new Error('it is a folder');
        }
        fs.writeFileSync(`${file}.tmp`, text);
        written.push(`${file}.tmp`);
      } catch (e) {
        const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        throw new UserError([
          `${setting}: cannot write ${JSON.stringify(file)} (${reason}); pass a file path in a folder that exists`,
        ]);
      }
    }
  } catch (e) {
    written.forEach((t) => fs.rmSync(t, { force: true }));
    throw e;
  }
  for (const [file] of files) fs.renameSync(`${file}.tmp`, file);
}

export function adoptMain(argv: readonly string[], opts: AdoptOptions): number {
  try {
    let values: { state?: string; suffix?: string; report?: string; lookup?: string; help?: boolean };
    let tokens: readonly { kind: string; name?: string }[];
    try {
      ({ values, tokens } = parseArgs({
        args: [...argv],
        options: {
          state: { type: 'string' },
          suffix: { type: 'string' },
          report: { type: 'string' },
          lookup: { type: 'string' },
          help: { type: 'boolean' },
        },
        strict: true,
        allowPositionals: false,
        tokens: true,
      }));
      if (values.help) {
        opts.log(`usage: ${USAGE}`);
        return 0;
      }
    } catch (e) {
      throw new UserError([`adopt: ${(e as Error).message.toLowerCase()}; usage: ${USAGE}`]);
    }
    // the last of two values would win without a word: say which option was given twice
    const given = tokens.filter((t) => t.kind === 'option').map((t) => t.name ?? '');
    const twice = given.filter((n, i) => given.indexOf(n) !== i);
    if (twice.length > 0) {
      throw new UserError([`--${twice[0]}: given more than once; pass it once`]);
    }
    if (!values.state || !values.suffix) {
      throw new UserError([
        `adopt: --state and --suffix are required (got ${values.state ? '--state' : values.suffix ? '--suffix' : 'neither'}); usage: ${USAGE}`,
      ]);
    }
    const config = loadConfig({ env: opts.env, cwd: opts.cwd, projectDir: opts.projectDir });
    const filesDir = opts.filesDir ?? opts.cwd;
    const stateText = readText(values.state, '--state', filesDir);
    const lookup = values.lookup ? parseLookup(readText(values.lookup, '--lookup', filesDir), values.lookup) : [];
    const target = path.join(opts.projectDir, ADOPTION_DIR, `${values.suffix}.yaml`);
    // a user who moved on to manage keeps that phase when adopting again (after a lookup, say), and one who switched
    // the cluster to an RDS-managed password keeps that switch: the state still says Terraform's password, and
    // bringing it back would point DB_SECRET_ARN at the old secret, whose password no longer works
    const earlier = readEarlier(target, path.relative(opts.projectDir, target));
    const phase: AdoptionPhase = earlier?.phase === 'manage' ? 'manage' : 'observe';
    const found = adopt(config, values.suffix, stateText, values.state, lookup, phase);
    if (values.lookup && found.report.lookups.length > 0) {
      // adopting with a lookup that covers none or only some of the rules would write them back as still to look
      // up, losing ids an earlier run may have recorded: refuse, and say which output is missing
      const left = found.report.lookups.flatMap((l) => l.resources).length;
      throw new UserError([
        `--lookup: holds no id for ${left} security-group rule${left === 1 ? '' : 's'} still to look up (got ${JSON.stringify(values.lookup)}); ` +
          `run ${found.report.lookups.map((l) => `\`${l.command}\``).join(' and ')} again and pass its output`,
      ]);
    }
    const switched = earlier?.keepDatabasePassword === false && found.adoption.keepDatabasePassword;
    const report = found.report;
    const adoption: Adoption = switched ? { ...found.adoption, keepDatabasePassword: false } : found.adoption;
    const text = adoptionYaml(adoption, values.state);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const files: [string, string, string][] = [[target, text, path.relative(opts.projectDir, target)]];
    if (values.report) {
      files.push([path.resolve(filesDir, values.report), `${JSON.stringify(report, null, 2)}\n`, '--report']);
    }
    writeAllOrNothing(files);
    formatReport(report).forEach((l) => opts.log(l));
    if (switched) {
      opts.log(
        `keepDatabasePassword stays false, as ${path.relative(opts.projectDir, target)} had it: the cluster was switched to an RDS-managed password (README, "Adopting the CDKTF stack", step 7)`,
      );
    }
    opts.log('');
    opts.log(
      `wrote ${path.relative(opts.projectDir, target)}${values.report ? ` and ${values.report}` : ''}; next: review, commit, npm run synth`,
    );
    return 0;
  } catch (err) {
    if (err instanceof UserError) {
      opts.error('adopt failed; nothing was written');
      err.lines.forEach((l) => opts.error(`  ${l}`));
      return 1;
    }
    throw err;
  }
}
