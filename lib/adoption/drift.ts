import type { Desired } from './kinds';
import type { StateResource } from './state';

/**
 * Where the state and our desired spec differ, field by field. Field names follow upjet's mapping of Terraform
 * attributes: snake_case becomes camelCase, and a block becomes a list (or, for the singleton blocks the v2
 * namespaced APIs turned into objects, an object; the one-item list in the state is unwrapped to compare).
 */

/**
 * - `in-place`: `manage` changes it in place.
 * - `follow-state`: Terraform marks it ForceNew; provider-upjet-aws refuses the change (`Synced=False`, upjet's
 *   `assertNoForceNew`, crossplane/upjet@59c45527ebe4 pkg/controller/external_tfpluginsdk.go:719-736), so the
 *   configuration must follow the state.
 * - `model-only`: the state has no value for it; only our model sets it (applied in place on `manage`).
 */
export type DriftClass = 'in-place' | 'follow-state' | 'model-only';

export interface Drift {
  /** Our field, e.g. `spec.forProvider.cidrBlock`. */
  readonly field: string;
  /** The Terraform attribute, e.g. `cidr_block`. */
  readonly attribute: string;
  readonly state: unknown;
  readonly desired: unknown;
  readonly class: DriftClass;
  /** For `follow-state`: where Terraform declares it ForceNew. */
  readonly citation?: string;
}

/** terraform-provider-aws as provider-upjet-aws v2.6.0 pins it (go.mod:494, the upbound fork). */
const TF = 'github.com/upbound/terraform-provider-aws@v0.0.0-20260305123303-f7691456b787 internal/service/';

/** Attributes Terraform marks ForceNew, per type, with where (the arguments our model sets). */
export const FORCE_NEW: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  aws_vpc: { cidr_block: `${TF}ec2/vpc_.go:93` },
  aws_subnet: { cidr_block: `${TF}ec2/vpc_subnet.go:83`, availability_zone: `${TF}ec2/vpc_subnet.go:69` },
  aws_security_group: {
    name: `${TF}ec2/vpc_security_group.go:79`,
    description: `${TF}ec2/vpc_security_group.go:70`,
  },
  aws_rds_cluster: {
    cluster_identifier: `${TF}rds/cluster.go:123`,
    database_name: `${TF}rds/cluster.go:167`,
    engine: `${TF}rds/cluster.go:242`,
    master_username: `${TF}rds/cluster.go:380`,
  },
  aws_rds_cluster_instance: {
    identifier: `${TF}rds/cluster_instance.go:139`,
    availability_zone: `${TF}rds/cluster_instance.go:70`,
  },
  aws_s3_bucket: { bucket: `${TF}s3/bucket.go:109` },
  aws_lb: { name: `${TF}elbv2/load_balancer.go:299`, internal: `${TF}elbv2/load_balancer.go:255` },
  aws_lb_target_group: {
    name: `${TF}elbv2/target_group.go:190`,
    target_type: `${TF}elbv2/target_group.go:403`,
  },
  aws_cloudwatch_log_group: { name: `${TF}logs/group.go:65` },
  aws_ecs_cluster: { name: `${TF}ecs/cluster.go:123` },
  aws_ecs_service: { name: `${TF}ecs/service.go:215` },
};

/** Fields compared: everything in forProvider except references, selectors and the region (the provider's). */
const SKIP = /(Ref|Refs|Selector)$/;
const SKIPPED_FIELDS = new Set(['region']);

export const snakeCase = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A state value under the provider's field names, as upjet maps Terraform's: nested keys from snake_case to
 * camelCase (tag keys are AWS's own and stay). Only names change; list and object shapes stay as the state has them.
 */
export function providerNames(v: unknown, attribute: string): unknown {
  if (/^tags(_all)?\b/.test(attribute)) return v;
  if (Array.isArray(v)) return v.map((x) => providerNames(x, attribute));
  if (isObject(v)) {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()),
        providerNames(x, k),
      ]),
    );
  }
  return v;
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);

