import { UserError } from '../config/errors';

/** One Terraform resource instance, whichever of the two state formats it was read from. */
export interface StateResource {
  /** Terraform address, e.g. `aws_vpc.network_vpc_6B1A4C2E` or `aws_subnet.public[0]`; used only in commands. */
  readonly address: string;
  /** Terraform type, e.g. `aws_vpc`. */
  readonly type: string;
  /** Provider source address, e.g. `registry.terraform.io/hashicorp/aws`. */
  readonly provider: string;
  /** Attribute values, snake_case, blocks as lists, as Terraform stores them. */
  readonly attributes: Readonly<Record<string, any>>;
}

/** The formats accepted: `terraform show -json` output, and the raw state file (version 4) the seed keeps in S3. */
export type StateFormat = 'show-json' | 'raw-v4';

export interface ParsedState {
  readonly format: StateFormat;
  readonly resources: readonly StateResource[];
}

function fail(source: string, problem: string, fix: string): never {
  throw new UserError([`${source}: ${problem}; ${fix}`]);
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `registry.terraform.io/hashicorp/aws` from the raw state's `provider["registry.terraform.io/hashicorp/aws"]`. */
function providerSource(p: unknown): string {
  const m = /provider\["([^"]+)"\]/.exec(String(p ?? ''));
  return m ? m[1] : String(p ?? '');
}

function indexSuffix(key: unknown): string {
  if (key === undefined || key === null) {
    return '';
  }
  return typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(key)}]`;
}

/** Managed resources of a `terraform show -json` module, with its child modules. */
function fromShowModule(module: any, out: StateResource[]): void {
  for (const r of module?.resources ?? []) {
    if (r?.mode !== 'managed') {
      continue;
    }
    out.push({ address: r.address, type: r.type, provider: r.provider_name ?? '', attributes: r.values ?? {} });
  }
  for (const child of module?.child_modules ?? []) {
    fromShowModule(child, out);
  }
}

/**
 * Reads Terraform state. `terraform show -json` has `values.root_module`; the raw state file has `version: 4` and
 * `resources[].instances[]`. Data sources are not resources and are skipped. Throws UserError naming the file and
 * what is wrong with it.
 */
export function parseState(text: string, source: string): ParsedState {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    fail(
      source,
      `is not json (${(e as Error).message.toLowerCase()})`,
      'pass the output of `terraform show -json` or the raw state file (`terraform state pull`)',
    );
  }
  if (!isObject(data)) {
    fail(source, 'is not a terraform state (got a json value that is not an object)', 'pass a terraform state file');
  }
  const resources: StateResource[] = [];
  if ('format_version' in data) {
    if (!isObject(data.values)) {
      fail(
        source,
        'has no values (terraform show -json of an empty state, or of a plan)',
        'run `terraform show -json` in the workspace of the deployed stack',
      );
    }
    fromShowModule(data.values.root_module, resources);
    return { format: 'show-json', resources };
  }
  if (data.version === 4 && Array.isArray(data.resources)) {
    for (const r of data.resources) {
      if (r?.mode !== 'managed') {
        continue;
      }
      const base = `${r.module ? `${r.module}.` : ''}${r.type}.${r.name}`;
      for (const instance of r.instances ?? []) {
        resources.push({
          address: `${base}${indexSuffix(instance.index_key)}`,
          type: r.type,
          provider: providerSource(r.provider),
          attributes: instance.attributes ?? {},
        });
      }
    }
    return { format: 'raw-v4', resources };
  }
  return fail(
    source,
    `is not a state this tool reads (got version ${JSON.stringify(data.version ?? null)})`,
    'pass `terraform show -json` output or a version 4 state file (terraform 0.12 and later)',
  );
}
