import { EnvironmentConfig } from '../config/types';
import { EnvironmentNames, environmentNames } from './names';

export const PROJECT = 'catalog-api';
/** Label keys put on every object we emit. */
export const LABELS = {
  partOf: 'app.kubernetes.io/part-of',
  component: 'app.kubernetes.io/component',
  environment: 'catalog-api/environment',
} as const;
export const ARGO_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
/** Annotation prefix that waives one policy rule for one object, with the reason as its value. */
export const POLICY_EXCEPTION_PREFIX = 'exception.policy.catalog-api/';
/** The per-namespace ProviderConfig every AWS managed resource of an environment uses. */
export const AWS_PROVIDER_CONFIG = 'aws';

export type Component =
  | 'foundation'
  | 'network'
  | 'database'
  | 'secrets'
  | 'registry'
  | 'service'
  | 'edge'
  | 'cdn'
  | 'observability'
  | 'smoke-test';

/**
 * Everything constructs need to know about the environment they are in: config, derived names, tags and labels.
 * Built once per environment and passed down; constructs never read configuration themselves.
 */
export class EnvironmentContext {
  readonly names: EnvironmentNames;
  readonly namespace: string;

  constructor(readonly config: EnvironmentConfig) {
    this.names = environmentNames(config.suffix, config.accountId);
    this.namespace = this.names.namespace;
  }

  get region(): string {
    return this.config.region;
  }

  labels(component: Component): Record<string, string> {
    return {
      [LABELS.partOf]: PROJECT,
      [LABELS.component]: component,
      [LABELS.environment]: this.config.suffix,
    };
  }

  /** Metadata of a namespaced object of this environment. */
  metadata(name: string, component: Component, annotations?: Record<string, string>) {
    return { name, namespace: this.namespace, labels: this.labels(component), ...(annotations ? { annotations } : {}) };
  }

  /** The seed's tagging strategy plus `Name`; user tags cannot override the seed's keys. */
  tags(name: string): Record<string, string> {
    return {
      ...this.config.tags,
      Environment: this.config.environmentTag,
      Project: PROJECT,
      EnvironmentSuffix: this.config.suffix,
      Name: name,
    };
  }

  get providerConfigRef() {
    return { kind: 'ProviderConfig', name: AWS_PROVIDER_CONFIG };
  }

  /** The common spec part of an AWS managed resource. */
  mrSpec() {
    return { providerConfigRef: this.providerConfigRef };
  }

  /**
   * Metadata of a stateful resource (database, log bucket, secrets). In production Argo CD never prunes or deletes
   * it; in a preview the policy exception is recorded, so removing the environment tears it down.
   */
  statefulMetadata(name: string, component: Component, annotations: Record<string, string> = {}) {
    const protection: Record<string, string> = this.isProduction
      ? { [ARGO_SYNC_OPTIONS]: 'Prune=false,Delete=false' }
      : {
          [`${POLICY_EXCEPTION_PREFIX}DEL001`]:
            'preview environment: torn down with it when its configuration entry is removed',
        };
    return this.metadata(name, component, { ...annotations, ...protection });
  }

  /**
   * managementPolicies of a stateful resource: in production everything except Delete, so deleting the object (or
   * the namespace) orphans the AWS resource instead of destroying data; previews keep the default `*`.
   */
  statefulPolicies(): never[] | undefined {
    return this.isProduction ? (['Observe', 'Create', 'Update', 'LateInitialize'] as never[]) : undefined;
  }

  /**
   * ARNs that are fully determined by names chosen here (AWS adds nothing random to them), so IAM policies and task
   * settings can name them at synth time.
   */
  get arns() {
    const { region, accountId } = this.config;
    return {
      /**
       * Every secret RDS creates for a cluster's master user (`rds!cluster-<uuid>`, AWS managed policy
       * AmazonRDSServiceRolePolicy); narrow it to one cluster by the `aws:rds:primaryDBClusterArn` tag.
       */
      rdsManagedClusterSecrets: () => `arn:aws:secretsmanager:${region}:${accountId}:secret:rds!cluster-*`,
      rdsCluster: (name: string) => `arn:aws:rds:${region}:${accountId}:cluster:${name}`,
      parameter: (name: string) => `arn:aws:ssm:${region}:${accountId}:parameter${name}`,
      logGroup: (name: string) => `arn:aws:logs:${region}:${accountId}:log-group:${name}`,
      bucket: (name: string) => `arn:aws:s3:::${name}`,
      topic: (name: string, topicRegion = region) => `arn:aws:sns:${topicRegion}:${accountId}:${name}`,
    };
  }

  get isProduction(): boolean {
    return this.config.profile === 'production';
  }
}
