import { Desired, KIND_RULES, MatchContext, routeId, ruleKey } from './kinds';
import type { StateResource } from './state';

/**
 * A state resource as matching sees it. Terraform can model one AWS object inside another (a security group's
 * inline `ingress`/`egress`, a route table's inline `route`) or under another type (`aws_security_group_rule`);
 * those are split out here as resources of the type we match against, with `inlineIn` naming where they live and
 * `needsLookup` when the state does not hold the id the provider expects.
 */
export interface Candidate extends StateResource {
  /** Address of the resource that holds it, for one modelled inside another. */
  readonly inlineIn?: string;
  /** The state has no provider id for it (inline or `aws_security_group_rule`): the user looks it up. */
  readonly needsLookup?: boolean;
}

/** One rule from `aws ec2 describe-security-group-rules --output json` (`SecurityGroupRules[]`). */
export interface LookedUpRule {
  readonly SecurityGroupRuleId: string;
  readonly GroupId: string;
  readonly IsEgress: boolean;
  readonly IpProtocol: string;
  readonly FromPort: number;
  readonly ToPort: number;
  readonly CidrIpv4?: string;
  readonly ReferencedGroupInfo?: { readonly GroupId?: string };
}

export function lookedUpKey(r: LookedUpRule): string | undefined {
  const peer = r.CidrIpv4
    ? `cidr:${r.CidrIpv4}`
    : r.ReferencedGroupInfo?.GroupId
      ? `sg:${r.ReferencedGroupInfo.GroupId}`
      : undefined;
  return ruleKey(r.GroupId, r.IsEgress, r.IpProtocol, r.FromPort, r.ToPort, peer);
}

/** Terraform's protocol spelling to the one AWS reports (`-1` stays `-1`; names are lower-case). */
const proto = (p: unknown) => String(p).toLowerCase();

/** Inline and legacy-typed rules and routes as candidates of the types we match. */
export function candidates(state: readonly StateResource[]): Candidate[] {
  const out: Candidate[] = [];
  for (const r of state) {
    out.push(r);
    const a = r.attributes;
    if (r.type === 'aws_security_group') {
      for (const [block, egress] of [
        ['ingress', false],
        ['egress', true],
      ] as const) {
        for (const b of a[block] ?? []) {
          const peers: Array<Record<string, string>> = [
            ...(b.cidr_blocks ?? []).map((c: string) => ({ cidr_ipv4: c })),
            ...(b.security_groups ?? []).map((g: string) => ({ referenced_security_group_id: g })),
          ];
          for (const peer of peers) {
            out.push({
              address: `${r.address} (inline ${block} rule)`,
              type: egress ? 'aws_vpc_security_group_egress_rule' : 'aws_vpc_security_group_ingress_rule',
              provider: r.provider,
              attributes: {
                security_group_id: a.id,
                ip_protocol: proto(b.protocol),
                from_port: b.from_port,
                to_port: b.to_port,
                ...peer,
              },
              inlineIn: r.address,
              needsLookup: true,
            });
          }
        }
      }
    }
    if (r.type === 'aws_security_group_rule') {
      const peers: Array<Record<string, string>> = [
        ...(a.cidr_blocks ?? []).map((c: string) => ({ cidr_ipv4: c })),
        ...(a.source_security_group_id ? [{ referenced_security_group_id: a.source_security_group_id }] : []),
      ];
      for (const peer of peers) {
        out.push({
          address: r.address,
          type: a.type === 'egress' ? 'aws_vpc_security_group_egress_rule' : 'aws_vpc_security_group_ingress_rule',
          provider: r.provider,
          attributes: {
            security_group_id: a.security_group_id,
            ip_protocol: proto(a.protocol),
            from_port: a.from_port,
            to_port: a.to_port,
            ...peer,
          },
          needsLookup: true,
        });
      }
    }
    if (r.type === 'aws_route_table') {
      for (const route of a.route ?? []) {
        if (!route.cidr_block) {
          continue;
        }
        out.push({
          address: `${r.address} (inline route ${route.cidr_block})`,
          type: 'aws_route_table.route',
          provider: r.provider,
          attributes: {
            id: routeId(a.id, route.cidr_block),
            route_table_id: a.id,
            destination_cidr_block: route.cidr_block,
          },
          inlineIn: r.address,
        });
      }
    }
  }
  return out;
}

/** What adoption does with one of our managed resources. */
export type Outcome =
  | { readonly action: 'adopt'; readonly state: Candidate; readonly externalName: string; readonly by: string }
  | { readonly action: 'lookup'; readonly state: Candidate; readonly by: string }
  | { readonly action: 'create'; readonly reason: string };