function parsedJson(v: unknown): unknown {
  if (typeof v !== 'string' || !/^\s*[[{]/.test(v)) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** JSON with keys sorted, so policy documents compare by content. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function sameScalar(a: unknown, b: unknown): boolean {
  const ja = parsedJson(a);
  const jb = parsedJson(b);
  if (ja !== undefined && jb !== undefined) return canonical(ja) === canonical(jb);
  return String(a) === String(b);
}

/** Differences under one field; `ours` decides which keys are compared (the state has many computed ones). */
function compare(ours: unknown, theirs: unknown, field: string, attribute: string, out: Omit<Drift, 'class'>[]): void {
  if (absent(theirs)) {
    out.push({ field, attribute, state: theirs ?? null, desired: ours });
    return;
  }
  if (isObject(ours)) {
    const t = Array.isArray(theirs) && theirs.length === 1 ? theirs[0] : theirs;
    if (!isObject(t)) {
      out.push({ field, attribute, state: theirs, desired: ours });
      return;
    }
    for (const [k, v] of Object.entries(ours)) {
      if (SKIP.test(k)) continue;
      // tag keys are AWS's, not attribute names
      const tk = attribute === 'tags' || attribute === 'tags_all' ? k : snakeCase(k);
      compare(v, t[tk], `${field}.${k}`, `${attribute}.${tk}`, out);
    }
    return;
  }
  if (Array.isArray(ours)) {
    if (!Array.isArray(theirs)) {
      out.push({ field, attribute, state: theirs, desired: ours });
      return;
    }
    if (ours.every((v) => !isObject(v))) {
      const a = ours.map(String).sort();
      const b = theirs.map(String).sort();
      if (a.length !== b.length || a.some((v, i) => v !== b[i]))
        out.push({ field, attribute, state: theirs, desired: ours });
      return;
    }
    if (ours.length !== theirs.length) {
      out.push({ field, attribute, state: theirs, desired: ours });
      return;
    }
    ours.forEach((v, i) => compare(v, theirs[i], `${field}[${i}]`, `${attribute}[${i}]`, out));
    return;
  }
  if (!sameScalar(ours, theirs)) out.push({ field, attribute, state: theirs, desired: ours });
}

/** Whether version `a` (`16.6`) is newer than `b` (`16.4`), comparing numeric parts. */
function newerVersion(a: unknown, b: unknown): boolean {
  const pa = String(a).split('.').map(Number);
  const pb = String(b).split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return false;
}

/** Each field of our spec that differs from the state resource it adopts, classified. */
export function driftOf(d: Desired, r: StateResource): Drift[] {
  const raw: Omit<Drift, 'class'>[] = [];
  for (const [k, v] of Object.entries(d.forProvider)) {
    if (SKIP.test(k) || SKIPPED_FIELDS.has(k)) continue;
    // tags as AWS has them: tags_all includes the provider's default_tags, which CDKTF stacks often set
    const attr = k === 'tags' && r.attributes.tags_all ? 'tags_all' : snakeCase(k);
    compare(v, r.attributes[attr], `spec.forProvider.${k}`, attr, raw);
  }
  const forceNew = FORCE_NEW[r.type] ?? {};
  return raw.map((named) => {
    const x = { ...named, state: providerNames(named.state, named.attribute) };
    const top = x.attribute.split(/[.[]/)[0];
    if (absent(x.state)) return { ...x, class: 'model-only' };
    if (forceNew[top]) return { ...x, class: 'follow-state', citation: forceNew[top] };
    // Terraform updates engine_version in place, but only upwards: RDS refuses a downgrade, so an older desired
    // version must follow the one that runs
    if (r.type === 'aws_rds_cluster' && top === 'engine_version' && newerVersion(x.state, x.desired)) {
      return { ...x, class: 'follow-state', citation: 'RDS ModifyDBCluster refuses engine version downgrades' };
    }
    return { ...x, class: 'in-place' };
  });
}
