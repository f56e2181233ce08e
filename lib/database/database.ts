import { Construct } from 'constructs';
import * as ec2 from '../../imports/ec2.aws.m.upbound.io';
import * as rds from '../../imports/rds.aws.m.upbound.io';
import * as sm from '../../imports/secretsmanager.aws.m.upbound.io';
import { EnvironmentContext } from '../common/context';
import { Zone } from '../network/network';

export const AURORA_ENGINE = 'aurora-postgresql';
/** Key of the generated password in the Kubernetes Secret the provider writes. */
export const PASSWORD_KEY = 'password';

export interface DatabaseProps {
  readonly context: EnvironmentContext;
  /** One writer/reader instance per zone, in its private subnet. */
  readonly zones: readonly Zone[];
  readonly securityGroup: ec2.SecurityGroup;
}

/**
 * Aurora PostgreSQL with one instance per AZ, and its master password.
 *
 * The password never exists outside the cluster and AWS: the provider generates it into a Kubernetes Secret
 * (`autoGeneratePassword` + `masterPasswordSecretRef`), and a SecretVersion copies that Secret into the Secrets
 * Manager secret the tasks read. Nothing in git or `dist/` holds it.
 *
 * The engine version is set on the cluster only; `availabilityZones` is not set on the cluster (AWS adds a third AZ
 * and the immutable field would loop forever): placement comes from each instance's AZ.
 */
export class Database extends Construct {
  readonly subnetGroup: rds.SubnetGroup;
  readonly cluster: rds.Cluster;
  readonly instances: readonly rds.ClusterInstance[];
  readonly secret: sm.Secret;
  readonly secretVersion: sm.SecretVersion;

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
          autoGeneratePassword: true,
          masterPasswordSecretRef: { name: n.dbPasswordSecret, key: PASSWORD_KEY },
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

    this.secret = new sm.Secret(this, 'Secret', {
      metadata: ctx.statefulMetadata(`db-credentials-${ctx.config.suffix}`, 'secrets'),
      spec: {
        ...ctx.mrSpec(),
        managementPolicies: ctx.statefulPolicies(),
        forProvider: {
          region,
          name: n.dbSecret,
          description: `Master password of ${n.dbCluster}`,
          recoveryWindowInDays: ctx.config.secretRecoveryWindowDays,
          tags: ctx.tags(n.dbSecret),
        },
      },
    });
    this.secretVersion = new sm.SecretVersion(this, 'SecretVersion', {
      metadata: ctx.statefulMetadata(`db-credentials-version-${ctx.config.suffix}`, 'secrets'),
      spec: {
        ...ctx.mrSpec(),
        managementPolicies: ctx.statefulPolicies(),
        forProvider: {
          region,
          secretIdRef: { name: this.secret.name },
          secretStringSecretRef: { name: n.dbPasswordSecret, key: PASSWORD_KEY },
        },
      },
    });
  }
}
