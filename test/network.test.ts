import { Chart, Testing } from 'cdk8s';
import { EnvironmentContext } from '../lib/common/context';
import { Network } from '../lib/network/network';
import { SecurityGroups } from '../lib/network/security-groups';
import { defaultSynth, find, loadFrom, objectsOf, ofKind, seedConfig, synth, withEnvironment } from './helpers';

const S = 'pr5706';
const preview = () => objectsOf(defaultSynth().files, S);
const prod = () => objectsOf(defaultSynth().files, 'prod');

describe('Network', () => {
  test('the VPC has the seed CIDR with DNS support and hostnames', () => {
    const vpc = find(preview(), 'VPC', `vpc-${S}`);
    expect(vpc.spec.forProvider).toMatchObject({
      cidrBlock: '10.0.0.0/16',
      enableDnsSupport: true,
      enableDnsHostnames: true,
      region: 'eu-north-1',
    });
  });

  test.each([
    ['public-subnet-a', 'eu-north-1a', '10.0.1.0/24', true],
    ['public-subnet-b', 'eu-north-1b', '10.0.2.0/24', true],
    ['private-subnet-a', 'eu-north-1a', '10.0.3.0/24', false],
    ['private-subnet-b', 'eu-north-1b', '10.0.4.0/24', false],
  ])('subnet %s is in %s with %s, public IPs on launch: %s', (name, az, cidr, mapPublic) => {
    const subnet = find(preview(), 'Subnet', `${name}-${S}`);
    expect(subnet.spec.forProvider).toMatchObject({
      availabilityZone: az,
      cidrBlock: cidr,
      mapPublicIpOnLaunch: mapPublic,
      vpcIdRef: { name: `vpc-${S}` },
    });
  });

  test('the internet gateway is attached to the VPC', () => {
    expect(find(preview(), 'InternetGateway', `igw-${S}`).spec.forProvider.vpcIdRef).toEqual({ name: `vpc-${S}` });
  });

  test('the public default route goes to the internet gateway', () => {
    const route = find(preview(), 'Route', `public-default-route-${S}`);
    expect(route.spec.forProvider).toEqual({
      region: 'eu-north-1',
      destinationCidrBlock: '0.0.0.0/0',
      routeTableIdRef: { name: `public-rt-${S}` },
      gatewayIdRef: { name: `igw-${S}` },
    });
  });

  test('single NAT strategy: one EIP, one NAT in the first public subnet, both private subnets routed through it', () => {
    const objects = preview();
    expect(ofKind(objects, 'NATGateway').map((o) => o.metadata.name)).toEqual([`nat-a-${S}`]);
    expect(ofKind(objects, 'EIP').map((o) => o.metadata.name)).toEqual([`nat-eip-a-${S}`]);
    const nat = find(objects, 'NATGateway', `nat-a-${S}`);
    expect(nat.spec.forProvider).toMatchObject({
      allocationIdRef: { name: `nat-eip-a-${S}` },
      subnetIdRef: { name: `public-subnet-a-${S}` },
    });
    expect(find(objects, 'EIP', `nat-eip-a-${S}`).spec.forProvider.domain).toBe('vpc');
    expect(find(objects, 'Route', `private-default-route-a-${S}`).spec.forProvider).toMatchObject({
      routeTableIdRef: { name: `private-rt-a-${S}` },
      natGatewayIdRef: { name: `nat-a-${S}` },
      destinationCidrBlock: '0.0.0.0/0',
    });
    for (const z of ['a', 'b']) {
      expect(find(objects, 'RouteTableAssociation', `rta-private-${z}-${S}`).spec.forProvider).toMatchObject({
        subnetIdRef: { name: `private-subnet-${z}-${S}` },
        routeTableIdRef: { name: `private-rt-a-${S}` },
      });
      expect(find(objects, 'RouteTableAssociation', `rta-public-${z}-${S}`).spec.forProvider).toMatchObject({
        subnetIdRef: { name: `public-subnet-${z}-${S}` },
        routeTableIdRef: { name: `public-rt-${S}` },
      });
    }
  });

  test('per-az NAT strategy: a NAT and a private route table per AZ, each private subnet uses its own', () => {
    const objects = prod();
    expect(
      ofKind(objects, 'NATGateway')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['nat-a-prod', 'nat-b-prod']);
    expect(ofKind(objects, 'EIP')).toHaveLength(2);
    expect(
      ofKind(objects, 'RouteTable')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['private-rt-a-prod', 'private-rt-b-prod', 'public-rt-prod']);
    expect(find(objects, 'NATGateway', 'nat-b-prod').spec.forProvider.subnetIdRef).toEqual({
      name: 'public-subnet-b-prod',
    });
    expect(find(objects, 'RouteTableAssociation', 'rta-private-b-prod').spec.forProvider.routeTableIdRef).toEqual({
      name: 'private-rt-b-prod',
    });
    expect(find(objects, 'Route', 'private-default-route-b-prod').spec.forProvider.natGatewayIdRef).toEqual({
      name: 'nat-b-prod',
    });
  });

  test('moving from single to per-az keeps every existing name', () => {
    const single = objectsOf(synth(seedConfig()), S).map((o) => `${o.kind}/${o.metadata.name}`);
    const perAz = objectsOf(synth(loadFrom(withEnvironment(S, { network: { natGateways: 'per-az' } }))), S).map(
      (o) => `${o.kind}/${o.metadata.name}`,
    );
    expect(perAz).toEqual(expect.arrayContaining(single));
  });

  test('subnet construct ids come from the AZ, not the list position', () => {
    // GIVEN the AZs in reverse order
    const env = { ...seedConfig().environments[1], availabilityZones: ['eu-north-1b', 'eu-north-1a'] };
    const chart = new Chart(Testing.app(), 'test');
    // WHEN
    const network = new Network(chart, 'Network', { context: new EnvironmentContext(env) });
    // THEN
    expect(network.zones.map((z) => z.publicSubnet.node.id)).toEqual(['eu-north-1b', 'eu-north-1a']);
    expect(network.zones.map((z) => z.publicSubnet.name)).toEqual([`public-subnet-b-${S}`, `public-subnet-a-${S}`]);
  });
});

