import { Construct } from 'constructs';
import * as iam from '../../imports/iam.aws.m.upbound.io';
import { EnvironmentContext } from '../common/context';
import type { KeptMasterSecret } from '../database/kept-secret';

export interface TaskRolesProps {
  readonly context: EnvironmentContext;
  /** The Aurora cluster whose RDS-managed master user secret the application reads. */
  readonly databaseClusterName: string;
  /**
   * The Terraform-created secret an adopted cluster keeps its password in: the task role reads that one secret
   * instead. @default - the RDS-managed secret of `databaseClusterName`
   */
  readonly keptSecret?: KeptMasterSecret;
  /** SSM parameters the ECS agent injects into the container. */
  readonly parameterNames: readonly string[];
  /** ARN of the shared repository the image comes from. @default - no ECR permissions (an external image) */
  readonly repositoryArn?: string;
}

interface Statement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string>>;
}

/**
 * The two task roles, least privilege, as inline policies naming exact resources:
 *   - execution role (used by the ECS agent): pull from the shared repository, write to the log group, and read the
 *     parameters it injects as `secrets` (AmazonECSTaskExecutionRolePolicy would grant ECR and logs on every
 *     resource);
 *   - task role (used by the application): read only the master user secret RDS manages for this environment's
 *     cluster (seed: "Task Role: Secrets Manager read access"). Its name is random (`rds!cluster-<uuid>`), so the
 *     grant names every RDS cluster secret of the account and narrows it by the tags RDS puts on it: owned by RDS,
 *     primary cluster = ours (AWS managed policy AmazonRDSServiceRolePolicy, statement on `secret:rds!*`). For an
 *     adopted cluster that keeps Terraform's password it names exactly that secret's ARN instead; the seed's secret
 *     uses the AWS managed key `aws/secretsmanager`, which needs no KMS grant (adoption refuses a secret with a
 *     customer managed key).
 * Both trust only ECS tasks of this account.
 */
export class TaskRoles extends Construct {
  readonly executionRole: iam.Role;
  readonly taskRole: iam.Role;

  constructor(scope: Construct, id: string, props: TaskRolesProps) {
    super(scope, id);
    const ctx = props.context;
    const n = ctx.names;
    const arns = ctx.arns;
    const assumeRolePolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'ecs-tasks.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': ctx.config.accountId } },
        },
      ],
    });
    const role = (rid: string, name: string, description: string) =>
      new iam.Role(this, rid, {
        metadata: ctx.metadata(name, 'service'),
        spec: { ...ctx.mrSpec(), forProvider: { assumeRolePolicy, description, tags: ctx.tags(name) } },
      });
    const inline = (target: iam.Role, pid: string, statements: Statement[]) =>
      new iam.RolePolicy(target, pid, {
        metadata: ctx.metadata(`${target.name}-policy`, 'service'),
        spec: {
          ...ctx.mrSpec(),
          forProvider: {
            roleRef: { name: target.name },
            policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
          },
        },
      });

    this.executionRole = role('ExecutionRole', n.executionRole, 'ECS agent: image pull, logs, injected parameters');
    inline(this.executionRole, 'Policy', [
      ...(props.repositoryArn
        ? [
            // GetAuthorizationToken has no resource-level permissions
            { Sid: 'EcrAuth', Effect: 'Allow' as const, Action: 'ecr:GetAuthorizationToken', Resource: '*' },
            {
              Sid: 'EcrPull',
              Effect: 'Allow' as const,
              Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
              Resource: props.repositoryArn,
            },
          ]
        : []),
      {
        Sid: 'WriteLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${arns.logGroup(n.logGroup)}:*`,
      },
      {
        Sid: 'ReadDatabaseParameters',
        Effect: 'Allow',
        Action: 'ssm:GetParameters',
        Resource: props.parameterNames.map((p) => arns.parameter(p)),
      },
    ]);

    this.taskRole = role('TaskRole', n.taskRole, 'Catalog API application');
    inline(this.taskRole, 'Policy', [
      props.keptSecret
        ? {
            Sid: 'ReadDatabaseSecret',
            Effect: 'Allow',
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: props.keptSecret.arn,
          }
        : {
            Sid: 'ReadDatabaseSecret',
            Effect: 'Allow',
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: arns.rdsManagedClusterSecrets(),
            Condition: {
              StringEquals: {
                'secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn': arns.rdsCluster(props.databaseClusterName),
                'secretsmanager:ResourceTag/aws:secretsmanager:owningService': 'rds',
              },
            },
          },
    ]);
  }
}
