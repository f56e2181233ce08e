import { Construct } from 'constructs';
import * as ec2 from '../../imports/ec2.aws.m.upbound.io';
import { EnvironmentContext } from '../common/context';

export const POSTGRES_PORT = 5432;
export const HTTPS_PORT = 443;

export interface SecurityGroupsProps {
  readonly context: EnvironmentContext;
  readonly vpc: ec2.Vpc;
}

type Peer = { readonly cidr: string } | { readonly group: ec2.SecurityGroup };

/**
 * The seed's three security groups with one rule resource per rule, each naming its peer group by reference:
 *   ALB: in 80 from 0.0.0.0/0; out 3000 to ECS.   ECS: in 3000 from ALB; out 5432 to RDS.   RDS: in 5432 from ECS.
 * Deviation from the seed: ECS also gets out 443 to 0.0.0.0/0 (through the NAT). Fargate pulls the image, reads
 * the Secrets Manager secret and ships awslogs over the task's own ENI; without 443 tasks never start.
 * A new security group has no egress at all (the provider revokes AWS's allow-all default), which gives RDS its
 * "no egress" for free.
 */
export class SecurityGroups extends Construct {
  readonly alb: ec2.SecurityGroup;
  readonly ecs: ec2.SecurityGroup;
  readonly rds: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: SecurityGroupsProps) {
    super(scope, id);
    const ctx = props.context;
    const n = ctx.names;
    const group = (gid: string, name: string, description: string) =>
      new ec2.SecurityGroup(this, gid, {
        metadata: ctx.metadata(name, 'network'),
        spec: {
          ...ctx.mrSpec(),
          forProvider: {
            region: ctx.region,
            name,
            description,
            vpcIdRef: { name: props.vpc.name },
            revokeRulesOnDelete: true,
            tags: ctx.tags(name),
          },
        },
      });
    this.alb = group('Alb', n.albSecurityGroup, 'Application load balancer: HTTP from the internet');
    this.ecs = group('Ecs', n.ecsSecurityGroup, 'ECS tasks: traffic from the load balancer');
    this.rds = group('Rds', n.rdsSecurityGroup, 'Aurora PostgreSQL: connections from ECS tasks');

    const listenerPort = ctx.config.loadBalancer.listenerPort;
    const appPort = ctx.config.service.containerPort;
    this.rule('in', this.alb, listenerPort, { cidr: '0.0.0.0/0' }, ctx, 'HTTP from the internet');
    this.rule('out', this.alb, appPort, { group: this.ecs }, ctx, 'to ECS tasks');
    this.rule('in', this.ecs, appPort, { group: this.alb }, ctx, 'from the load balancer');
    this.rule('out', this.ecs, POSTGRES_PORT, { group: this.rds }, ctx, 'to Aurora PostgreSQL');
    this.rule(
      'out',
      this.ecs,
      HTTPS_PORT,
      { cidr: '0.0.0.0/0' },
      ctx,
      'HTTPS for ECR, Secrets Manager and CloudWatch Logs',
    );
    this.rule('in', this.rds, POSTGRES_PORT, { group: this.ecs }, ctx, 'from ECS tasks');
  }

  private rule(
    direction: 'in' | 'out',
    sg: ec2.SecurityGroup,
    port: number,
    peer: Peer,
    ctx: EnvironmentContext,
    description: string,
  ): void {
    const base = sg.name.slice(0, -(ctx.config.suffix.length + 1));
    const name = `${base}-${direction}-${port}-${ctx.config.suffix}`;
    const forProvider = {
      region: ctx.region,
      securityGroupIdRef: { name: sg.name },
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      description,
      ...('cidr' in peer ? { cidrIpv4: peer.cidr } : { referencedSecurityGroupIdRef: { name: peer.group.name } }),
      tags: ctx.tags(name),
    };
    const props = { metadata: ctx.metadata(name, 'network'), spec: { ...ctx.mrSpec(), forProvider } };
    const id = `${sg.node.id}-${direction}-${port}`;
    if (direction === 'in') {
      new ec2.SecurityGroupIngressRule(this, id, props);
    } else {
      new ec2.SecurityGroupEgressRule(this, id, props);
    }
  }
}
