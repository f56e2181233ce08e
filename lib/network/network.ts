import { Construct } from 'constructs';
import * as ec2 from '../../imports/ec2.aws.m.upbound.io';
import { EnvironmentContext } from '../common/context';
import { zoneLetter } from '../common/names';

export interface NetworkProps {
  readonly context: EnvironmentContext;
}

/** One availability zone's slice of the network. */
export interface Zone {
  readonly az: string;
  /** The AZ's letter (`a`, `b`): names and construct ids come from it, never from list positions. */
  readonly letter: string;
  readonly publicSubnet: ec2.Subnet;
  readonly privateSubnet: ec2.Subnet;
}

/**
 * The seed's network: a VPC with DNS support and hostnames, a public and a private subnet per AZ, an internet gateway
 * for the public subnets and NAT gateway(s) for the private ones. In provider v2.6.0 route tables have no inline
 * routes (they are status-only), so routes and associations are their own resources.
 *
 * NAT strategy `single` puts one NAT gateway in the first AZ and routes every private subnet through it (the seed's
 * "shared across AZs" cost choice); `per-az` gives each AZ its own NAT gateway and private route table, so losing
 * an AZ does not cut the others off. Route tables are named after their NAT's zone, so moving from `single` to
 * `per-az` adds resources and re-associates subnets without renaming any.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly zones: readonly Zone[];
  readonly internetGateway: ec2.InternetGateway;
  readonly natGateways: readonly ec2.NatGateway[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const ctx = props.context;
    const n = ctx.names;
    const net = ctx.config.network;
    const region = ctx.region;
    const meta = (name: string) => ctx.metadata(name, 'network');

    this.vpc = new ec2.Vpc(this, 'Resource', {
      metadata: meta(n.vpc),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region,
          cidrBlock: net.vpcCidr,
          enableDnsSupport: true,
          enableDnsHostnames: true,
          tags: ctx.tags(n.vpc),
        },
      },
    });
    const vpcIdRef = { name: this.vpc.name };

    const publicSubnets = new Construct(this, 'PublicSubnets');
    const privateSubnets = new Construct(this, 'PrivateSubnets');
    this.zones = ctx.config.availabilityZones.map((az, i) => {
      const letter = zoneLetter(az);
      const subnet = (group: Construct, name: string, cidrBlock: string, tier: 'public' | 'private') =>
        new ec2.Subnet(group, az, {
          metadata: { ...meta(name), labels: { ...ctx.labels('network'), 'catalog-api/tier': tier } },
          spec: {
            ...ctx.mrSpec(),
            forProvider: {
              region,
              availabilityZone: az,
              cidrBlock,
              vpcIdRef,
              mapPublicIpOnLaunch: tier === 'public',
              tags: ctx.tags(name),
            },
          },
        });
      return {
        az,
        letter,
        publicSubnet: subnet(publicSubnets, n.publicSubnet(letter), net.publicSubnetCidrs[i], 'public'),
        privateSubnet: subnet(privateSubnets, n.privateSubnet(letter), net.privateSubnetCidrs[i], 'private'),
      };
    });

    this.internetGateway = new ec2.InternetGateway(this, 'InternetGateway', {
      metadata: meta(n.internetGateway),
      spec: { ...ctx.mrSpec(), forProvider: { region, vpcIdRef, tags: ctx.tags(n.internetGateway) } },
    });

    const publicRouteTable = this.routeTable(ctx, 'PublicRouteTable', n.publicRouteTable);
    new ec2.Route(publicRouteTable, 'DefaultRoute', {
      metadata: meta(`public-default-route-${ctx.config.suffix}`),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region,
          destinationCidrBlock: '0.0.0.0/0',
          routeTableIdRef: { name: publicRouteTable.name },
          gatewayIdRef: { name: this.internetGateway.name },
        },
      },
    });

    const natZones = net.natGateways === 'per-az' ? this.zones : this.zones.slice(0, 1);
    const nats = new Construct(this, 'NatGateways');
    const natByZone = new Map<string, { nat: ec2.NatGateway; routeTable: ec2.RouteTable }>();
    for (const zone of natZones) {
      const group = new Construct(nats, zone.az);
      const eip = new ec2.Eip(group, 'Eip', {
        metadata: meta(n.natEip(zone.letter)),
        spec: { ...ctx.mrSpec(), forProvider: { region, domain: 'vpc', tags: ctx.tags(n.natEip(zone.letter)) } },
      });
      const nat = new ec2.NatGateway(group, 'Resource', {
        metadata: meta(n.natGateway(zone.letter)),
        spec: {
          ...ctx.mrSpec(),
          forProvider: {
            region,
            connectivityType: 'public',
            allocationIdRef: { name: eip.name },
            subnetIdRef: { name: zone.publicSubnet.name },
            tags: ctx.tags(n.natGateway(zone.letter)),
          },
        },
      });
      const routeTable = this.routeTable(ctx, `PrivateRouteTable`, n.privateRouteTable(zone.letter), group);
      new ec2.Route(routeTable, 'DefaultRoute', {
        metadata: meta(`private-default-route-${zone.letter}-${ctx.config.suffix}`),
        spec: {
          ...ctx.mrSpec(),
          forProvider: {
            region,
            destinationCidrBlock: '0.0.0.0/0',
            routeTableIdRef: { name: routeTable.name },
            natGatewayIdRef: { name: nat.name },
          },
        },
      });
      natByZone.set(zone.letter, { nat, routeTable });
    }
    this.natGateways = [...natByZone.values()].map((v) => v.nat);

    const associations = new Construct(this, 'RouteTableAssociations');
    const firstNat = natByZone.get(natZones[0].letter)!;
    for (const zone of this.zones) {
      const privateTable = (natByZone.get(zone.letter) ?? firstNat).routeTable;
      for (const [tier, subnet, table] of [
        ['public', zone.publicSubnet, publicRouteTable],
        ['private', zone.privateSubnet, privateTable],
      ] as const) {
        new ec2.RouteTableAssociation(associations, `${tier}-${zone.az}`, {
          metadata: meta(`rta-${tier}-${zone.letter}-${ctx.config.suffix}`),
          spec: {
            ...ctx.mrSpec(),
            forProvider: { region, subnetIdRef: { name: subnet.name }, routeTableIdRef: { name: table.name } },
          },
        });
      }
    }
  }

  get publicSubnets(): ec2.Subnet[] {
    return this.zones.map((z) => z.publicSubnet);
  }

  get privateSubnets(): ec2.Subnet[] {
    return this.zones.map((z) => z.privateSubnet);
  }

  private routeTable(ctx: EnvironmentContext, id: string, name: string, scope: Construct = this): ec2.RouteTable {
    return new ec2.RouteTable(scope, id, {
      metadata: ctx.metadata(name, 'network'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: { region: ctx.region, vpcIdRef: { name: this.vpc.name }, tags: ctx.tags(name) },
      },
    });
  }
}
