import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as elbv2 from '../../imports/elbv2.aws.m.upbound.io';
import * as rds from '../../imports/rds.aws.m.upbound.io';
import { EnvironmentContext } from '../common/context';
import { LateBound } from '../wiring/late-bound';

export interface OutputsProps {
  readonly context: EnvironmentContext;
  readonly distribution: LateBound;
  readonly loadBalancer: elbv2.Lb;
  readonly cluster: rds.Cluster;
}

/** Keys of the outputs ConfigMap and the status field each is kept current from. */
export const OUTPUT_KEYS = ['cloudfrontDomain', 'albDnsName', 'dbWriterEndpoint', 'dbReaderEndpoint'] as const;

/**
 * One ConfigMap per environment with the endpoints a user needs after deploy (the seed's "stack outputs"), kept
 * current from the resources' status:
 *   kubectl -n catalog-api-<suffix> get configmap outputs-<suffix> -o yaml
 */
export class Outputs extends Construct {
  readonly configMap: LateBound;

  constructor(scope: Construct, id: string, props: OutputsProps) {
    super(scope, id);
    const ctx = props.context;
    this.configMap = new LateBound(this, 'ConfigMap', {
      context: ctx,
      component: 'observability',
      manifest: (s) =>
        new k8s.KubeConfigMap(s, 'Resource', {
          metadata: ctx.metadata(ctx.names.outputs, 'observability'),
          data: { environment: ctx.config.suffix, region: ctx.region },
        }),
      patches: [
        { from: props.distribution, fieldPath: 'status.atProvider.domainName', toFieldPath: 'data.cloudfrontDomain' },
        { from: props.loadBalancer, fieldPath: 'status.atProvider.dnsName', toFieldPath: 'data.albDnsName' },
        { from: props.cluster, fieldPath: 'status.atProvider.endpoint', toFieldPath: 'data.dbWriterEndpoint' },
        { from: props.cluster, fieldPath: 'status.atProvider.readerEndpoint', toFieldPath: 'data.dbReaderEndpoint' },
      ],
    });
  }
}