export interface Matching {
  readonly outcomes: ReadonlyMap<string, Outcome>;
  /** State resources no resource of ours corresponds to. */
  readonly unmatched: readonly Candidate[];
}

/**
 * Matches our managed resources to state resources by type and identifying attributes, kind by kind in dependency
 * order (a subnet is identified by its VPC's id, so VPCs match first). A pair is made only when an identity names
 * exactly one remaining state resource; ties and absences are never resolved by position. With `suffix`, a resource
 * whose `EnvironmentSuffix` tag names another environment is never matched.
 */
export function matchResources(
  desired: readonly Desired[],
  state: readonly StateResource[],
  lookedUp: readonly LookedUpRule[] = [],
  suffix?: string,
): Matching {
  const all = candidates(state);
  // a resource tagged for another environment is never ours, whatever else agrees (a CIDR, say)
  const otherEnvironment = (c: Candidate) => {
    const tagged = (c.attributes.tags_all ?? c.attributes.tags)?.EnvironmentSuffix;
    return suffix !== undefined && tagged !== undefined && tagged !== suffix;
  };
  const outcomes = new Map<string, Outcome>();
  const taken = new Set<Candidate>();
  const byKey = new Map(desired.map((d) => [d.key, d]));
  const ctx: MatchContext = {
    all: desired,
    state,
    ours: (kind, name) => (name === undefined ? undefined : byKey.get(`${kind}/${name}`)),
    idOf: (kind, name) => ctx.attrOf(kind, name, 'id'),
    attrOf: (kind, name, attr) => {
      const o = name === undefined ? undefined : outcomes.get(`${kind}/${name}`);
      return o && o.action !== 'create' ? o.state.attributes[attr] : undefined;
    },
  };
  const lookups = new Map<string, LookedUpRule>();
  for (const r of lookedUp) {
    const k = lookedUpKey(r);
    if (k) lookups.set(k, r);
  }

  for (const rule of KIND_RULES) {
    const ours = desired.filter((d) => `${d.group}/${d.kind}` === rule.kind);
    if (rule.alwaysCreate) {
      ours.forEach((d) => outcomes.set(d.key, { action: 'create', reason: rule.alwaysCreate! }));
      all.filter((c) => rule.terraformTypes.includes(c.type)).forEach((c) => taken.add(c));
      continue;
    }
    const pool = all.filter((c) => rule.terraformTypes.includes(c.type) && !otherEnvironment(c));
    for (const identity of rule.identity) {
      for (const d of ours) {
        if (outcomes.has(d.key)) continue;
        const value = identity.ours(d, ctx);
        if (value === undefined) continue;
        const hits = pool.filter((c) => !taken.has(c) && identity.theirs(c, ctx) === value);
        if (hits.length !== 1) continue;
        const hit = hits[0];
        taken.add(hit);
        if (hit.needsLookup) {
          const found = lookups.get(value);
          outcomes.set(
            d.key,
            found
              ? {
                  action: 'adopt',
                  state: hit,
                  externalName: found.SecurityGroupRuleId,
                  by: `${identity.what} (looked up)`,
                }
              : { action: 'lookup', state: hit, by: identity.what },
          );
        } else {
          outcomes.set(d.key, { action: 'adopt', state: hit, externalName: rule.externalName(hit), by: identity.what });
        }
      }
    }
    for (const d of ours) {
      if (outcomes.has(d.key)) continue;
      // a rule the state does not hold may still exist in AWS (added by hand): the lookup finds it
      const found = rule.kind.endsWith('Rule') ? lookups.get(rule.identity[0].ours(d, ctx) ?? '') : undefined;
      outcomes.set(
        d.key,
        found
          ? {
              action: 'adopt',
              state: {
                address: '(not in state)',
                type: rule.terraformTypes[0],
                provider: '',
                attributes: { id: found.SecurityGroupRuleId },
              },
              externalName: found.SecurityGroupRuleId,
              by: 'looked up',
            }
          : { action: 'create', reason: `no ${rule.terraformTypes.join(' or ')} in the state matches it` },
      );
    }
  }
  const unmatched: Candidate[] = [];
  for (const c of all) {
    if (taken.has(c)) continue;
    if (c.type === 'aws_security_group_rule') {
      // listed under its own address unless one of the rules split out of it was matched
      if (!all.some((x) => x !== c && x.address === c.address && taken.has(x))) unmatched.push(c);
    } else if (!(c.needsLookup && !c.inlineIn)) {
      unmatched.push(c);
    }
  }
  return { outcomes, unmatched };
}
