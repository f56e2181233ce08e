import type { StateResource } from './state';

/**
 * How each managed kind we emit corresponds to Terraform state: the Terraform type(s), how provider-upjet-aws v2.6.0
 * derives the `crossplane.io/external-name` from the state (cited per kind, `config/externalname.go` at tag v2.6.0),
 * and the identifying attributes a resource is matched by. Matching never uses list positions or Terraform
 * addresses (CDKTF derives those from construct paths and hashes, so they are not stable names).
 */

/** A managed resource as we emit it (direct, or the manifest wrapped in a provider-kubernetes Object). */
export interface Desired {
  /** `<group>/<Kind>/<metadata.name>`, the key of the adoption file. */
  readonly key: string;
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly forProvider: Record<string, any>;
  readonly annotations: Record<string, string>;
}

/** What matching has learnt so far: the state resource each of our resources was matched to. */
export interface MatchContext {
  /** Our object of `kind` named `name`, or undefined. */
  ours(kind: string, name: string | undefined): Desired | undefined;
  /** The Terraform id (`attributes.id`) of the state resource our object `kind/name` was matched to. */
  idOf(kind: string, name: string | undefined): string | undefined;
  /** An attribute of the state resource our object `kind/name` was matched to. */
  attrOf(kind: string, name: string | undefined, attr: string): any;
  /** Every desired resource. */
  readonly all: readonly Desired[];
  /** Every state resource. */
  readonly state: readonly StateResource[];
}

/** One identifying attribute: the value on our side and on the state's side; equal values identify a pair. */
export interface Identity {
  readonly what: string;
  readonly ours: (d: Desired, ctx: MatchContext) => string | undefined;
  readonly theirs: (r: StateResource, ctx: MatchContext) => string | undefined;
}

export interface KindRule {
  /** `<group>/<Kind>`. */
  readonly kind: string;
  readonly terraformTypes: readonly string[];
  /** The external name provider-upjet-aws expects for the state resource. */
  readonly externalName: (r: StateResource) => string;
  /** Where the provider defines it (provider-upjet-aws v2.6.0). */
  readonly citation: string;
  /** Tried in order; the first one naming exactly one unmatched state resource decides. */
  readonly identity: readonly Identity[];
  /** Holds data: never deleted by adoption, starts protected. */
  readonly stateful?: boolean;
  /**
   * Set when an adopted resource of this kind stays Observe-only in every phase, and why (Crossplane must never write
   * to it).
   */
  readonly observeOnly?: string;
  /**
   * Set when we never adopt this kind even if state has one, and why creating ours is safe (immutable revisions).
   */
  readonly alwaysCreate?: string;
}

const tag = (v: Record<string, any> | undefined, k: string): string | undefined => v?.tags?.[k] ?? undefined;
const str = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));
const refName = (r: any): string | undefined => r?.name;

const byNameTag: Identity = {
  what: 'tag Name',
  ours: (d) => tag(d.forProvider, 'Name'),
  theirs: (r) => tag(r.attributes, 'Name'),
};
const byId = (r: StateResource): string => String(r.attributes.id);

/** provider-upjet-aws v2.6.0 config/externalname.go, by line. */
const EN = (line: number, how: string) => `provider-upjet-aws v2.6.0 config/externalname.go:${line} (${how})`;

/** The key of a security group rule: group, direction, protocol, ports and the one peer (CIDR or group). */
export function ruleKey(
  sg: string | undefined,
  egress: boolean,
  protocol: unknown,
  from: unknown,
  to: unknown,
  peer: string | undefined,
): string | undefined {
  if (!sg || !peer) {
    return undefined;
  }
  return `${sg}|${egress ? 'egress' : 'ingress'}|${String(protocol)}|${String(from)}|${String(to)}|${peer}`;
}

