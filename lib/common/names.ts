/**
 * Every AWS-facing and Kubernetes-facing name an environment derives from its suffix, in one place, with the limit
 * AWS enforces on it. The config loader checks them all before anything is synthesized, so a suffix that is too long
 * for any derived name fails early with the name that breaks.
 */

export interface NameRule {
  /** What the name is, for error messages. */
  readonly what: string;
  readonly max: number;
  readonly min?: number;
}

export interface EnvironmentNames {
  readonly namespace: string;
  readonly vpc: string;
  readonly internetGateway: string;
  readonly publicRouteTable: string;
  readonly albSecurityGroup: string;
  readonly ecsSecurityGroup: string;
  readonly rdsSecurityGroup: string;
  readonly loadBalancer: string;
  readonly targetGroup: string;
  readonly listener: string;
  readonly logBucket: string;
  readonly ecsCluster: string;
  readonly ecsService: string;
  readonly taskFamily: string;
  readonly logGroup: string;
  readonly executionRole: string;
  readonly taskRole: string;
  readonly dbCluster: string;
  readonly dbSubnetGroup: string;
  /** The seed's Secrets Manager secret of the master password (adopted environments whose cluster keeps it). */
  readonly dbCredentialsSecret: string;
  readonly scalingTarget: string;
  readonly scalingPolicy: string;
  readonly distribution: string;
  readonly alarmTopic: string;
  readonly alarmTopicGlobal: string;
  readonly outputs: string;
  /** Per-AZ names, keyed by the AZ letter (`a`, `b`, ...). */
  readonly publicSubnet: (zone: string) => string;
  readonly privateSubnet: (zone: string) => string;
  readonly natEip: (zone: string) => string;
  readonly natGateway: (zone: string) => string;
  readonly privateRouteTable: (zone: string) => string;
  readonly dbInstance: (zone: string) => string;
  readonly alarm: (what: string) => string;
}

/** The letter that ends an AZ name (`eu-north-1a` → `a`); ids and names use it, never a list position. */
export function zoneLetter(az: string): string {
  return az.slice(-1);
}

export function environmentNames(suffix: string, accountId: string): EnvironmentNames {
  const s = suffix;
  return {
    namespace: `catalog-api-${s}`,
    vpc: `vpc-${s}`,
    internetGateway: `igw-${s}`,
    publicRouteTable: `public-rt-${s}`,
    albSecurityGroup: `alb-sg-${s}`,
    ecsSecurityGroup: `ecs-sg-${s}`,
    rdsSecurityGroup: `rds-sg-${s}`,
    loadBalancer: `alb-${s}`,
    targetGroup: `tg-${s}`,
    listener: `alb-http-listener-${s}`,
    logBucket: `alb-logs-${s}-${accountId}`,
    ecsCluster: `ecs-cluster-${s}`,
    ecsService: `ecs-service-${s}`,
    taskFamily: `catalog-api-${s}`,
    logGroup: `/ecs/catalog-api-${s}`,
    executionRole: `ecs-task-execution-role-${s}`,
    taskRole: `ecs-task-role-${s}`,
    dbCluster: `rds-cluster-${s}`,
    dbSubnetGroup: `rds-subnet-group-${s}`,
    dbCredentialsSecret: `db-credentials-${s}`,
    scalingTarget: `ecs-scaling-target-${s}`,
    scalingPolicy: `ecs-cpu-scaling-${s}`,
    distribution: `cdn-${s}`,
    alarmTopic: `alarms-${s}`,
    alarmTopicGlobal: `alarms-global-${s}`,
    outputs: `outputs-${s}`,
    publicSubnet: (z) => `public-subnet-${z}-${s}`,
    privateSubnet: (z) => `private-subnet-${z}-${s}`,
    natEip: (z) => `nat-eip-${z}-${s}`,
    natGateway: (z) => `nat-${z}-${s}`,
    privateRouteTable: (z) => `private-rt-${z}-${s}`,
    dbInstance: (z) => `rds-instance-${z}-${s}`,
    alarm: (what) => `${what}-${s}`,
  };
}

/**
 * The derived names AWS or Kubernetes limit, with their limits. The longest per-AZ and per-alarm variants stand for
 * their families (AZ letters are one character).
 */
export function limitedNames(n: EnvironmentNames): ReadonlyArray<[string, NameRule]> {
  return [
    [n.namespace, { what: 'kubernetes namespace', max: 63 }],
    [n.loadBalancer, { what: 'load balancer name', max: 32 }],
    [n.targetGroup, { what: 'target group name', max: 32 }],
    [n.logBucket, { what: 's3 bucket name', max: 63, min: 3 }],
    [n.executionRole, { what: 'iam role name', max: 64 }],
    [n.taskRole, { what: 'iam role name', max: 64 }],
    [n.dbCluster, { what: 'rds cluster identifier', max: 63 }],
    [n.dbInstance('a'), { what: 'rds instance identifier', max: 63 }],
    [n.dbSubnetGroup, { what: 'rds subnet group name', max: 255 }],
    [n.ecsCluster, { what: 'ecs cluster name', max: 255 }],
    [n.alarm('ecs-deployment-incomplete'), { what: 'cloudwatch alarm name (also a kubernetes name)', max: 253 }],
    [n.privateRouteTable('a'), { what: 'kubernetes object name', max: 253 }],
  ];
}
