/**
 * Which fields of each managed kind we emit AWS can set only at creation, from the Terraform schema of the provider
 * code provider-upjet-aws v2.6.0 runs: its go.mod (line 494) replaces github.com/hashicorp/terraform-provider-aws
 * with `TF_AWS_MODULE`, and upjet refuses an update whose Terraform diff needs replacement (upjet
 * pkg/controller/external_tfpluginsdk.go:729-753 for SDK resources, external_tfpluginfw.go:824 for framework
 * resources, at the upjet version that go.mod pins), so such a change leaves the resource `Synced=False`.
 *
 * Keys are `spec.forProvider` paths as we emit them, list indices dropped; a reference (`vpcIdRef`) stands for the
 * field it resolves (`vpc_id`); `tags` and `dimensions` cover every key below them. Each source is
 * `<file>:<line>` in `TF_AWS_MODULE`, the schema attribute (and, for conditional rules, the code that decides).
 * test/plan-table.test.ts proves every path today's synth emits has an entry.
 */

/** The Go module (and version) provider-upjet-aws v2.6.0 builds its Terraform resources from. */
export const TF_AWS_MODULE = 'github.com/upbound/terraform-provider-aws@v0.0.0-20260305123303-f7691456b787';

/**
 * When a change of the field needs a new resource:
 * - `never`: updated in place;
 * - `always`: ForceNew / RequiresReplace in the schema;
 * - `major-version`: the engine's major version changes (ModifyDBCluster gets AllowMajorVersionUpgrade only when
 *   `allowMajorVersionUpgrade` is set, which we do not emit, so AWS rejects the update);
 * - `fewer-items`: the list does not grow (CustomizeDiff forces a new load balancer unless subnets are only added);
 * - `to-or-from-empty`: the list becomes empty or stops being empty;
 * - `unless-force-new-deployment`: Terraform refuses the change while `forceNewDeployment` is false.
 */
export type Replacement =
  'never' | 'always' | 'major-version' | 'fewer-items' | 'to-or-from-empty' | 'unless-force-new-deployment';

export interface FieldRule {
  readonly replace: Replacement;
  /** `<file>:<line>` in TF_AWS_MODULE */
  readonly source: readonly string[];
}

export interface KindRules {
  /** Terraform resource type */
  readonly resource: string;
  readonly fields: Readonly<Record<string, FieldRule>>;
}

const update = (source: string): FieldRule => ({ replace: 'never', source: [source] });
const replace = (source: string): FieldRule => ({ replace: 'always', source: [source] });
// the provider forces a new resource when the top-level region changes
const REGION_SDK = replace('internal/provider/sdkv2/region.go:112');
const REGION_FRAMEWORK = replace('internal/provider/framework/region.go:300');

/**
 * The ingress and egress rule resources share one schema: terraform-provider-aws defines both in
 * internal/service/ec2/vpc_security_group_ingress_rule.go, and the egress resource embeds it
 * (vpc_security_group_egress_rule.go:32-33).
 */
const SECURITY_GROUP_RULE_FIELDS: Readonly<Record<string, FieldRule>> = {
  cidrIpv4: update('internal/service/ec2/vpc_security_group_ingress_rule.go:189'),
  description: update('internal/service/ec2/vpc_security_group_ingress_rule.go:201'),
  fromPort: update('internal/service/ec2/vpc_security_group_ingress_rule.go:204'),
  ipProtocol: update('internal/service/ec2/vpc_security_group_ingress_rule.go:211'),
  referencedSecurityGroupIdRef: update('internal/service/ec2/vpc_security_group_ingress_rule.go:218'),
  region: REGION_FRAMEWORK,
  securityGroupIdRef: replace('internal/service/ec2/vpc_security_group_ingress_rule.go:221'),
  tags: update('internal/service/ec2/vpc_security_group_ingress_rule.go:233'),
  toPort: update('internal/service/ec2/vpc_security_group_ingress_rule.go:235'),
};

