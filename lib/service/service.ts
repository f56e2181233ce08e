import { Construct } from 'constructs';
import * as appautoscaling from '../../imports/appautoscaling.aws.m.upbound.io';
import * as ec2 from '../../imports/ec2.aws.m.upbound.io';
import * as ecs from '../../imports/ecs.aws.m.upbound.io';
import * as elbv2 from '../../imports/elbv2.aws.m.upbound.io';
import * as iam from '../../imports/iam.aws.m.upbound.io';
import * as logs from '../../imports/cloudwatchlogs.aws.m.upbound.io';
import { EnvironmentContext } from '../common/context';
import { contentHash } from '../common/hash';
import { POSTGRES_PORT } from '../network/security-groups';
import { LateBound } from '../wiring/late-bound';

export const CONTAINER_NAME = 'catalog-api';

export interface CatalogServiceProps {
  readonly context: EnvironmentContext;
  readonly image: string;
  readonly privateSubnets: readonly ec2.Subnet[];
  readonly securityGroup: ec2.SecurityGroup;
  readonly targetGroup: elbv2.LbTargetGroup;
  readonly executionRole: iam.Role;
  readonly taskRole: iam.Role;
  /**
   * SSM parameters holding the writer and reader endpoints and the ARN of the RDS-managed master user secret (whose
   * JSON value has `username` and `password`; the application reads it with the task role).
   */
  readonly databaseParameters: { readonly writer: string; readonly reader: string; readonly masterSecretArn: string };
}

/** The container's environment variables filled from SSM parameters by the ECS agent at task start. */
export const INJECTED_VARIABLES = {
  writer: 'DB_HOST',
  reader: 'DB_READER_HOST',
  masterSecretArn: 'DB_SECRET_ARN',
} as const;

/**
 * The API on ECS Fargate: cluster with the seed's FARGATE_SPOT capacity, log group, task definition, service behind
 * the target group, and CPU target tracking.
 *
 * Task definitions are immutable, so each distinct definition is its own resource, named after a digest of its
 * content; the service's reference re-resolves (`resolve: Always`), so changing the image or a setting rolls out
 * a new revision. After creation the autoscaler owns the desired count: it is set in initProvider and the service
 * does not late-initialize, so Crossplane never resets it.
 *
 * Rollouts converge on what git says (docs/adr/0003-rollouts-and-images.md): the circuit breaker stops a failing
 * deployment but does not roll back, because ECS rolling back to the previous revision while the spec asks for the
 * new one would make the provider deploy it again, forever; a failed rollout is undone with `git revert`.
 */
export class CatalogService extends Construct {
  readonly cluster: ecs.Cluster;
  readonly logGroup: logs.Group;
  readonly taskDefinition: LateBound;
  readonly service: ecs.Service;
  readonly scalingTarget: appautoscaling.Target;

