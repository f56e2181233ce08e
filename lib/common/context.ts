import { EnvironmentConfig } from '../config/types';
import { EnvironmentNames, environmentNames } from './names';

export const PROJECT = 'catalog-api';
/** Label keys put on every object we emit. */
export const LABELS = {
  partOf: 'app.kubernetes.io/part-of',
  component: 'app.kubernetes.io/component',
  environment: 'catalog-api/environment',
} as const;
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
  | 'wiring'
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

  get isProduction(): boolean {
    return this.config.profile === 'production';
  }
}