function ourRuleKey(d: Desired, ctx: MatchContext): string | undefined {
  const fp = d.forProvider;
  const sg = ctx.idOf('ec2.aws.m.upbound.io/SecurityGroup', refName(fp.securityGroupIdRef));
  const peer = fp.cidrIpv4
    ? `cidr:${fp.cidrIpv4}`
    : fp.referencedSecurityGroupIdRef
      ? `sg:${ctx.idOf('ec2.aws.m.upbound.io/SecurityGroup', refName(fp.referencedSecurityGroupIdRef))}`
      : undefined;
  return ruleKey(sg, d.kind === 'SecurityGroupEgressRule', fp.ipProtocol, fp.fromPort, fp.toPort, peer);
}

function stateRuleKey(r: StateResource): string | undefined {
  const a = r.attributes;
  const peer = a.cidr_ipv4
    ? `cidr:${a.cidr_ipv4}`
    : a.referenced_security_group_id
      ? `sg:${a.referenced_security_group_id}`
      : undefined;
  return ruleKey(
    a.security_group_id,
    r.type === 'aws_vpc_security_group_egress_rule',
    a.ip_protocol,
    a.from_port,
    a.to_port,
    peer,
  );
}

const rule = (kind: string, tfType: string, line: number): KindRule => ({
  kind: `ec2.aws.m.upbound.io/${kind}`,
  terraformTypes: [tfType],
  externalName: byId,
  citation: `${EN(line, 'vpcSecurityGroupRule(): the sgr- id from the provider')}, function at :3117-3128`,
  identity: [{ what: 'group, direction, protocol, ports, peer', ours: ourRuleKey, theirs: stateRuleKey }],
});

/** `<route table id>_<destination>`: the id provider-upjet-aws builds for aws_route (route(), :3154-3171). */
export function routeId(rtb: unknown, destination: unknown): string {
  return `${String(rtb)}_${String(destination)}`;
}

