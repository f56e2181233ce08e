import { EnvironmentConfig, Profile } from './types';

/** Every value of the seed architecture, as the defaults of any environment. */
export const SEED_DEFAULTS: Omit<
  EnvironmentConfig,
  'suffix' | 'profile' | 'environmentTag' | 'accountId' | 'registry'
> = {
  region: 'eu-north-1',
  availabilityZones: ['eu-north-1a', 'eu-north-1b'],
  network: {
    vpcCidr: '10.0.0.0/16',
    publicSubnetCidrs: ['10.0.1.0/24', '10.0.2.0/24'],
    privateSubnetCidrs: ['10.0.3.0/24', '10.0.4.0/24'],
    natGateways: 'single',
  },
  database: {
    engineVersion: '16.4',
    instanceClass: 'db.t3.medium',
    databaseName: 'catalog',
    masterUsername: 'catalogadmin',
    backupRetentionDays: 7,
    preferredBackupWindow: '02:00-03:00',
    deletionProtection: false,
    finalSnapshot: false,
    // max_connections on db.t3.medium (4 GiB) is about 405; alarm at 80%
    connectionsAlarmThreshold: 320,
  },
  service: {
    cpu: 1024,
    memory: 2048,
    containerPort: 3000,
    desiredCount: 2,
    minCapacity: 2,
    maxCapacity: 10,
    cpuTargetPercent: 70,
    scaleInCooldownSeconds: 300,
    scaleOutCooldownSeconds: 60,
    logRetentionDays: 7,
    containerInsights: false,
    capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }],
  },
  loadBalancer: {
    listenerPort: 80,
    healthCheckPath: '/health',
    healthCheckIntervalSeconds: 30,
    unhealthyThreshold: 2,
    accessLogExpirationDays: 30,
  },
  cdn: { priceClass: 'PriceClass_100', viewerProtocolPolicy: 'allow-all', cachedPathPatterns: ['/static/*'] },
  alarms: { ecsCpuPercent: 80, alb5xxCount: 10, cdn5xxRatePercent: 5 },
  tags: {},
};

/**
 * What a profile changes on top of the seed. Production keeps data (deletion protection, final snapshot), survives an AZ loss (a NAT per AZ) and keeps a FARGATE base under the Spot capacity.
 */
export const PROFILE_DEFAULTS: Readonly<Record<Profile, unknown>> = {
  production: {
    network: { natGateways: 'per-az' },
    database: { deletionProtection: true, finalSnapshot: true },
    service: {
      containerInsights: true,
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE', weight: 1, base: 2 },
        { capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 },
      ],
    },
  },
  preview: {},
};

/** The shared image repository, unless the top-level `registry` setting says otherwise. */
export const REGISTRY_DEFAULTS = { name: 'catalog-api', region: SEED_DEFAULTS.region } as const;
