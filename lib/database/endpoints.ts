import { Construct } from 'constructs';
import * as rds from '../../imports/rds.aws.m.upbound.io';
import * as ssm from '../../imports/ssm.aws.m.upbound.io';
import { EnvironmentContext } from '../common/context';
import { LateBound } from '../wiring/late-bound';

export interface DatabaseEndpointsProps {
  readonly context: EnvironmentContext;
  readonly cluster: rds.Cluster;
}

/**
 * The cluster's writer and reader endpoints as SSM parameters. AWS makes the endpoints up when it creates the cluster
 * and the task definition's container settings are one JSON string no reference can reach into; a parameter's name,
 * by contrast, is ours, so the task injects them as `secrets` by name and the values are filled in (and kept
 * current) from the cluster's status.
 */
export class DatabaseEndpoints extends Construct {
  readonly writer: LateBound;
  readonly reader: LateBound;
  /** Parameter names (which are also their paths), writer first. */
  readonly parameterNames: readonly string[];

  constructor(scope: Construct, id: string, props: DatabaseEndpointsProps) {
    super(scope, id);
    const ctx = props.context;
    const param = (pid: string, what: 'writer' | 'reader', statusField: string) => {
      const name = `/catalog-api/${ctx.config.suffix}/db-${what}-endpoint`;
      const metaName = `db-${what}-endpoint-${ctx.config.suffix}`;
      return {
        name,
        bound: new LateBound(this, pid, {
          context: ctx,
          component: 'database',
          manifest: (s) =>
            new ssm.Parameter(s, 'Resource', {
              metadata: ctx.metadata(metaName, 'database', { 'crossplane.io/external-name': name }),
              spec: {
                ...ctx.mrSpec(),
                forProvider: {
                  region: ctx.region,
                  type: 'String',
                  description: `${what} endpoint of ${props.cluster.name}`,
                  tags: ctx.tags(metaName),
                },
              },
            }),
          patches: [
            {
              from: props.cluster,
              fieldPath: `status.atProvider.${statusField}`,
              toFieldPath: 'spec.forProvider.insecureValue',
            },
          ],
        }),
      };
    };
    const writer = param('Writer', 'writer', 'endpoint');
    const reader = param('Reader', 'reader', 'readerEndpoint');
    this.writer = writer.bound;
    this.reader = reader.bound;
    this.parameterNames = [writer.name, reader.name];
  }
}
