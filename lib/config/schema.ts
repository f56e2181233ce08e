import { z } from 'zod';
import { previewsSettings } from './previews';

/**
 * Shape of `config/environments.yaml`. Every object is strict (an unknown key is an error, as a typo would otherwise
 * silently fall back to a default) and every environment setting is optional: omitted values come from the profile
 * and the seed defaults. Ranges that depend on other settings are checked after merging (validate.ts).
 */

/** A whole number in [min, max]; load.ts words the error from the bounds. */
const int = (min: number, max: number) => z.number().int().min(min).max(max);

const capacityProvider = z.strictObject({
  capacityProvider: z.enum(['FARGATE', 'FARGATE_SPOT']),
  weight: int(0, 1000),
  base: int(0, 100000),
});

export const environmentSettings = z.strictObject({
  environmentTag: z.string().min(1).optional(),
  accountId: z.string().optional(),
  region: z.string().optional(),
  availabilityZones: z.array(z.string()).optional(),
  deployRoleArn: z.string().optional(),
  network: z
    .strictObject({
      vpcCidr: z.string(),
      publicSubnetCidrs: z.array(z.string()),
      privateSubnetCidrs: z.array(z.string()),
      natGateways: z.enum(['single', 'per-az']),
    })
    .partial()
    .optional(),
  database: z
    .strictObject({
      engineVersion: z.string(),
      instanceClass: z.string(),
      databaseName: z.string(),
      masterUsername: z.string(),
      backupRetentionDays: z.number().int(),
      preferredBackupWindow: z.string(),
      deletionProtection: z.boolean(),
      finalSnapshot: z.boolean(),
      connectionsAlarmThreshold: int(1, 100000),
    })
    .partial()
    .optional(),
  service: z
    .strictObject({
      image: z.string().min(1),
      imageTag: z.string().min(1),
      cpu: z.number().int(),
      memory: z.number().int(),
      containerPort: int(1, 65535),
      desiredCount: int(0, 1000),
      minCapacity: int(0, 1000),
      maxCapacity: int(1, 1000),
      cpuTargetPercent: int(1, 100),
      scaleInCooldownSeconds: int(0, 3600),
      scaleOutCooldownSeconds: int(0, 3600),
      logRetentionDays: z.number().int(),
      containerInsights: z.boolean(),
      capacityProviderStrategy: z.array(capacityProvider).min(1),
    })
    .partial()
    .optional(),
  loadBalancer: z
    .strictObject({
      listenerPort: int(1, 65535),
      healthCheckPath: z.string().startsWith('/'),
      healthCheckIntervalSeconds: int(5, 300),
      unhealthyThreshold: int(2, 10),
      accessLogExpirationDays: int(1, 3650),
    })
    .partial()
    .optional(),
  cdn: z
    .strictObject({
      priceClass: z.enum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All']),
      viewerProtocolPolicy: z.enum(['allow-all', 'redirect-to-https', 'https-only']),
      cachedPathPatterns: z.array(
        z.string().regex(/^\/[A-Za-z0-9_\-.*$/~"'@:+?&=]*$/, {
          error: 'a path pattern starts with / and uses URL characters, * and ?',
        }),
      ),
    })
    .partial()
    .optional(),
  alarms: z
    .strictObject({
      ecsCpuPercent: int(1, 100),
      alb5xxCount: int(1, 1000000),
      cdn5xxRatePercent: z.number().min(0).max(100),
    })
    .partial()
    .optional(),
  tags: z.record(z.string(), z.string()).optional(),
});

export const environmentEntry = environmentSettings.extend({
  suffix: z.string(),
  profile: z.enum(['production', 'preview']),
});

export const configFile = z.strictObject({
  platform: z.strictObject({
    providerRoleArn: z.string(),
    repoURL: z.string(),
    targetRevision: z.string().min(1),
  }),
  registry: z.strictObject({ name: z.string(), region: z.string() }).partial().optional(),
  defaults: environmentSettings.optional(),
  environments: z.array(environmentEntry),
  previews: previewsSettings(environmentSettings).optional(),
});

export type EnvironmentSettings = z.infer<typeof environmentSettings>;
export type ConfigFile = z.infer<typeof configFile>;
