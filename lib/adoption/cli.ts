import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { buildApp } from '../app';
import { ADOPTION_DIR, AdoptedResource, Adoption, AdoptionPhase } from '../config/adoption';
import { UserError } from '../config/errors';
import { loadConfig } from '../config/load';
import { Config } from '../config/types';
import { desiredResources } from './desired';
import { LookedUpRule, matchResources } from './match';
import { AdoptionReport, buildReport, formatReport } from './report';
import { parseState } from './state';

export interface AdoptOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
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
  const built = buildApp(config);
  const stack = built.environments.find((e) => e.context.config.suffix === suffix);
  if (!stack) {
    throw new UserError([
      `--suffix: names no configured environment (got ${JSON.stringify(suffix)}); use one of ${config.environments.map((e) => e.suffix).join(', ')}`,
    ]);
  }
  const state = parseState(stateText, stateFile);
  const desired = desiredResources(stack.outputs.flatMap((o) => o.chart.toJson()));
  const matching = matchResources(desired, state.resources, lookup, suffix);
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

export function adoptMain(argv: readonly string[], opts: AdoptOptions): number {
  try {
    let values: Record<string, string | undefined>;
    try {
      values = parseArgs({
        args: [...argv],
        options: {
          state: { type: 'string' },
          suffix: { type: 'string' },
          report: { type: 'string' },
          lookup: { type: 'string' },
        },
        strict: true,
        allowPositionals: false,
      }).values as Record<string, string | undefined>;
    } catch (e) {
      throw new UserError([`adopt: ${(e as Error).message.toLowerCase()}; usage: ${USAGE}`]);
    }
    if (!values.state || !values.suffix) {
      throw new UserError([
        `adopt: --state and --suffix are required (got ${values.state ? '--state' : values.suffix ? '--suffix' : 'neither'}); usage: ${USAGE}`,
      ]);
    }
    const config = loadConfig({ env: opts.env, cwd: opts.cwd, projectDir: opts.projectDir });
    const stateText = readText(values.state, '--state', opts.cwd);
    const lookup = values.lookup ? parseLookup(readText(values.lookup, '--lookup', opts.cwd), values.lookup) : [];
    const target = path.join(opts.projectDir, ADOPTION_DIR, `${values.suffix}.yaml`);
    // a user who moved on to manage keeps that phase when adopting again (after a lookup, say)
    const earlier = fs.existsSync(target) ? parse(fs.readFileSync(target, 'utf8'))?.phase : undefined;
    const phase: AdoptionPhase = earlier === 'manage' ? 'manage' : 'observe';
    const { report, adoption } = adopt(config, values.suffix, stateText, values.state, lookup, phase);
    const text = adoptionYaml(adoption, values.state);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // written whole or not at all
    fs.writeFileSync(`${target}.tmp`, text);
    fs.renameSync(`${target}.tmp`, target);
    if (values.report) {
      const reportPath = path.resolve(opts.cwd, values.report);
      fs.writeFileSync(`${reportPath}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
      fs.renameSync(`${reportPath}.tmp`, reportPath);
    }
    formatReport(report).forEach((l) => opts.log(l));
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
