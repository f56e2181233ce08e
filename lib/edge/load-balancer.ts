import { Construct } from 'constructs';
import * as ec2 from '../../imports/ec2.aws.m.upbound.io';
import * as elbv2 from '../../imports/elbv2.aws.m.upbound.io';
import * as s3 from '../../imports/s3.aws.m.upbound.io';
import { EnvironmentContext, POLICY_EXCEPTION_PREFIX } from '../common/context';
import { ACCESS_LOG_PREFIX } from './log-bucket';

export interface LoadBalancerProps {
  readonly context: EnvironmentContext;
  readonly vpc: ec2.Vpc;
  readonly publicSubnets: readonly ec2.Subnet[];
  readonly securityGroup: ec2.SecurityGroup;
  readonly logBucket: s3.Bucket;
}

/**
 * Internet-facing ALB in the public subnets with access logs, an `ip` target group for Fargate tasks (health check
 * on the seed's path, interval and threshold) and the seed's HTTP listener forwarding to it. ECS registers the task
 * IPs itself (the service's loadBalancer block), so there is no target attachment resource.
 */
export class LoadBalancer extends Construct {
  readonly loadBalancer: elbv2.Lb;
  readonly targetGroup: elbv2.LbTargetGroup;
  readonly listener: elbv2.LbListener;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const ctx = props.context;
    const n = ctx.names;
    const lb = ctx.config.loadBalancer;
    const region = ctx.region;

    this.loadBalancer = new elbv2.Lb(this, 'Resource', {
      metadata: ctx.metadata(n.loadBalancer, 'edge'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region,
          name: n.loadBalancer,
          loadBalancerType: 'application',
          internal: false,
          ipAddressType: 'ipv4',
          subnetRefs: props.publicSubnets.map((s) => ({ name: s.name })),
          securityGroupRefs: [{ name: props.securityGroup.name }],
          accessLogs: { bucketRef: { name: props.logBucket.name }, enabled: true, prefix: ACCESS_LOG_PREFIX },
          dropInvalidHeaderFields: true,
          enableDeletionProtection: ctx.isProduction,
          tags: ctx.tags(n.loadBalancer),
        },
      },
    });

    this.targetGroup = new elbv2.LbTargetGroup(this, 'TargetGroup', {
      metadata: ctx.metadata(n.targetGroup, 'edge'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region,
          name: n.targetGroup,
          port: ctx.config.service.containerPort,
          protocol: 'HTTP',
          targetType: 'ip',
          vpcIdRef: { name: props.vpc.name },
          deregistrationDelay: '30',
          healthCheck: {
            enabled: true,
            path: lb.healthCheckPath,
            protocol: 'HTTP',
            port: 'traffic-port',
            interval: lb.healthCheckIntervalSeconds,
            timeout: 5,
            healthyThreshold: 2,
            unhealthyThreshold: lb.unhealthyThreshold,
            matcher: '200',
          },
          tags: ctx.tags(n.targetGroup),
        },
      },
    });

    this.listener = new elbv2.LbListener(this, 'HttpListener', {
      metadata: ctx.metadata(n.listener, 'edge', {
        [`${POLICY_EXCEPTION_PREFIX}LB001`]:
          'seed: HTTP listener on port 80; viewers reach it through CloudFront, which offers HTTPS',
      }),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region,
          loadBalancerArnRef: { name: this.loadBalancer.name },
          port: lb.listenerPort,
          protocol: 'HTTP',
          // `index` is the list's merge key (x-kubernetes-list-map-keys) with the CRD default "default"; set here so the
          // field belongs to argocd-controller: Argo CD's server-side diff cannot compare a list element whose key only
          // the API server's defaulting filled in (gitops-engine pkg/diff/diff.go removeWebhookMutation)
          defaultAction: [{ index: 'default', type: 'forward', targetGroupArnRef: { name: this.targetGroup.name } }],
          tags: ctx.tags(n.listener),
        },
      },
    });
  }
}
