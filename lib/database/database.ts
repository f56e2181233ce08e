import { Construct } from 'constructs';
import * as ec2 from '../../imports/ec2.aws.m.upbound.io';
import * as rds from '../../imports/rds.aws.m.upbound.io';
import { EnvironmentContext } from '../common/context';
import { Zone } from '../network/network';

export const AURORA_ENGINE = 'aurora-postgresql';
/** Where the cluster reports the ARN of the secret RDS manages for it (provider v2.6.0 CRD: a one-item list). */
export const MASTER_SECRET_ARN_FIELD = 'status.atProvider.masterUserSecret[0].secretArn';

export interface DatabaseProps {
  readonly context: EnvironmentContext;
  /** One writer/reader instance per zone, in its private subnet. */
  readonly zones: readonly Zone[];
  readonly securityGroup: ec2.SecurityGroup;
}

/**
 * Aurora PostgreSQL with one instance per AZ, and its master password.
 *
 * RDS generates the password and keeps it in a Secrets Manager secret it owns (`manageMasterUserPassword`), rotating
 * it every 7 days; the secret's ARN appears at `status.atProvider.masterUserSecret[0].secretArn`. No copy exists in
 * the management cluster, git or `dist/`, so losing the cluster's namespace loses nothing (docs/adr/0002).
 *
 * The engine version is set on the cluster only; `availabilityZones` is not set on the cluster (AWS adds a third AZ
 * and the immutable field would loop forever): placement comes from each instance's AZ.
 */
export class Database extends Construct {
  readonly subnetGroup: rds.SubnetGroup;
  readonly cluster: rds.Cluster;
  readonly instances: readonly rds.ClusterInstance[];

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const ctx = props.context;
    const n = ctx.names;
    const db = ctx.config.database;
    const region = ctx.region;

    this.subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      metadata: ctx.metadata(n.dbSubnetGroup, 'database'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region,
          description: `Private subnets of the catalog API database (${ctx.config.suffix})`,
          subnetIdRefs: props.zones.map((z) => ({ name: z.privateSubnet.name })),
          tags: ctx.tags(n.dbSubnetGroup),
        },
      },
    });

    this.cluster = new rds.Cluster(this, 'Resource', {
      metadata: ctx.statefulMetadata(n.dbCluster, 'database'),
      spec: {
        ...ctx.mrSpec(),
        managementPolicies: ctx.statefulPolicies(),
        forProvider: {
          region,
          engine: AURORA_ENGINE,
          engineVersion: db.engineVersion,
          engineMode: 'provisioned',
          databaseName: db.databaseName,
          masterUsername: db.masterUsername,
          // not autoGeneratePassword: that keeps the only copy in a Kubernetes Secret (provider-upjet-aws v2.6.0
          // config/namespaced/rds/config.go:61-73), and a lost Secret would be regenerated and never reach Aurora
          manageMasterUserPassword: true,
          dbSubnetGroupNameRef: { name: this.subnetGroup.name },
          vpcSecurityGroupIdRefs: [{ name: props.securityGroup.name }],
          storageEncrypted: true,
          backupRetentionPeriod: db.backupRetentionDays,
          preferredBackupWindow: db.preferredBackupWindow,
          copyTagsToSnapshot: true,
          deletionProtection: db.deletionProtection,
          skipFinalSnapshot: !db.finalSnapshot,
          ...(db.finalSnapshot ? { finalSnapshotIdentifier: `${n.dbCluster}-final` } : {}),
          applyImmediately: !ctx.isProduction,
          tags: ctx.tags(n.dbCluster),
        },
      },
    });

    const instances = new Construct(this, 'Instances');
    this.instances = props.zones.map(
      (z, i) =>
        new rds.ClusterInstance(instances, z.az, {
          metadata: ctx.statefulMetadata(n.dbInstance(z.letter), 'database'),
          spec: {
            ...ctx.mrSpec(),
            managementPolicies: ctx.statefulPolicies(),
            forProvider: {
              region,
              clusterIdentifierRef: { name: this.cluster.name },
              engine: AURORA_ENGINE,
              instanceClass: db.instanceClass,
              availabilityZone: z.az,
              dbSubnetGroupNameRef: { name: this.subnetGroup.name },
              publiclyAccessible: false,
              // the first zone's instance is preferred as writer after a failover
              promotionTier: i === 0 ? 0 : 1,
              autoMinorVersionUpgrade: true,
              tags: ctx.tags(n.dbInstance(z.letter)),
            },
          },
        }),
    );
  }
}
