import { Construct } from 'constructs';
import * as iam from '../../imports/iam.aws.m.upbound.io';
import { EnvironmentContext } from '../common/context';

export interface TaskRolesProps {
  readonly context: EnvironmentContext;
  /** ARN of the DB credentials secret (without the random suffix). */
  readonly secretName: string;
  /** SSM parameters the ECS agent injects into the container. */
  readonly parameterNames: readonly string[];
  /** Repository the image comes from, when it is the environment's own. */
  readonly repositoryName?: string;
}

interface Statement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string | string[];
  readonly Resource: string | string[];
}

/**
 * The two task roles, least privilege, as inline policies naming exact resources:
 *   - execution role (used by the ECS agent): pull from the environment's repository, write to its log group, and
 *     read the DB secret and endpoint parameters it injects as `secrets` (AmazonECSTaskExecutionRolePolicy would
 *     grant ECR and logs on every resource and still not the secret);
 *   - task role (used by the application): read only the DB credentials secret (seed).
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

    this.executionRole = role('ExecutionRole', n.executionRole, 'ECS agent: image pull, logs, injected secrets');
    const readSecret: Statement = {
      Sid: 'ReadDatabaseSecret',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: arns.secretPattern(props.secretName),
    };
    inline(this.executionRole, 'Policy', [
      ...(props.repositoryName
        ? [
            // GetAuthorizationToken has no resource-level permissions
            { Sid: 'EcrAuth', Effect: 'Allow' as const, Action: 'ecr:GetAuthorizationToken', Resource: '*' },
            {
              Sid: 'EcrPull',
              Effect: 'Allow' as const,
              Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
              Resource: arns.repository(props.repositoryName),
            },
          ]
        : []),
      {
        Sid: 'WriteLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${arns.logGroup(n.logGroup)}:*`,
      },
      readSecret,
      {
        Sid: 'ReadDatabaseEndpoints',
        Effect: 'Allow',
        Action: 'ssm:GetParameters',
        Resource: props.parameterNames.map((p) => arns.parameter(p)),
      },
    ]);

    this.taskRole = role('TaskRole', n.taskRole, 'Catalog API application');
    inline(this.taskRole, 'Policy', [readSecret]);
  }
}