  constructor(scope: Construct, id: string, props: CatalogServiceProps) {
    super(scope, id);
    const ctx = props.context;
    const n = ctx.names;
    const svc = ctx.config.service;
    const region = ctx.region;

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      metadata: ctx.metadata(n.ecsCluster, 'service'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region,
          setting: [{ name: 'containerInsights', value: svc.containerInsights ? 'enabled' : 'disabled' }],
          tags: ctx.tags(n.ecsCluster),
        },
      },
    });
    new ecs.ClusterCapacityProviders(this, 'CapacityProviders', {
      metadata: ctx.metadata(`ecs-capacity-providers-${ctx.config.suffix}`, 'service'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region,
          clusterNameRef: { name: this.cluster.name },
          capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
          defaultCapacityProviderStrategy: svc.capacityProviderStrategy.map((s) => ({ ...s })),
        },
      },
    });

    this.logGroup = new logs.Group(this, 'LogGroup', {
      metadata: ctx.metadata(`ecs-logs-${ctx.config.suffix}`, 'service', { 'crossplane.io/external-name': n.logGroup }),
      spec: {
        ...ctx.mrSpec(),
        forProvider: { region, retentionInDays: svc.logRetentionDays, tags: ctx.tags(n.logGroup) },
      },
    });

    const db = ctx.config.database;
    const containerDefinitions = JSON.stringify([
      {
        name: CONTAINER_NAME,
        image: props.image,
        essential: true,
        portMappings: [{ containerPort: svc.containerPort, protocol: 'tcp' }],
        environment: [
          { name: 'PORT', value: String(svc.containerPort) },
          { name: 'DB_PORT', value: String(POSTGRES_PORT) },
          { name: 'DB_NAME', value: db.databaseName },
          { name: 'DB_USERNAME', value: db.masterUsername },
        ],
        // the password is not injected: RDS rotates it every 7 days, so the application reads the secret by ARN
        // (and again when a login fails) instead of keeping the value it started with
        secrets: (['writer', 'reader', 'masterSecretArn'] as const).map((k) => ({
          name: INJECTED_VARIABLES[k],
          valueFrom: ctx.arns.parameter(props.databaseParameters[k]),
        })),
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': n.logGroup, 'awslogs-region': region, 'awslogs-stream-prefix': CONTAINER_NAME },
        },
      },
    ]);
    const forProvider = {
      region,
      family: n.taskFamily,
      cpu: String(svc.cpu),
      memory: String(svc.memory),
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      executionRoleArnRef: { name: props.executionRole.name },
      containerDefinitions,
      tags: ctx.tags(n.taskFamily),
    };
    // the task role is part of the definition too: a different role is a different revision
    const revision = `catalog-api-taskdef-${ctx.config.suffix}-r${contentHash({ forProvider, taskRole: props.taskRole.name })}`;
    this.taskDefinition = new LateBound(this, 'TaskDefinition', {
      context: ctx,
      component: 'service',
      manifest: (s) =>
        new ecs.TaskDefinition(s, 'Resource', {
          metadata: ctx.metadata(revision, 'service'),
          spec: { ...ctx.mrSpec(), forProvider },
        }),
      // no taskRoleArnRef exists in provider v2.6.0; the ARN comes from the role's status
      patches: [
        { from: props.taskRole, fieldPath: 'status.atProvider.arn', toFieldPath: 'spec.forProvider.taskRoleArn' },
      ],
    });

    this.service = new ecs.Service(this, 'Service', {
      metadata: ctx.metadata(n.ecsService, 'service'),
      spec: {
        ...ctx.mrSpec(),
        // no LateInitialize: the autoscaler's desired count must not be copied back into the spec
        managementPolicies: [
          ecs.ServiceSpecManagementPolicies.OBSERVE,
          ecs.ServiceSpecManagementPolicies.CREATE,
          ecs.ServiceSpecManagementPolicies.UPDATE,
          ecs.ServiceSpecManagementPolicies.DELETE,
        ],
        initProvider: { desiredCount: svc.desiredCount },
        forProvider: {
          region,
          clusterRef: { name: this.cluster.name },
          taskDefinitionRef: {
            name: revision,
            policy: { resolve: ecs.ServiceSpecForProviderTaskDefinitionRefPolicyResolve.ALWAYS },
          },
          capacityProviderStrategy: svc.capacityProviderStrategy.map((s) => ({ ...s })),
          // Terraform refuses any capacityProviderStrategy change on an existing service without it
          // (terraform-provider-aws v6.34.0 internal/service/ecs/service.go:2604-2612); it only takes effect when an
          // update is sent anyway (service.go:1707-1711), so no deployment is forced on an unchanged service
          forceNewDeployment: true,
          platformVersion: 'LATEST',
          networkConfiguration: {
            assignPublicIp: false,
            subnetRefs: props.privateSubnets.map((s) => ({ name: s.name })),
            securityGroupRefs: [{ name: props.securityGroup.name }],
          },
          loadBalancer: [
            {
              targetGroupArnRef: { name: props.targetGroup.name },
              containerName: CONTAINER_NAME,
              containerPort: svc.containerPort,
            },
          ],
          healthCheckGracePeriodSeconds: 60,
          deploymentMinimumHealthyPercent: 100,
          deploymentMaximumPercent: 200,
          // stop a failing deployment, keep the old tasks serving, alarm; no automatic rollback (see class docs)
          deploymentCircuitBreaker: { enable: true, rollback: false },
          propagateTags: 'SERVICE',
          enableEcsManagedTags: true,
          tags: ctx.tags(n.ecsService),
        },
      },
    });

    this.scalingTarget = new appautoscaling.Target(this, 'ScalingTarget', {
      metadata: ctx.metadata(n.scalingTarget, 'service'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region,
          serviceNamespace: 'ecs',
          scalableDimension: 'ecs:service:DesiredCount',
          // no reference field exists; both names are ours, so the id is known
          resourceId: `service/${this.cluster.name}/${this.service.name}`,
          minCapacity: svc.minCapacity,
          maxCapacity: svc.maxCapacity,
          tags: ctx.tags(n.scalingTarget),
        },
      },
    });
    const target = { name: this.scalingTarget.name };
    new appautoscaling.Policy(this, 'CpuScaling', {
      metadata: ctx.metadata(n.scalingPolicy, 'service'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region,
          policyType: 'TargetTrackingScaling',
          resourceIdRef: target,
          scalableDimensionRef: target,
          serviceNamespaceRef: target,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: svc.cpuTargetPercent,
            predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
            scaleInCooldown: svc.scaleInCooldownSeconds,
            scaleOutCooldown: svc.scaleOutCooldownSeconds,
          },
        },
      },
    });
  }
}
