import { Construct } from 'constructs';
import * as cloudwatch from '../../imports/cloudwatch.aws.m.upbound.io';
import * as ecs from '../../imports/ecs.aws.m.upbound.io';
import * as elbv2 from '../../imports/elbv2.aws.m.upbound.io';
import * as rds from '../../imports/rds.aws.m.upbound.io';
import * as sns from '../../imports/sns.aws.m.upbound.io';
import { EnvironmentContext } from '../common/context';
import { LateBound } from '../wiring/late-bound';

/** CloudFront publishes its metrics only in us-east-1; alarms on them, and their topic, must live there. */
export const CLOUDFRONT_METRICS_REGION = 'us-east-1';
/** Marks an object deliberately created outside the environment's region. */
export const REGION_LABEL = 'catalog-api/region';

export interface AlarmsProps {
  readonly context: EnvironmentContext;
  readonly cluster: ecs.Cluster;
  readonly service: ecs.Service;
  readonly dbInstances: readonly rds.ClusterInstance[];
  readonly loadBalancer: elbv2.Lb;
  readonly targetGroup: elbv2.LbTargetGroup;
  readonly distribution: LateBound;
}

interface AlarmSpec {
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions?: Record<string, string>;
  readonly statistic: 'Average' | 'Maximum' | 'Sum';
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly threshold: number;
  readonly treatMissingData: 'missing' | 'notBreaching';
}

/**
 * The seed's alerting strategy, each alarm notifying an SNS topic (subscribe to it to get paged):
 * ECS service CPU above 80% (before the 70% scaling target is overwhelmed), DB connections near the instance
 * class's max_connections, ALB 5xx (from the balancer and from the targets), and the CloudFront 5xx error rate.
 * Dimensions AWS makes up (ARN suffixes, the distribution id) are late-bound.
 */
