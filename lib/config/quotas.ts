import { count } from './errors';
import { EnvironmentConfig } from './types';

/**
 * AWS default quotas an environment's network counts against, per account and region (AWS General Reference,
 * "Amazon Virtual Private Cloud endpoints and quotas", https://docs.aws.amazon.com/general/latest/gr/vpc-service.html,
 * and "Amazon EC2 endpoints and quotas", https://docs.aws.amazon.com/general/latest/gr/ec2-service.html). Each
 * environment has one VPC with one internet gateway, and one NAT gateway with its own Elastic IP per NAT: one for
 * `natGateways: single` (in the first zone), one per zone for `per-az`.
 */
export interface DefaultQuota {
  /** Name in Service Quotas. */
  readonly name: string;
  /** Service Quotas service and quota code, for `aws service-quotas request-service-quota-increase`. */
  readonly service: 'vpc' | 'ec2';
  readonly code: string;
  readonly defaultValue: number;
  /** What one environment uses, per scope key (the region, or one zone). */
  readonly use: (env: EnvironmentConfig) => ReadonlyMap<string, number>;
  /** Plural noun for messages. */
  readonly unit: string;
}

/** The zones an environment puts NAT gateways (each with an Elastic IP) in. */
export function natZones(env: EnvironmentConfig): readonly string[] {
  return env.network.natGateways === 'per-az' ? env.availabilityZones : env.availabilityZones.slice(0, 1);
}

const perRegion = (n: (env: EnvironmentConfig) => number) => (env: EnvironmentConfig) =>
  new Map([[env.region, n(env)]]);

export const DEFAULT_QUOTAS: readonly DefaultQuota[] = [
  {
    name: 'VPCs per Region',
    service: 'vpc',
    code: 'L-F678F1CE',
    defaultValue: 5,
    unit: 'VPCs',
    use: perRegion(() => 1),
  },
  {
    name: 'Internet gateways per Region',
    service: 'vpc',
    code: 'L-A4707A72',
    defaultValue: 5,
    unit: 'internet gateways',
    use: perRegion(() => 1),
  },
  {
    name: 'EC2-VPC Elastic IPs',
    service: 'ec2',
    code: 'L-0263D0A3',
    defaultValue: 5,
    unit: 'Elastic IPs',
    use: perRegion((env) => natZones(env).length),
  },
  {
    name: 'NAT gateways per Availability Zone',
    service: 'vpc',
    code: 'L-FE5A380F',
    defaultValue: 5,
    unit: 'NAT gateways',
    use: (env) => new Map(natZones(env).map((z) => [z, 1])),
  },
];

/** Usage of one quota by a list of environments, per scope key. */
function usage(quota: DefaultQuota, envs: readonly EnvironmentConfig[]): Map<string, number> {
  const total = new Map<string, number>();
  for (const env of envs) {
    for (const [k, n] of quota.use(env)) total.set(k, (total.get(k) ?? 0) + n);
  }
  return total;
}

const fits = (envs: readonly EnvironmentConfig[]) =>
  DEFAULT_QUOTAS.every((q) => [...usage(q, envs).values()].every((n) => n <= q.defaultValue));

/**
 * Warnings (one line each, no trailing newline) for every account and region whose environments together exceed
 * an AWS default quota: what they need, the quota to raise and its code, and how many of them fit the defaults
 * (in configuration order). Empty when everything fits. The resources AWS creates then fail with a quota error
 * (the managed resource turns Synced=False) until the quota is raised.
 */
export function quotaWarnings(envs: readonly EnvironmentConfig[]): string[] {
  const groups = new Map<string, EnvironmentConfig[]>();
  for (const env of envs) {
    const k = `${env.accountId} ${env.region}`;
    groups.set(k, [...(groups.get(k) ?? []), env]);
  }
  const out: string[] = [];
  for (const [, group] of groups) {
    const { accountId, region } = group[0];
    const over: string[] = [];
    for (const q of DEFAULT_QUOTAS) {
      for (const [scope, n] of usage(q, group)) {
        if (n > q.defaultValue) {
          const where = scope === region ? region : `zone ${scope}`;
          over.push(
            `warning: account ${accountId} ${where}: ${group.length === 1 ? 'the one environment there needs' : `the ${group.length} environments there need`} ${n} ${q.unit}, over the default quota of ${q.defaultValue}; raise "${q.name}" (Service Quotas service ${q.service}, code ${q.code}) to at least ${n}`,
          );
        }
      }
    }
    if (over.length > 0) {
      let fit = 0;
      while (fit < group.length && fits(group.slice(0, fit + 1))) fit++;
      out.push(
        ...over,
        `warning: account ${accountId} ${region}: ${fit} of its ${count(group.length, 'environment')} (${group.map((e) => e.suffix).join(', ')}) fit the default quotas, counted in configuration order; a default VPC still present in the region takes one VPC and one internet gateway more`,
      );
    }
  }
  return out;
}
