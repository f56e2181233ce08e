import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import * as aws from '../../imports/aws.m.upbound.io';
import { AWS_PROVIDER_CONFIG, EnvironmentContext } from '../common/context';

export interface FoundationProps {
  readonly context: EnvironmentContext;
}

/**
 * The environment's namespace and the ProviderConfig its managed resources use. Credentials come from the provider
 * pods' IRSA role; when the environment names a deploy role, the provider assumes it, so each environment can be
 * limited to (or live in) its own account.
 */
export class Foundation extends Construct {
  readonly namespace: kplus.Namespace;
  readonly providerConfig: aws.ProviderConfig;

  constructor(scope: Construct, id: string, props: FoundationProps) {
    super(scope, id);
    const ctx = props.context;
    this.namespace = new kplus.Namespace(this, 'Namespace', {
      metadata: { name: ctx.namespace, labels: ctx.labels('foundation') },
    });
    const roleArn = ctx.config.deployRoleArn;
    this.providerConfig = new aws.ProviderConfig(this, 'ProviderConfig', {
      metadata: ctx.metadata(AWS_PROVIDER_CONFIG, 'foundation'),
      spec: {
        credentials: { source: aws.ProviderConfigSpecCredentialsSource.IRSA },
        ...(roleArn ? { assumeRoleChain: [{ roleArn }] } : {}),
      },
    });
  }
}