export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly globalTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const ctx = props.context;
    const n = ctx.names;
    const a = ctx.config.alarms;
    const metadata = (name: string, region: string) => ({
      ...ctx.metadata(name, 'observability'),
      labels: { ...ctx.labels('observability'), ...(region !== ctx.region ? { [REGION_LABEL]: region } : {}) },
    });
    const topic = (tid: string, name: string, region: string) =>
      new sns.Topic(this, tid, {
        metadata: metadata(name, region),
        spec: {
          ...ctx.mrSpec(),
          forProvider: { region, displayName: `catalog-api ${ctx.config.suffix} alarms`, tags: ctx.tags(name) },
        },
      });
    this.topic = topic('Topic', n.alarmTopic, ctx.region);
    this.globalTopic = topic('GlobalTopic', n.alarmTopicGlobal, CLOUDFRONT_METRICS_REGION);

    const forProvider = (spec: AlarmSpec, name: string, region: string, topicName: string) => {
      const actions = [ctx.arns.topic(topicName, region)];
      return {
        region,
        alarmDescription: spec.description,
        namespace: spec.namespace,
        metricName: spec.metricName,
        ...(spec.dimensions ? { dimensions: spec.dimensions } : {}),
        statistic: spec.statistic,
        period: spec.period,
        evaluationPeriods: spec.evaluationPeriods,
        threshold: spec.threshold,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: spec.treatMissingData,
        alarmActions: actions,
        okActions: actions,
        tags: ctx.tags(name),
      };
    };
    const alarm = (scope: Construct, aid: string, what: string, spec: AlarmSpec) => {
      const name = n.alarm(what);
      return new cloudwatch.MetricAlarm(scope, aid, {
        metadata: ctx.metadata(name, 'observability'),
        spec: { ...ctx.mrSpec(), forProvider: forProvider(spec, name, ctx.region, n.alarmTopic) },
      });
    };

    alarm(this, 'EcsCpuHigh', 'ecs-cpu-high', {
      description: `ECS service CPU above ${a.ecsCpuPercent}% for 3 minutes`,
      namespace: 'AWS/ECS',
      metricName: 'CPUUtilization',
      dimensions: { ClusterName: props.cluster.name, ServiceName: props.service.name },
      statistic: 'Average',
      period: 60,
      evaluationPeriods: 3,
      threshold: a.ecsCpuPercent,
      treatMissingData: 'missing',
    });
    if (ctx.config.service.containerInsights) {
      // The circuit breaker stops a failing deployment without rolling back (CatalogService), so a failed rollout
      // leaves the service with two deployments, the old tasks still serving. DeploymentCount comes from Container
      // Insights (AWS: "Amazon ECS Container Insights metrics"); without it there is no such metric.
      alarm(this, 'EcsDeploymentIncomplete', 'ecs-deployment-incomplete', {
        description:
          'ECS service has had more than one deployment for 30 minutes: a rollout failed or is stuck; fix forward or git revert',
        namespace: 'ECS/ContainerInsights',
        metricName: 'DeploymentCount',
        dimensions: { ClusterName: props.cluster.name, ServiceName: props.service.name },
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: 6,
        threshold: 1,
        treatMissingData: 'missing',
      });
    }
    const connections = new Construct(this, 'DbConnectionsHigh');
    for (const instance of props.dbInstances) {
      const zone = instance.node.id.slice(-1);
      alarm(connections, instance.node.id, `rds-connections-high-${zone}`, {
        description: `connections on ${instance.name} above ${ctx.config.database.connectionsAlarmThreshold} (about 80% of max_connections of ${ctx.config.database.instanceClass})`,
        namespace: 'AWS/RDS',
        metricName: 'DatabaseConnections',
        dimensions: { DBInstanceIdentifier: instance.name },
        statistic: 'Maximum',
        period: 60,
        evaluationPeriods: 3,
        threshold: ctx.config.database.connectionsAlarmThreshold,
        treatMissingData: 'missing',
      });
    }

    const lateAlarm = (
      aid: string,
      what: string,
      spec: AlarmSpec,
      region: string,
      topicName: string,
      patches: LateBoundPatches,
    ) => {
      const name = n.alarm(what);
      return new LateBound(this, aid, {
        context: ctx,
        component: 'observability',
        manifest: (s) =>
          new cloudwatch.MetricAlarm(s, 'Resource', {
            metadata: metadata(name, region),
            spec: { ...ctx.mrSpec(), forProvider: forProvider(spec, name, region, topicName) },
          }),
        patches,
      });
    };
    const lbSuffix = {
      from: props.loadBalancer,
      fieldPath: 'status.atProvider.arnSuffix',
      toFieldPath: 'spec.forProvider.dimensions.LoadBalancer',
    };
    const tgSuffix = {
      from: props.targetGroup,
      fieldPath: 'status.atProvider.arnSuffix',
      toFieldPath: 'spec.forProvider.dimensions.TargetGroup',
    };
    // 5xx generated by the balancer itself, and 5xx the API returned through it
    const alb5xx = [
      ['Alb5xx', 'alb-5xx', 'HTTPCode_ELB_5XX_Count', 'load balancer', [lbSuffix]],
      ['AlbTarget5xx', 'alb-target-5xx', 'HTTPCode_Target_5XX_Count', 'API (target)', [lbSuffix, tgSuffix]],
    ] as const;
    for (const [aid, what, metricName, source, patches] of alb5xx) {
      lateAlarm(
        aid,
        what,
        {
          description: `${source} 5xx responses above ${a.alb5xxCount} a minute for 5 minutes`,
          namespace: 'AWS/ApplicationELB',
          metricName,
          statistic: 'Sum',
          period: 60,
          evaluationPeriods: 5,
          threshold: a.alb5xxCount,
          treatMissingData: 'notBreaching',
        },
        ctx.region,
        n.alarmTopic,
        [...patches],
      );
    }
    lateAlarm(
      'Cdn5xxRate',
      'cdn-5xx-rate',
      {
        description: `CloudFront 5xx error rate (origin and edge) above ${a.cdn5xxRatePercent}% for 10 minutes`,
        namespace: 'AWS/CloudFront',
        metricName: '5xxErrorRate',
        dimensions: { Region: 'Global' },
        statistic: 'Average',
        period: 300,
        evaluationPeriods: 2,
        threshold: a.cdn5xxRatePercent,
        treatMissingData: 'notBreaching',
      },
      CLOUDFRONT_METRICS_REGION,
      n.alarmTopicGlobal,
      [
        {
          from: props.distribution,
          fieldPath: 'status.atProvider.id',
          toFieldPath: 'spec.forProvider.dimensions.DistributionId',
        },
      ],
    );
  }
}

type LateBoundPatches = ConstructorParameters<typeof LateBound>[2]['patches'];