describe('SecurityGroups', () => {
  const rules = (kind: string) =>
    ofKind(preview(), kind).map((r) => {
      const f = r.spec.forProvider;
      return [
        f.securityGroupIdRef.name,
        f.ipProtocol,
        f.fromPort,
        f.toPort,
        f.cidrIpv4 ?? f.referencedSecurityGroupIdRef?.name,
      ].join(' ');
    });

  test('the three groups exist with their AWS names', () => {
    for (const sg of ['alb-sg', 'ecs-sg', 'rds-sg']) {
      const group = find(preview(), 'SecurityGroup', `${sg}-${S}`);
      expect(group.spec.forProvider).toMatchObject({ name: `${sg}-${S}`, vpcIdRef: { name: `vpc-${S}` } });
    }
  });

  test('ingress is exactly the seed: 80 from anywhere to ALB, 3000 from ALB to ECS, 5432 from ECS to RDS', () => {
    expect(rules('SecurityGroupIngressRule').sort()).toEqual(
      [
        `alb-sg-${S} tcp 80 80 0.0.0.0/0`,
        `ecs-sg-${S} tcp 3000 3000 alb-sg-${S}`,
        `rds-sg-${S} tcp 5432 5432 ecs-sg-${S}`,
      ].sort(),
    );
  });

  test('egress is the seed plus HTTPS from ECS (documented deviation), and nothing from RDS', () => {
    expect(rules('SecurityGroupEgressRule').sort()).toEqual(
      [
        `alb-sg-${S} tcp 3000 3000 ecs-sg-${S}`,
        `ecs-sg-${S} tcp 5432 5432 rds-sg-${S}`,
        `ecs-sg-${S} tcp 443 443 0.0.0.0/0`,
      ].sort(),
    );
    expect(rules('SecurityGroupEgressRule').filter((r) => r.startsWith('rds-sg'))).toEqual([]);
  });

  test('ports follow the configured listener and container ports', () => {
    const env = { ...seedConfig().environments[1] };
    const ctx = new EnvironmentContext({
      ...env,
      loadBalancer: { ...env.loadBalancer, listenerPort: 8080 },
      service: { ...env.service, containerPort: 8000 },
    });
    const chart = new Chart(Testing.app(), 'test');
    const network = new Network(chart, 'Network', { context: ctx });
    new SecurityGroups(chart, 'Sg', { context: ctx, vpc: network.vpc });
    const objs = Testing.synth(chart);
    expect(find(objs, 'SecurityGroupIngressRule', `alb-sg-in-8080-${S}`).spec.forProvider.fromPort).toBe(8080);
    expect(find(objs, 'SecurityGroupIngressRule', `ecs-sg-in-8000-${S}`).spec.forProvider.toPort).toBe(8000);
  });
});
