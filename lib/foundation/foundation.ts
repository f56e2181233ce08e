import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import * as aws from '../../imports/aws.m.upbound.io';
import { ARGO_SYNC_OPTIONS, AWS_PROVIDER_CONFIG, EnvironmentContext } from '../common/context';
import { SYNC_WAVE } from '../gitops/argocd';

export interface FoundationProps {
  readonly context: EnvironmentContext;
}

/**
 * The environment's namespace and the ProviderConfig its managed resources use, synced first (wave -1). Credentials come from the provider
 * pods' IRSA role; when the environment names a deploy role, the provider assumes it, so each environment can be
 * limited to (or live in) its own account.
 */
export class Foundation extends Construct {
  readonly namespace: kplus.Namespace;
  readonly providerConfig: aws.ProviderConfig;

  constructor(scope: Construct, id: string, props: FoundationProps) {
    super(scope, id);
    const ctx = props.context;
    // before everything else; in production deleting the namespace would delete every resource object in it
    const annotations: Record<string, string> = {
      [SYNC_WAVE]: '-1',
      ...(ctx.isProduction ? { [ARGO_SYNC_OPTIONS]: 'Prune=false,Delete=false' } : {}),
    };
    this.namespace = new kplus.Namespace(this, 'Namespace', {
      metadata: { name: ctx.namespace, labels: ctx.labels('foundation'), annotations },
    });
    const roleArn = ctx.config.deployRoleArn;
    this.providerConfig = new aws.ProviderConfig(this, 'ProviderConfig', {
      metadata: ctx.metadata(AWS_PROVIDER_CONFIG, 'foundation', { [SYNC_WAVE]: '-1' }),
      spec: {
        credentials: { source: aws.ProviderConfigSpecCredentialsSource.IRSA },
        ...(roleArn ? { assumeRoleChain: [{ roleArn }] } : {}),
      },
    });
  }
}
