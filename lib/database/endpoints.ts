import { Construct } from 'constructs';
import * as rds from '../../imports/rds.aws.m.upbound.io';
import * as ssm from '../../imports/ssm.aws.m.upbound.io';
import { EnvironmentContext } from '../common/context';
import { LateBound } from '../wiring/late-bound';
import { MASTER_SECRET_ARN_FIELD } from './database';
import { KEPT_SECRET_ARN_FIELD, KeptMasterSecret } from './kept-secret';

export interface DatabaseEndpointsProps {
  readonly context: EnvironmentContext;
  readonly cluster: rds.Cluster;
  /**
   * The secret Terraform created for the password of an adopted cluster that keeps it: the secret-ARN parameter is
   * then fed from its status instead. @default - the RDS-managed master user secret, from the cluster's status
   */
  readonly keptSecret?: KeptMasterSecret;
}

/**
 * The cluster's writer and reader endpoints, and the ARN of the master user secret RDS manages, as SSM parameters.
 * AWS makes these values up when it creates the cluster, and the task definition's container settings are one JSON
 * string no reference can reach into; a parameter's name, by contrast, is ours, so the task injects them as
 * `secrets` by name and the values are filled in (and kept current) from the cluster's status. The secret's ARN is
 * not secret; the password stays in Secrets Manager (docs/adr/0002-database-credentials.md). For an adopted cluster
 * that keeps Terraform's password, the same parameter holds the ARN of Terraform's secret, so the task definition
 * is the same either way.
 */
export class DatabaseEndpoints extends Construct {
  readonly writer: LateBound;
  readonly reader: LateBound;
  readonly masterSecretArn: LateBound;
  /** Parameter names (which are also their paths): writer, reader, master secret ARN. */
  readonly parameterNames: readonly string[];
  /** Name of the parameter holding the master user secret's ARN. */
  readonly masterSecretArnParameter: string;

  constructor(scope: Construct, id: string, props: DatabaseEndpointsProps) {
    super(scope, id);
    const ctx = props.context;
    const param = (
      pid: string,
      what: string,
      description: string,
      from: rds.Cluster | KeptMasterSecret['secret'],
      statusField: string,
    ) => {
      const name = `/catalog-api/${ctx.config.suffix}/db-${what}`;
      const metaName = `db-${what}-${ctx.config.suffix}`;
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
                  description: `${description} of ${props.cluster.name}`,
                  tags: ctx.tags(metaName),
                },
              },
            }),
          patches: [
            {
              from,
              fieldPath: statusField,
              toFieldPath: 'spec.forProvider.insecureValue',
            },
          ],
        }),
      };
    };
    const cluster = props.cluster;
    const writer = param('Writer', 'writer-endpoint', 'writer endpoint', cluster, 'status.atProvider.endpoint');
    const reader = param('Reader', 'reader-endpoint', 'reader endpoint', cluster, 'status.atProvider.readerEndpoint');
    const secret = props.keptSecret
      ? param(
          'MasterSecretArn',
          'master-secret-arn',
          'ARN of the Terraform-created master user secret',
          props.keptSecret.secret,
          KEPT_SECRET_ARN_FIELD,
        )
      : param(
          'MasterSecretArn',
          'master-secret-arn',
          'ARN of the RDS-managed master user secret',
          cluster,
          MASTER_SECRET_ARN_FIELD,
        );
    this.writer = writer.bound;
    this.reader = reader.bound;
    this.masterSecretArn = secret.bound;
    this.parameterNames = [writer.name, reader.name, secret.name];
    this.masterSecretArnParameter = secret.name;
  }
}