/** Keyed by `<group>/<Kind>` of the managed resource (inside a provider-kubernetes Object where we wrap it). */
export const REPLACEMENT_TABLE: Readonly<Record<string, KindRules>> = {
  'appautoscaling.aws.m.upbound.io/Policy': {
    resource: 'aws_appautoscaling_policy',
    fields: {
      policyType: update('internal/service/appautoscaling/policy.go:64'),
      region: REGION_SDK,
      resourceIdRef: replace('internal/service/appautoscaling/policy.go:174'),
      scalableDimensionRef: replace('internal/service/appautoscaling/policy.go:179'),
      serviceNamespaceRef: replace('internal/service/appautoscaling/policy.go:184'),
      'targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType': update(
        'internal/service/appautoscaling/policy.go:385',
      ),
      'targetTrackingScalingPolicyConfiguration.scaleInCooldown': update(
        'internal/service/appautoscaling/policy.go:397',
      ),
      'targetTrackingScalingPolicyConfiguration.scaleOutCooldown': update(
        'internal/service/appautoscaling/policy.go:401',
      ),
      'targetTrackingScalingPolicyConfiguration.targetValue': update('internal/service/appautoscaling/policy.go:405'),
    },
  },
  'appautoscaling.aws.m.upbound.io/Target': {
    resource: 'aws_appautoscaling_target',
    fields: {
      maxCapacity: update('internal/service/appautoscaling/target.go:50'),
      minCapacity: update('internal/service/appautoscaling/target.go:54'),
      region: REGION_SDK,
      resourceId: replace('internal/service/appautoscaling/target.go:58'),
      scalableDimension: replace('internal/service/appautoscaling/target.go:68'),
      serviceNamespace: replace('internal/service/appautoscaling/target.go:73'),
      tags: update('internal/service/appautoscaling/target.go:103'),
    },
  },
  'cloudfront.aws.m.upbound.io/Distribution': {
    resource: 'aws_cloudfront_distribution',
    fields: {
      comment: update('internal/service/cloudfront/distribution.go:86'),
      'defaultCacheBehavior.allowedMethods': update('internal/service/cloudfront/distribution.go:140'),
      'defaultCacheBehavior.cachePolicyId': update('internal/service/cloudfront/distribution.go:145'),
      'defaultCacheBehavior.cachedMethods': update('internal/service/cloudfront/distribution.go:149'),
      'defaultCacheBehavior.compress': update('internal/service/cloudfront/distribution.go:154'),
      'defaultCacheBehavior.originRequestPolicyId': update('internal/service/cloudfront/distribution.go:281'),
      'defaultCacheBehavior.targetOriginId': update('internal/service/cloudfront/distribution.go:298'),
      'defaultCacheBehavior.viewerProtocolPolicy': update('internal/service/cloudfront/distribution.go:314'),
      enabled: update('internal/service/cloudfront/distribution.go:330'),
      httpVersion: update('internal/service/cloudfront/distribution.go:342'),
      isIpv6Enabled: update('internal/service/cloudfront/distribution.go:352'),
      'orderedCacheBehavior.allowedMethods': update('internal/service/cloudfront/distribution.go:393'),
      'orderedCacheBehavior.cachePolicyId': update('internal/service/cloudfront/distribution.go:403'),
      'orderedCacheBehavior.cachedMethods': update('internal/service/cloudfront/distribution.go:398'),
      'orderedCacheBehavior.compress': update('internal/service/cloudfront/distribution.go:407'),
      'orderedCacheBehavior.pathPattern': update('internal/service/cloudfront/distribution.go:537'),
      'orderedCacheBehavior.targetOriginId': update('internal/service/cloudfront/distribution.go:554'),
      'orderedCacheBehavior.viewerProtocolPolicy': update('internal/service/cloudfront/distribution.go:568'),
      'origin.customOriginConfig.httpPort': update('internal/service/cloudfront/distribution.go:656'),
      'origin.customOriginConfig.httpsPort': update('internal/service/cloudfront/distribution.go:660'),
      'origin.customOriginConfig.originProtocolPolicy': update('internal/service/cloudfront/distribution.go:681'),
      'origin.customOriginConfig.originSslProtocols': update('internal/service/cloudfront/distribution.go:686'),
      'origin.originId': update('internal/service/cloudfront/distribution.go:707'),
      priceClass: update('internal/service/cloudfront/distribution.go:785'),
      'restrictions.geoRestriction.restrictionType': update('internal/service/cloudfront/distribution.go:809'),
      tags: update('internal/service/cloudfront/distribution.go:838'),
      'viewerCertificate.cloudfrontDefaultCertificate': update('internal/service/cloudfront/distribution.go:912'),
    },
  },
  'cloudwatch.aws.m.upbound.io/MetricAlarm': {
    resource: 'aws_cloudwatch_metric_alarm',
    fields: {
      alarmActions: update('internal/service/cloudwatch/metric_alarm.go:58'),
      alarmDescription: update('internal/service/cloudwatch/metric_alarm.go:69'),
      comparisonOperator: update('internal/service/cloudwatch/metric_alarm.go:84'),
      dimensions: update('internal/service/cloudwatch/metric_alarm.go:94'),
      evaluationPeriods: update('internal/service/cloudwatch/metric_alarm.go:106'),
      metricName: update('internal/service/cloudwatch/metric_alarm.go:133'),
      namespace: update('internal/service/cloudwatch/metric_alarm.go:234'),
      okActions: update('internal/service/cloudwatch/metric_alarm.go:243'),
      period: update('internal/service/cloudwatch/metric_alarm.go:255'),
      region: REGION_SDK,
      statistic: update('internal/service/cloudwatch/metric_alarm.go:264'),
      tags: update('internal/service/cloudwatch/metric_alarm.go:270'),
      threshold: update('internal/service/cloudwatch/metric_alarm.go:272'),
      treatMissingData: update('internal/service/cloudwatch/metric_alarm.go:283'),
    },
  },
  'cloudwatchlogs.aws.m.upbound.io/Group': {
    resource: 'aws_cloudwatch_log_group',
    fields: {
      region: REGION_SDK,
      retentionInDays: update('internal/service/logs/group.go:81'),
      tags: update('internal/service/logs/group.go:103'),
    },
  },
  'ec2.aws.m.upbound.io/EIP': {
    resource: 'aws_eip',
    fields: {
      domain: replace('internal/service/ec2/ec2_eip.go:85'),
      region: REGION_SDK,
      tags: update('internal/service/ec2/ec2_eip.go:140'),
    },
  },
  'ec2.aws.m.upbound.io/InternetGateway': {
    resource: 'aws_internet_gateway',
    fields: {
      region: REGION_SDK,
      tags: update('internal/service/ec2/vpc_internet_gateway.go:58'),
      vpcIdRef: update('internal/service/ec2/vpc_internet_gateway.go:60'),
    },
  },
  'ec2.aws.m.upbound.io/NATGateway': {
    resource: 'aws_nat_gateway',
    fields: {
      allocationIdRef: replace('internal/service/ec2/vpc_nat_gateway.go:54'),
      connectivityType: replace('internal/service/ec2/vpc_nat_gateway.go:107'),
      region: REGION_SDK,
      subnetIdRef: replace('internal/service/ec2/vpc_nat_gateway.go:193'),
      tags: update('internal/service/ec2/vpc_nat_gateway.go:198'),
    },
  },
  'ec2.aws.m.upbound.io/Route': {
    resource: 'aws_route',
    fields: {
      destinationCidrBlock: replace('internal/service/ec2/vpc_route.go:89'),
      gatewayIdRef: update('internal/service/ec2/vpc_route.go:131'),
      natGatewayIdRef: update('internal/service/ec2/vpc_route.go:141'),
      region: REGION_SDK,
      routeTableIdRef: replace('internal/service/ec2/vpc_route.go:80'),
    },
  },
  'ec2.aws.m.upbound.io/RouteTable': {
    resource: 'aws_route_table',
    fields: {
      region: REGION_SDK,
      tags: update('internal/service/ec2/vpc_route_table.go:159'),
      vpcIdRef: replace('internal/service/ec2/vpc_route_table.go:161'),
    },
  },
  'ec2.aws.m.upbound.io/RouteTableAssociation': {
    resource: 'aws_route_table_association',
    fields: {
      region: REGION_SDK,
      routeTableIdRef: update('internal/service/ec2/vpc_route_table_association.go:52'),
      subnetIdRef: replace('internal/service/ec2/vpc_route_table_association.go:56'),
    },
  },
  'ec2.aws.m.upbound.io/SecurityGroup': {
    resource: 'aws_security_group',
    fields: {
      description: replace('internal/service/ec2/vpc_security_group.go:70'),
      name: replace('internal/service/ec2/vpc_security_group.go:79'),
      region: REGION_SDK,
      revokeRulesOnDelete: update('internal/service/ec2/vpc_security_group.go:105'),
      tags: update('internal/service/ec2/vpc_security_group.go:110'),
      vpcIdRef: replace('internal/service/ec2/vpc_security_group.go:112'),
    },
  },
  'ec2.aws.m.upbound.io/SecurityGroupEgressRule': {
    resource: 'aws_vpc_security_group_egress_rule',
    fields: SECURITY_GROUP_RULE_FIELDS,
  },
  'ec2.aws.m.upbound.io/SecurityGroupIngressRule': {
    resource: 'aws_vpc_security_group_ingress_rule',
    fields: SECURITY_GROUP_RULE_FIELDS,
  },
  'ec2.aws.m.upbound.io/Subnet': {
    resource: 'aws_subnet',
    fields: {
      availabilityZone: replace('internal/service/ec2/vpc_subnet.go:69'),
      cidrBlock: replace('internal/service/ec2/vpc_subnet.go:83'),
      mapPublicIpOnLaunch: update('internal/service/ec2/vpc_subnet.go:163'),
      region: REGION_SDK,
      tags: update('internal/service/ec2/vpc_subnet.go:184'),
      vpcIdRef: replace('internal/service/ec2/vpc_subnet.go:186'),
    },
  },
  'ec2.aws.m.upbound.io/VPC': {
    resource: 'aws_vpc',
    fields: {
      cidrBlock: replace('internal/service/ec2/vpc_.go:93'),
      enableDnsHostnames: update('internal/service/ec2/vpc_.go:117'),
      enableDnsSupport: update('internal/service/ec2/vpc_.go:122'),
      region: REGION_SDK,
      tags: update('internal/service/ec2/vpc_.go:189'),
    },
  },
  'ecr.aws.m.upbound.io/LifecyclePolicy': {
    resource: 'aws_ecr_lifecycle_policy',
    fields: {
      policy: replace('internal/service/ecr/lifecycle_policy.go:43'),
      region: REGION_SDK,
      repositoryRef: replace('internal/service/ecr/lifecycle_policy.go:59'),
    },
  },
  'ecr.aws.m.upbound.io/Repository': {
    resource: 'aws_ecr_repository',
    fields: {
      'encryptionConfiguration.encryptionType': replace('internal/service/ecr/repository.go:64'),
      forceDelete: update('internal/service/ecr/repository.go:82'),
      'imageScanningConfiguration.scanOnPush': update('internal/service/ecr/repository.go:92'),
      imageTagMutability: update('internal/service/ecr/repository.go:100'),
      region: REGION_SDK,
      tags: update('internal/service/ecr/repository.go:145'),
    },
  },
  'ecs.aws.m.upbound.io/Cluster': {
    resource: 'aws_ecs_cluster',
    fields: {
      region: REGION_SDK,
      'setting.name': update('internal/service/ecs/cluster.go:149'),
      'setting.value': update('internal/service/ecs/cluster.go:154'),
      tags: update('internal/service/ecs/cluster.go:161'),
    },
  },
  'ecs.aws.m.upbound.io/ClusterCapacityProviders': {
    resource: 'aws_ecs_cluster_capacity_providers',
    fields: {
      capacityProviders: update('internal/service/ecs/cluster_capacity_providers.go:41'),
      clusterNameRef: replace('internal/service/ecs/cluster_capacity_providers.go:48'),
      'defaultCapacityProviderStrategy.base': update('internal/service/ecs/cluster_capacity_providers.go:62'),
      'defaultCapacityProviderStrategy.capacityProvider': update(
        'internal/service/ecs/cluster_capacity_providers.go:68',
      ),
      'defaultCapacityProviderStrategy.weight': update('internal/service/ecs/cluster_capacity_providers.go:72'),
      region: REGION_SDK,
    },
  },
  'ecs.aws.m.upbound.io/Service': {
    resource: 'aws_ecs_service',
    fields: {
      'capacityProviderStrategy.base': {
        replace: 'unless-force-new-deployment',
        source: ['internal/service/ecs/service.go:591', 'internal/service/ecs/service.go:2608'],
      },
      'capacityProviderStrategy.capacityProvider': {
        replace: 'unless-force-new-deployment',
        source: ['internal/service/ecs/service.go:596', 'internal/service/ecs/service.go:2608'],
      },
      'capacityProviderStrategy.weight': {
        replace: 'unless-force-new-deployment',
        source: ['internal/service/ecs/service.go:600', 'internal/service/ecs/service.go:2608'],
      },
      clusterRef: replace('internal/service/ecs/service.go:608'),
      'deploymentCircuitBreaker.enable': update('internal/service/ecs/service.go:621'),
      'deploymentCircuitBreaker.rollback': update('internal/service/ecs/service.go:625'),
      deploymentMaximumPercent: update('internal/service/ecs/service.go:746'),
      deploymentMinimumHealthyPercent: update('internal/service/ecs/service.go:757'),
      enableEcsManagedTags: update('internal/service/ecs/service.go:775'),
      forceNewDeployment: update('internal/service/ecs/service.go:789'),
      healthCheckGracePeriodSeconds: update('internal/service/ecs/service.go:793'),
      'loadBalancer.containerName': update('internal/service/ecs/service.go:816'),
      'loadBalancer.containerPort': update('internal/service/ecs/service.go:820'),
      'loadBalancer.targetGroupArnRef': update('internal/service/ecs/service.go:829'),
      'networkConfiguration.assignPublicIp': update('internal/service/ecs/service.go:877'),
      'networkConfiguration.securityGroupRefs': update('internal/service/ecs/service.go:882'),
      'networkConfiguration.subnetRefs': update('internal/service/ecs/service.go:887'),
      platformVersion: update('internal/service/ecs/service.go:939'),
      propagateTags: update('internal/service/ecs/service.go:944'),
      region: REGION_SDK,
      tags: update('internal/service/ecs/service.go:1194'),
      taskDefinitionRef: update('internal/service/ecs/service.go:1196'),
    },
  },
  'ecs.aws.m.upbound.io/TaskDefinition': {
    resource: 'aws_ecs_task_definition',
    fields: {
      containerDefinitions: replace('internal/service/ecs/task_definition.go:96'),
      cpu: replace('internal/service/ecs/task_definition.go:127'),
      executionRoleArnRef: replace('internal/service/ecs/task_definition.go:154'),
      family: replace('internal/service/ecs/task_definition.go:160'),
      memory: replace('internal/service/ecs/task_definition.go:175'),
      networkMode: replace('internal/service/ecs/task_definition.go:180'),
      region: REGION_SDK,
      requiresCompatibilities: replace('internal/service/ecs/task_definition.go:242'),
      'runtimePlatform.cpuArchitecture': replace('internal/service/ecs/task_definition.go:267'),
      'runtimePlatform.operatingSystemFamily': replace('internal/service/ecs/task_definition.go:273'),
      tags: update('internal/service/ecs/task_definition.go:287'),
    },
  },
  'elbv2.aws.m.upbound.io/LB': {
    resource: 'aws_lb',
    fields: {
      'accessLogs.bucketRef': update('internal/service/elbv2/load_balancer.go:75'),
      'accessLogs.enabled': update('internal/service/elbv2/load_balancer.go:82'),
      'accessLogs.prefix': update('internal/service/elbv2/load_balancer.go:87'),
      dropInvalidHeaderFields: update('internal/service/elbv2/load_balancer.go:163'),
      enableDeletionProtection: update('internal/service/elbv2/load_balancer.go:175'),
      internal: replace('internal/service/elbv2/load_balancer.go:252'),
      ipAddressType: update('internal/service/elbv2/load_balancer.go:258'),
      loadBalancerType: replace('internal/service/elbv2/load_balancer.go:278'),
      name: replace('internal/service/elbv2/load_balancer.go:299'),
      region: REGION_SDK,
      securityGroupRefs: {
        replace: 'to-or-from-empty',
        source: ['internal/service/elbv2/load_balancer.go:328', 'internal/service/elbv2/load_balancer.go:1422'],
      },
      subnetRefs: {
        replace: 'fewer-items',
        source: ['internal/service/elbv2/load_balancer.go:366', 'internal/service/elbv2/load_balancer.go:1404'],
      },
      tags: update('internal/service/elbv2/load_balancer.go:373'),
    },
  },
  'elbv2.aws.m.upbound.io/LBListener': {
    resource: 'aws_lb_listener',
    fields: {
      // upjet's injected merge key of the default_action list (listener.go:77): never sent to Terraform
      'defaultAction.index': update('internal/service/elbv2/listener.go:77'),
      'defaultAction.targetGroupArnRef': update('internal/service/elbv2/listener.go:376'),
      'defaultAction.type': update('internal/service/elbv2/listener.go:382'),
      loadBalancerArnRef: replace('internal/service/elbv2/listener.go:390'),
      port: update('internal/service/elbv2/listener.go:426'),
      protocol: update('internal/service/elbv2/listener.go:431'),
      region: REGION_SDK,
      tags: update('internal/service/elbv2/listener.go:576'),
    },
  },
  'elbv2.aws.m.upbound.io/LBTargetGroup': {
    resource: 'aws_lb_target_group',
    fields: {
      deregistrationDelay: update('internal/service/elbv2/target_group.go:76'),
      'healthCheck.enabled': update('internal/service/elbv2/target_group.go:89'),
      'healthCheck.healthyThreshold': update('internal/service/elbv2/target_group.go:94'),
      'healthCheck.interval': update('internal/service/elbv2/target_group.go:100'),
      'healthCheck.matcher': update('internal/service/elbv2/target_group.go:106'),
      'healthCheck.path': update('internal/service/elbv2/target_group.go:111'),
      'healthCheck.port': update('internal/service/elbv2/target_group.go:123'),
      'healthCheck.protocol': update('internal/service/elbv2/target_group.go:130'),
      'healthCheck.timeout': update('internal/service/elbv2/target_group.go:140'),
      'healthCheck.unhealthyThreshold': update('internal/service/elbv2/target_group.go:146'),
      name: replace('internal/service/elbv2/target_group.go:190'),
      port: replace('internal/service/elbv2/target_group.go:206'),
      protocol: replace('internal/service/elbv2/target_group.go:220'),
      region: REGION_SDK,
      tags: update('internal/service/elbv2/target_group.go:302'),
      targetType: replace('internal/service/elbv2/target_group.go:399'),
      vpcIdRef: replace('internal/service/elbv2/target_group.go:406'),
    },
  },
  'iam.aws.m.upbound.io/Role': {
    resource: 'aws_iam_role',
    fields: {
      assumeRolePolicy: update('internal/service/iam/role.go:81'),
      description: update('internal/service/iam/role.go:96'),
      tags: update('internal/service/iam/role.go:198'),
    },
  },
  'iam.aws.m.upbound.io/RolePolicy': {
    resource: 'aws_iam_role_policy',
    fields: {
      policy: update('internal/service/iam/role_policy.go:67'),
      roleRef: replace('internal/service/iam/role_policy.go:78'),
    },
  },
  'rds.aws.m.upbound.io/Cluster': {
    resource: 'aws_rds_cluster',
    fields: {
      applyImmediately: update('internal/service/rds/cluster.go:87'),
      backupRetentionPeriod: update('internal/service/rds/cluster.go:103'),
      copyTagsToSnapshot: update('internal/service/rds/cluster.go:156'),
      databaseName: replace('internal/service/rds/cluster.go:167'),
      dbSubnetGroupNameRef: replace('internal/service/rds/cluster.go:186'),
      deletionProtection: update('internal/service/rds/cluster.go:203'),
      engine: replace('internal/service/rds/cluster.go:242'),
      engineMode: replace('internal/service/rds/cluster.go:257'),
      engineVersion: {
        replace: 'major-version',
        source: ['internal/service/rds/cluster.go:270', 'internal/service/rds/cluster.go:1636'],
      },
      finalSnapshotIdentifier: update('internal/service/rds/cluster.go:279'),
      manageMasterUserPassword: update('internal/service/rds/cluster.go:326'),
      masterUsername: replace('internal/service/rds/cluster.go:376'),
      preferredBackupWindow: update('internal/service/rds/cluster.go:419'),
      region: REGION_SDK,
      skipFinalSnapshot: update('internal/service/rds/cluster.go:646'),
      storageEncrypted: replace('internal/service/rds/cluster.go:672'),
      tags: update('internal/service/rds/cluster.go:683'),
      vpcSecurityGroupIdRefs: update('internal/service/rds/cluster.go:689'),
    },
  },
  'rds.aws.m.upbound.io/ClusterInstance': {
    resource: 'aws_rds_cluster_instance',
    fields: {
      autoMinorVersionUpgrade: update('internal/service/rds/cluster_instance.go:65'),
      availabilityZone: replace('internal/service/rds/cluster_instance.go:70'),
      clusterIdentifierRef: replace('internal/service/rds/cluster_instance.go:81'),
      dbSubnetGroupNameRef: replace('internal/service/rds/cluster_instance.go:102'),
      engine: replace('internal/service/rds/cluster_instance.go:116'),
      instanceClass: update('internal/service/rds/cluster_instance.go:155'),
      promotionTier: update('internal/service/rds/cluster_instance.go:224'),
      publiclyAccessible: update('internal/service/rds/cluster_instance.go:229'),
      region: REGION_SDK,
      tags: update('internal/service/rds/cluster_instance.go:238'),
    },
  },
  'rds.aws.m.upbound.io/SubnetGroup': {
    resource: 'aws_db_subnet_group',
    fields: {
      description: update('internal/service/rds/subnet_group.go:49'),
      region: REGION_SDK,
      subnetIdRefs: update('internal/service/rds/subnet_group.go:70'),
      tags: update('internal/service/rds/subnet_group.go:80'),
    },
  },
  's3.aws.m.upbound.io/Bucket': {
    resource: 'aws_s3_bucket',
    fields: {
      forceDestroy: update('internal/service/s3/bucket.go:176'),
      region: REGION_SDK,
      tags: update('internal/service/s3/bucket.go:644'),
    },
  },
  's3.aws.m.upbound.io/BucketLifecycleConfiguration': {
    resource: 'aws_s3_bucket_lifecycle_configuration',
    fields: {
      bucketRef: replace('internal/service/s3/bucket_lifecycle_configuration.go:82'),
      region: REGION_FRAMEWORK,
      'rule.abortIncompleteMultipartUpload.daysAfterInitiation': update(
        'internal/service/s3/bucket_lifecycle_configuration.go:150',
      ),
      'rule.expiration.days': update('internal/service/s3/bucket_lifecycle_configuration.go:167'),
      'rule.filter.prefix': update('internal/service/s3/bucket_lifecycle_configuration.go:224'),
      'rule.id': update('internal/service/s3/bucket_lifecycle_configuration.go:121'),
      'rule.status': update('internal/service/s3/bucket_lifecycle_configuration.go:135'),
    },
  },
  's3.aws.m.upbound.io/BucketOwnershipControls': {
    resource: 'aws_s3_bucket_ownership_controls',
    fields: {
      bucketRef: replace('internal/service/s3/bucket_ownership_controls.go:39'),
      region: REGION_SDK,
      'rule.objectOwnership': update('internal/service/s3/bucket_ownership_controls.go:52'),
    },
  },
  's3.aws.m.upbound.io/BucketPolicy': {
    resource: 'aws_s3_bucket_policy',
    fields: {
      bucketRef: replace('internal/service/s3/bucket_policy.go:39'),
      policy: update('internal/service/s3/bucket_policy.go:44'),
      region: REGION_SDK,
    },
  },
  's3.aws.m.upbound.io/BucketPublicAccessBlock': {
    resource: 'aws_s3_bucket_public_access_block',
    fields: {
      blockPublicAcls: update('internal/service/s3/bucket_public_access_block.go:37'),
      blockPublicPolicy: update('internal/service/s3/bucket_public_access_block.go:42'),
      bucketRef: replace('internal/service/s3/bucket_public_access_block.go:47'),
      ignorePublicAcls: update('internal/service/s3/bucket_public_access_block.go:52'),
      region: REGION_SDK,
      restrictPublicBuckets: update('internal/service/s3/bucket_public_access_block.go:57'),
    },
  },
  's3.aws.m.upbound.io/BucketServerSideEncryptionConfiguration': {
    resource: 'aws_s3_bucket_server_side_encryption_configuration',
    fields: {
      bucketRef: replace('internal/service/s3/bucket_server_side_encryption_configuration.go:46'),
      region: REGION_SDK,
      'rule.applyServerSideEncryptionByDefault.sseAlgorithm': update(
        'internal/service/s3/bucket_server_side_encryption_configuration.go:73',
      ),
    },
  },
  'sns.aws.m.upbound.io/Topic': {
    resource: 'aws_sns_topic',
    fields: {
      displayName: update('internal/service/sns/topic.go:71'),
      region: REGION_SDK,
      tags: update('internal/service/sns/topic.go:176'),
    },
  },
  'ssm.aws.m.upbound.io/Parameter': {
    resource: 'aws_ssm_parameter',
    fields: {
      description: update('internal/service/ssm/parameter.go:83'),
      region: REGION_SDK,
      tags: update('internal/service/ssm/parameter.go:113'),
      type: update('internal/service/ssm/parameter.go:127'),
    },
  },
};

/**
 * The rule for a changed `spec.forProvider` path of a kind (`cidrBlock`, `tags.Name`, `subnetRefs[1].name`), by the
 * longest table key the path starts with; undefined when the kind or path is not in the table.
 */
export function ruleFor(kind: string, path: string): { readonly key: string; readonly rule: FieldRule } | undefined {
  const rules = REPLACEMENT_TABLE[kind];
  if (!rules) {
    return undefined;
  }
  const segments = path.replace(/\[\d*\]/g, '').split('.');
  for (let n = segments.length; n > 0; n--) {
    const key = segments.slice(0, n).join('.');
    const rule = rules.fields[key];
    if (rule) {
      return { key, rule };
    }
  }
  return undefined;
}