/** Every emitted managed kind, in matching order: a kind comes after the kinds its identities refer to. */
export const KIND_RULES: readonly KindRule[] = [
  {
    kind: 'ec2.aws.m.upbound.io/VPC',
    terraformTypes: ['aws_vpc'],
    externalName: byId,
    citation: EN(1166, 'IdentifierFromProvider: the vpc- id'),
    identity: [
      byNameTag,
      { what: 'CIDR', ours: (d) => d.forProvider.cidrBlock, theirs: (r) => r.attributes.cidr_block },
    ],
  },
  {
    kind: 'ec2.aws.m.upbound.io/Subnet',
    terraformTypes: ['aws_subnet'],
    externalName: byId,
    citation: EN(1164, 'IdentifierFromProvider: the subnet- id'),
    identity: [
      byNameTag,
      {
        what: 'VPC, AZ and public/private',
        ours: (d, c) =>
          `${c.idOf('ec2.aws.m.upbound.io/VPC', refName(d.forProvider.vpcIdRef))}|${d.forProvider.availabilityZone}|${Boolean(d.forProvider.mapPublicIpOnLaunch)}`,
        theirs: (r) =>
          `${r.attributes.vpc_id}|${r.attributes.availability_zone}|${Boolean(r.attributes.map_public_ip_on_launch)}`,
      },
    ],
  },
  {
    kind: 'ec2.aws.m.upbound.io/InternetGateway',
    terraformTypes: ['aws_internet_gateway'],
    externalName: byId,
    citation: EN(1120, 'IdentifierFromProvider: the igw- id'),
    identity: [
      byNameTag,
      {
        what: 'VPC',
        ours: (d, c) => c.idOf('ec2.aws.m.upbound.io/VPC', refName(d.forProvider.vpcIdRef)),
        theirs: (r) => r.attributes.vpc_id,
      },
    ],
  },
  {
    kind: 'ec2.aws.m.upbound.io/NATGateway',
    terraformTypes: ['aws_nat_gateway'],
    externalName: byId,
    citation: EN(1130, 'IdentifierFromProvider: the nat- id'),
    identity: [
      byNameTag,
      {
        what: 'subnet',
        ours: (d, c) => c.idOf('ec2.aws.m.upbound.io/Subnet', refName(d.forProvider.subnetIdRef)),
        theirs: (r) => r.attributes.subnet_id,
      },
    ],
  },
  {
    kind: 'ec2.aws.m.upbound.io/EIP',
    terraformTypes: ['aws_eip'],
    externalName: byId,
    citation: EN(1110, 'IdentifierFromProvider: the eipalloc- allocation id'),
    identity: [
      byNameTag,
      {
        what: 'the NAT gateway it is allocated to',
        ours: (d, c) => {
          const nat = c.all.find((o) => o.kind === 'NATGateway' && refName(o.forProvider.allocationIdRef) === d.name);
          return nat ? c.idOf('ec2.aws.m.upbound.io/NATGateway', nat.name) : undefined;
        },
        theirs: (r, c) =>
          c.state.find((s) => s.type === 'aws_nat_gateway' && s.attributes.allocation_id === r.attributes.id)
            ?.attributes.id,
      },
    ],
  },
  {
    kind: 'ec2.aws.m.upbound.io/RouteTable',
    terraformTypes: ['aws_route_table'],
    externalName: byId,
    citation: EN(1146, 'IdentifierFromProvider: the rtb- id'),
    identity: [
      byNameTag,
      {
        what: 'the subnets associated with it',
        ours: (d, c) =>
          c.all
            .filter((o) => o.kind === 'RouteTableAssociation' && refName(o.forProvider.routeTableIdRef) === d.name)
            .map((o) => c.idOf('ec2.aws.m.upbound.io/Subnet', refName(o.forProvider.subnetIdRef)) ?? '?')
            .sort()
            .join(','),
        theirs: (r, c) =>
          c.state
            .filter((s) => s.type === 'aws_route_table_association' && s.attributes.route_table_id === r.attributes.id)
            .map((s) => String(s.attributes.subnet_id))
            .sort()
            .join(','),
      },
    ],
  },
  {
    kind: 'ec2.aws.m.upbound.io/Route',
    terraformTypes: ['aws_route', 'aws_route_table.route'],
    externalName: (r) => routeId(r.attributes.route_table_id, r.attributes.destination_cidr_block),
    citation: `${EN(1144, 'route(): <route table id>_<destination CIDR>')}, function at :3154-3171`,
    identity: [
      {
        what: 'route table and destination',
        ours: (d, c) =>
          routeId(
            c.idOf('ec2.aws.m.upbound.io/RouteTable', refName(d.forProvider.routeTableIdRef)),
            d.forProvider.destinationCidrBlock,
          ),
        theirs: (r) => routeId(r.attributes.route_table_id, r.attributes.destination_cidr_block),
      },
    ],
  },
  {
    kind: 'ec2.aws.m.upbound.io/RouteTableAssociation',
    terraformTypes: ['aws_route_table_association'],
    externalName: byId,
    citation: EN(1149, 'IdentifierFromProvider: the rtbassoc- id'),
    identity: [
      {
        what: 'subnet',
        ours: (d, c) => c.idOf('ec2.aws.m.upbound.io/Subnet', refName(d.forProvider.subnetIdRef)),
        theirs: (r) => r.attributes.subnet_id,
      },
    ],
  },
  {
    kind: 'ec2.aws.m.upbound.io/SecurityGroup',
    terraformTypes: ['aws_security_group'],
    externalName: byId,
    citation: EN(1151, 'IdentifierFromProvider: the sg- id'),
    identity: [{ what: 'name', ours: (d) => d.forProvider.name, theirs: (r) => r.attributes.name }, byNameTag],
  },
  rule('SecurityGroupIngressRule', 'aws_vpc_security_group_ingress_rule', 101),
  rule('SecurityGroupEgressRule', 'aws_vpc_security_group_egress_rule', 99),
  {
    kind: 'rds.aws.m.upbound.io/SubnetGroup',
    terraformTypes: ['aws_db_subnet_group'],
    externalName: (r) => r.attributes.name,
    citation: EN(2164, 'NameAsIdentifier: the name'),
    identity: [{ what: 'name', ours: (d) => d.name, theirs: (r) => r.attributes.name }],
  },
  {
    kind: 'rds.aws.m.upbound.io/Cluster',
    terraformTypes: ['aws_rds_cluster'],
    externalName: (r) => r.attributes.cluster_identifier,
    citation: EN(2166, 'ParameterAsIdentifier("cluster_identifier")'),
    identity: [{ what: 'cluster identifier', ours: (d) => d.name, theirs: (r) => r.attributes.cluster_identifier }],
    stateful: true,
  },
  {
    kind: 'rds.aws.m.upbound.io/ClusterInstance',
    terraformTypes: ['aws_rds_cluster_instance'],
    externalName: (r) => r.attributes.identifier,
    citation: EN(2172, 'ParameterAsIdentifier("identifier")'),
    identity: [
      { what: 'instance identifier', ours: (d) => d.name, theirs: (r) => r.attributes.identifier },
      {
        what: 'cluster and AZ',
        ours: (d, c) =>
          `${c.attrOf('rds.aws.m.upbound.io/Cluster', refName(d.forProvider.clusterIdentifierRef), 'cluster_identifier')}|${d.forProvider.availabilityZone}`,
        theirs: (r) => `${r.attributes.cluster_identifier}|${r.attributes.availability_zone}`,
      },
    ],
    stateful: true,
  },
  {
    // emitted only for an adopted cluster that keeps the password Terraform generated (lib/database/kept-secret.ts)
    kind: 'secretsmanager.aws.m.upbound.io/Secret',
    terraformTypes: ['aws_secretsmanager_secret'],
    externalName: byId,
    citation: EN(2465, 'IdentifierFromProvider: the Terraform id, the secret ARN'),
    identity: [{ what: 'name', ours: (d) => d.forProvider.name, theirs: (r) => r.attributes.name }],
    observeOnly:
      'it holds the database password that runs: read for its ARN, never changed or deleted, and its value ' +
      '(the aws_secretsmanager_secret_version) never adopted',
  },
  {
    kind: 's3.aws.m.upbound.io/Bucket',
    terraformTypes: ['aws_s3_bucket'],
    externalName: (r) => r.attributes.bucket,
    citation: EN(2316, 'ParameterAsIdentifier("bucket")'),
    identity: [{ what: 'bucket name', ours: (d) => d.name, theirs: (r) => r.attributes.bucket }, byNameTag],
    stateful: true,
  },
  ...(
    [
      ['BucketServerSideEncryptionConfiguration', 'aws_s3_bucket_server_side_encryption_configuration', 2352],
      ['BucketPublicAccessBlock', 'aws_s3_bucket_public_access_block', 2346],
      ['BucketOwnershipControls', 'aws_s3_bucket_ownership_controls', 2342],
      ['BucketPolicy', 'aws_s3_bucket_policy', 2344],
    ] as const
  ).map(([kind, tfType, line]): KindRule => ({
    kind: `s3.aws.m.upbound.io/${kind}`,
    terraformTypes: [tfType],
    externalName: byId,
    citation: EN(line, 'IdentifierFromProvider: Terraform id, the bucket name'),
    identity: [
      {
        what: 'bucket',
        ours: (d, c) => c.attrOf('s3.aws.m.upbound.io/Bucket', refName(d.forProvider.bucketRef), 'bucket'),
        theirs: (r) => r.attributes.bucket,
      },
    ],
  })),
  {
    kind: 's3.aws.m.upbound.io/BucketLifecycleConfiguration',
    terraformTypes: ['aws_s3_bucket_lifecycle_configuration'],
    externalName: (r) => r.attributes.bucket,
    citation: `${EN(195, 's3BucketIdentifier(): the bucket attribute')}, function at :3609-3622`,
    identity: [
      {
        what: 'bucket',
        ours: (d, c) => c.attrOf('s3.aws.m.upbound.io/Bucket', refName(d.forProvider.bucketRef), 'bucket'),
        theirs: (r) => r.attributes.bucket,
      },
    ],
  },
  {
    kind: 'elbv2.aws.m.upbound.io/LB',
    terraformTypes: ['aws_lb'],
    externalName: byId,
    citation: EN(1379, 'IdentifierFromProvider: the load balancer ARN'),
    identity: [{ what: 'name', ours: (d) => d.forProvider.name, theirs: (r) => r.attributes.name }],
  },
  {
    kind: 'elbv2.aws.m.upbound.io/LBTargetGroup',
    terraformTypes: ['aws_lb_target_group'],
    externalName: byId,
    citation: EN(1388, 'IdentifierFromProvider: the target group ARN'),
    identity: [{ what: 'name', ours: (d) => d.forProvider.name, theirs: (r) => r.attributes.name }],
  },
  {
    kind: 'elbv2.aws.m.upbound.io/LBListener',
    terraformTypes: ['aws_lb_listener'],
    externalName: byId,
    citation: EN(1381, 'IdentifierFromProvider: the listener ARN'),
    identity: [
      {
        what: 'load balancer and port',
        ours: (d, c) =>
          `${c.idOf('elbv2.aws.m.upbound.io/LB', refName(d.forProvider.loadBalancerArnRef))}|${d.forProvider.port}`,
        theirs: (r) => `${r.attributes.load_balancer_arn}|${r.attributes.port}`,
      },
    ],
  },
  {
    kind: 'cloudfront.aws.m.upbound.io/Distribution',
    terraformTypes: ['aws_cloudfront_distribution'],
    externalName: byId,
    citation: EN(605, 'IdentifierFromProvider: the distribution id'),
    identity: [
      { what: 'comment', ours: (d) => str(d.forProvider.comment), theirs: (r) => str(r.attributes.comment) },
      {
        what: 'origin (the load balancer DNS name)',
        ours: (d, c) => {
          const lb = c.all.find(
            (o) => o.kind === 'LB' && o.forProvider.name === (d.forProvider.origin ?? [])[0]?.originId,
          );
          return lb ? c.attrOf('elbv2.aws.m.upbound.io/LB', lb.name, 'dns_name') : undefined;
        },
        theirs: (r) => r.attributes.origin?.[0]?.domain_name,
      },
    ],
  },
  {
    kind: 'iam.aws.m.upbound.io/Role',
    terraformTypes: ['aws_iam_role'],
    externalName: (r) => r.attributes.name,
    citation: EN(1552, 'NameAsIdentifier: the role name'),
    identity: [{ what: 'name', ours: (d) => d.name, theirs: (r) => r.attributes.name }],
  },
  {
    kind: 'iam.aws.m.upbound.io/RolePolicy',
    terraformTypes: ['aws_iam_role_policy'],
    externalName: (r) => r.attributes.name,
    citation: EN(1554, 'TemplatedStringAsIdentifier("name", "<role>:<name>"): the policy name'),
    identity: [
      {
        what: 'role and policy name',
        ours: (d) => `${refName(d.forProvider.roleRef)}|${d.annotations['crossplane.io/external-name'] ?? d.name}`,
        theirs: (r) => `${r.attributes.role}|${r.attributes.name}`,
      },
    ],
  },
  {
    kind: 'ecs.aws.m.upbound.io/Cluster',
    terraformTypes: ['aws_ecs_cluster'],
    externalName: (r) => r.attributes.name,
    citation: `${EN(1268, 'TemplatedStringAsIdentifier("name", cluster ARN): the cluster name')}; config/namespaced/ecs/config.go:21-28`,
    identity: [{ what: 'name', ours: (d) => d.name, theirs: (r) => r.attributes.name }],
  },
  {
    kind: 'ecs.aws.m.upbound.io/ClusterCapacityProviders',
    terraformTypes: ['aws_ecs_cluster_capacity_providers'],
    externalName: byId,
    citation: EN(1270, 'IdentifierFromProvider: Terraform id, the cluster name'),
    identity: [
      {
        what: 'cluster',
        ours: (d) => refName(d.forProvider.clusterNameRef),
        theirs: (r) => r.attributes.cluster_name,
      },
    ],
  },
  {
    kind: 'cloudwatchlogs.aws.m.upbound.io/Group',
    terraformTypes: ['aws_cloudwatch_log_group'],
    externalName: (r) => r.attributes.name,
    citation: EN(681, 'NameAsIdentifier: the log group name'),
    identity: [
      {
        what: 'name',
        ours: (d) => d.annotations['crossplane.io/external-name'] ?? d.name,
        theirs: (r) => r.attributes.name,
      },
    ],
  },
  {
    kind: 'ecs.aws.m.upbound.io/TaskDefinition',
    terraformTypes: ['aws_ecs_task_definition'],
    externalName: (r) => r.attributes.arn,
    citation: `${EN(1275, 'ecsTaskDefinition(): the revision ARN')}, function at :3850-3877`,
    identity: [],
    alwaysCreate:
      'task definition revisions are immutable: ours registers a new revision of the family, the running revision ' +
      'stays registered and serving until the service moves to ours on manage',
  },
  {
    kind: 'ecs.aws.m.upbound.io/Service',
    terraformTypes: ['aws_ecs_service'],
    externalName: (r) => r.attributes.name,
    citation: EN(1272, 'TemplatedStringAsIdentifier("name", service ARN): the service name'),
    identity: [
      {
        what: 'cluster and name',
        ours: (d, c) =>
          `${c.attrOf('ecs.aws.m.upbound.io/Cluster', refName(d.forProvider.clusterRef), 'arn')}|${d.name}`,
        theirs: (r) => `${r.attributes.cluster}|${r.attributes.name}`,
      },
    ],
  },
  {
    kind: 'appautoscaling.aws.m.upbound.io/Target',
    terraformTypes: ['aws_appautoscaling_target'],
    externalName: byId,
    citation: EN(381, 'IdentifierFromProvider: Terraform id, the resource id'),
    identity: [
      {
        what: 'scalable resource',
        ours: (d) => `${d.forProvider.resourceId}|${d.forProvider.scalableDimension}`,
        theirs: (r) => `${r.attributes.resource_id}|${r.attributes.scalable_dimension}`,
      },
    ],
  },
  {
    kind: 'appautoscaling.aws.m.upbound.io/Policy',
    terraformTypes: ['aws_appautoscaling_policy'],
    externalName: (r) => r.attributes.name,
    citation: EN(377, 'TemplatedStringAsIdentifier("name", ...): the policy name'),
    identity: [{ what: 'name', ours: (d) => d.name, theirs: (r) => r.attributes.name }],
  },
  {
    kind: 'sns.aws.m.upbound.io/Topic',
    terraformTypes: ['aws_sns_topic'],
    externalName: (r) => r.attributes.name,
    citation: EN(2671, 'TemplatedStringAsIdentifier("name", topic ARN): the topic name'),
    identity: [{ what: 'name', ours: (d) => d.name, theirs: (r) => r.attributes.name }],
  },
  {
    kind: 'cloudwatch.aws.m.upbound.io/MetricAlarm',
    terraformTypes: ['aws_cloudwatch_metric_alarm'],
    externalName: (r) => r.attributes.alarm_name,
    citation: EN(651, 'ParameterAsIdentifier("alarm_name")'),
    identity: [{ what: 'alarm name', ours: (d) => d.name, theirs: (r) => r.attributes.alarm_name }],
  },
  {
    kind: 'ssm.aws.m.upbound.io/Parameter',
    terraformTypes: ['aws_ssm_parameter'],
    externalName: (r) => r.attributes.name,
    citation: EN(2708, 'NameAsIdentifier: the parameter name'),
    identity: [
      {
        what: 'name',
        ours: (d) => d.annotations['crossplane.io/external-name'] ?? d.name,
        theirs: (r) => r.attributes.name,
      },
    ],
  },
];

export const RULE_BY_KIND: ReadonlyMap<string, KindRule> = new Map(KIND_RULES.map((r) => [r.kind, r]));
