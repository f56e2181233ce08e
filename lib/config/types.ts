/** Resolved, validated configuration of one environment. Constructs receive this, never raw files or variables. */
import type { PreviewsConfig } from './previews';

export type Profile = 'production' | 'preview';
export type NatStrategy = 'single' | 'per-az';
export type CapacityProvider = 'FARGATE' | 'FARGATE_SPOT';

export interface CapacityProviderStrategyItem {
  readonly capacityProvider: CapacityProvider;
  readonly weight: number;
  readonly base: number;
}

export interface NetworkConfig {
  readonly vpcCidr: string;
  /** One per AZ, in the order of `availabilityZones`. */
  readonly publicSubnetCidrs: readonly string[];
  readonly privateSubnetCidrs: readonly string[];
  readonly natGateways: NatStrategy;
}

export interface DatabaseConfig {
  readonly engineVersion: string;
  readonly instanceClass: string;
  readonly databaseName: string;
  readonly masterUsername: string;
  readonly backupRetentionDays: number;
  readonly preferredBackupWindow: string;
  readonly deletionProtection: boolean;
  /** Take a final snapshot when the cluster is deleted. */
  readonly finalSnapshot: boolean;
  /** Alarm when connections on an instance exceed this count (about 80% of the class's max_connections). */
  readonly connectionsAlarmThreshold: number;
}

export interface ServiceConfig {
  /**
   * A full image reference outside the shared repository, pinned by digest (`…@sha256:<64 hex>`) or by an immutable
   * tag; when set, `imageTag` is not used.
   */
  readonly image?: string;
  /**
   * What runs from the shared repository: an immutable tag (the repository refuses to overwrite tags) or a digest
   * `sha256:<64 hex>`. No default: the application's CI sets it (`npm run set-image`).
   */
  readonly imageTag?: string;
  readonly cpu: number;
  readonly memory: number;
  readonly containerPort: number;
  readonly desiredCount: number;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly cpuTargetPercent: number;
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
  readonly logRetentionDays: number;
  readonly containerInsights: boolean;
  readonly capacityProviderStrategy: readonly CapacityProviderStrategyItem[];
}

export interface LoadBalancerConfig {
  readonly listenerPort: number;
  readonly healthCheckPath: string;
  readonly healthCheckIntervalSeconds: number;
  readonly unhealthyThreshold: number;
  readonly accessLogExpirationDays: number;
}

export interface CdnConfig {
  readonly priceClass: 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';
  /** The seed's "HTTP/HTTPS support" is `allow-all`. */
  readonly viewerProtocolPolicy: 'allow-all' | 'redirect-to-https' | 'https-only';
  /** Paths cached with CachingOptimized; every other request goes to the origin uncached. */
  readonly cachedPathPatterns: readonly string[];
}

export interface AlarmsConfig {
  readonly ecsCpuPercent: number;
  readonly alb5xxCount: number;
  readonly cdn5xxRatePercent: number;
}

export interface EnvironmentConfig {
  readonly suffix: string;
  readonly profile: Profile;
  /** Value of the `Environment` tag. */
  readonly environmentTag: string;
  readonly accountId: string;
  readonly region: string;
  readonly availabilityZones: readonly string[];
  /** Role the providers assume for this environment (assumeRoleChain); required in production. */
  readonly deployRoleArn?: string;
  readonly network: NetworkConfig;
  readonly database: DatabaseConfig;
  readonly service: ServiceConfig;
  readonly loadBalancer: LoadBalancerConfig;
  readonly cdn: CdnConfig;
  readonly alarms: AlarmsConfig;
  readonly tags: Readonly<Record<string, string>>;
  /** The shared image repository every environment pulls from (top-level `registry`, not per environment). */
  readonly registry: RegistryConfig;
}

/**
 * The one ECR repository of the stack, created by the platform in the account of the providers' IRSA role; the
 * application's CI pushes to it and environments name an immutable tag or digest in it.
 */
export interface RegistryConfig {
  /** Repository name. */
  readonly name: string;
  readonly region: string;
  /** 12 digits: the account of `platform.providerRoleArn`. */
  readonly accountId: string;
}

export interface PlatformConfig {
  /** IAM role the Crossplane provider pods get through IRSA. */
  readonly providerRoleArn: string;
  /** Git repository Argo CD syncs `dist/` from. */
  readonly repoURL: string;
  readonly targetRevision: string;
}

export interface Config {
  readonly platform: PlatformConfig;
  readonly registry: RegistryConfig;
  readonly environments: readonly EnvironmentConfig[];
  /** Pull-request previews (top-level `previews`, lib/config/previews.ts). */
  readonly previews: PreviewsConfig;
}
