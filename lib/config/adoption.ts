import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError, formatValue } from './errors';

/** Folder of the adoption files, one per adopted environment: `config/adoption/<suffix>.yaml`. */
export const ADOPTION_DIR = 'config/adoption';

/**
 * `observe`: Crossplane only reads what Terraform created (managementPolicies `["Observe"]`); `manage`: Crossplane
 * manages it, without `Delete` for stateful resources.
 */
export type AdoptionPhase = 'observe' | 'manage';
export const ADOPTION_PHASES: readonly AdoptionPhase[] = ['observe', 'manage'];

/** What the adoption does with one managed resource (exactly one of the three). */
export interface AdoptedResource {
  /** The `crossplane.io/external-name` of the AWS resource Terraform created. */
  readonly externalName?: string;
  /** Terraform address it had in the state (for `terraform state rm`). */
  readonly terraform?: string;
  /** Why ours is created anew and why that is safe. */
  readonly create?: string;
  /** The read-only AWS CLI command that prints the id, still to be run (then `npm run adopt -- --lookup`). */
  readonly lookup?: string;
}

/** One environment's adoption, as written by `npm run adopt` and edited (phase) by the user. */
export interface Adoption {
  readonly suffix: string;
  readonly phase: AdoptionPhase;
  /** Keyed `<api group>/<Kind>/<metadata.name>`. */
  readonly resources: Readonly<Record<string, AdoptedResource>>;
  /**
   * The cluster keeps the master password Terraform generated: RDS-managed passwords are not switched on (that would
   * make RDS generate a new one), and the Secrets Manager secret Terraform keeps it in is adopted (observed only) as
   * the one `resources` entry of kind `secretsmanager.aws.m.upbound.io/Secret`. Setting it to false switches the
   * cluster to an RDS-managed password, which changes the password (README, "Adopting the CDKTF stack", step 7).
   */
  readonly keepDatabasePassword: boolean;
}

/** Key prefix of the adoption file's entry for the secret of a kept password. */
export const KEPT_SECRET_KEY_PREFIX = 'secretsmanager.aws.m.upbound.io/Secret/';

/**
 * The ARN of the Terraform-created secret an adopted cluster keeps its password in, or undefined when the cluster's
 * password is RDS-managed (or is to become so: `keepDatabasePassword: false`).
 */
export function keptDatabaseSecretArn(a: Adoption): string | undefined {
  if (!a.keepDatabasePassword) return undefined;
  return Object.entries(a.resources).find(([k]) => k.startsWith(KEPT_SECRET_KEY_PREFIX))?.[1].externalName;
}

const resource = z.strictObject({
  externalName: z.string().min(1).optional(),
  terraform: z.string().min(1).optional(),
  create: z.string().min(1).optional(),
  lookup: z.string().min(1).optional(),
});

const adoptionFile = z.strictObject({
  suffix: z.string(),
  phase: z.enum(ADOPTION_PHASES as [AdoptionPhase, ...AdoptionPhase[]]),
  state: z.string().optional(),
  keepDatabasePassword: z.boolean(),
  resources: z.record(z.string(), resource),
});

/**
 * Reads every `config/adoption/<suffix>.yaml` of the project. Each must name a configured environment and say
 * exactly one of `externalName`, `create` or `lookup` per resource. Throws ConfigError with one line per problem.
 * No folder means no adopted environment.
 */
export function loadAdoptions(projectDir: string, suffixes: readonly string[]): Map<string, Adoption> {
  const dir = path.join(projectDir, ADOPTION_DIR);
  const out = new Map<string, Adoption>();
  if (!fs.existsSync(dir)) {
    return out;
  }
  const lines: string[] = [];
  for (const file of fs.readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(file)) continue;
    const shown = `${ADOPTION_DIR}/${file}`;
    const doc = parseDocument(fs.readFileSync(path.join(dir, file), 'utf8'), { uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) {
      lines.push(`${shown}: malformed yaml: ${doc.errors[0].message.split('\n')[0].toLowerCase()}; fix the syntax`);
      continue;
    }
    const parsed = adoptionFile.safeParse(doc.toJS(), { reportInput: true });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const setting = issue.path.map(String).join('.') || '(file)';
        const got = (issue as { input?: unknown }).input;
        lines.push(
          issue.code === 'invalid_value'
            ? `${shown}: ${setting}: is not an allowed value (got ${formatValue(got)}); use one of ${issue.values.join(', ')}`
            : `${shown}: ${setting}: ${issue.message.toLowerCase()}; write it as \`npm run adopt\` does (see README.md, "Adopting the CDKTF stack")`,
        );
      }
      continue;
    }
    const a = parsed.data;
    if (`${a.suffix}.yaml` !== file && `${a.suffix}.yml` !== file) {
      lines.push(
        `${shown}: suffix: does not match the file name (got ${formatValue(a.suffix)}); name the file ${a.suffix}.yaml`,
      );
      continue;
    }
    if (!suffixes.includes(a.suffix)) {
      lines.push(
        `${shown}: suffix: names no configured environment (got ${formatValue(a.suffix)}); add the environment to config/environments.yaml or delete this file`,
      );
      continue;
    }
    for (const [key, r] of Object.entries(a.resources)) {
      const said = (['externalName', 'create', 'lookup'] as const).filter((k) => r[k] !== undefined);
      if (said.length !== 1) {
        lines.push(
          `${shown}: resources.${key}: needs exactly one of externalName, create, lookup (got ${said.length === 0 ? 'none' : said.join(', ')}); run \`npm run adopt\` again`,
        );
      }
    }
    const secrets = Object.entries(a.resources).filter(
      ([k, r]) => k.startsWith(KEPT_SECRET_KEY_PREFIX) && r.externalName,
    );
    if (a.keepDatabasePassword && secrets.length !== 1) {
      lines.push(
        `${shown}: resources: needs exactly one ${KEPT_SECRET_KEY_PREFIX}<name> entry with an externalName, the secret the kept password is in (got ${secrets.length}); run \`npm run adopt\` again`,
      );
    }
    out.set(a.suffix, {
      suffix: a.suffix,
      phase: a.phase,
      resources: a.resources,
      keepDatabasePassword: a.keepDatabasePassword,
    });
  }
  if (lines.length > 0) {
    throw new ConfigError(lines);
  }
  return out;
}
