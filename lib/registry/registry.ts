import { Construct } from 'constructs';
import * as ecr from '../../imports/ecr.aws.m.upbound.io';
import { EnvironmentContext } from '../common/context';

/** Images kept by the lifecycle policy; older ones are expired. */
export const KEEP_IMAGES = 30;

export interface RegistryProps {
  readonly context: EnvironmentContext;
}

/** The environment's ECR repository: encrypted, scanned on push, old and untagged images expired. */
export class Registry extends Construct {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: RegistryProps) {
    super(scope, id);
    const ctx = props.context;
    const name = ctx.names.repository;
    this.repository = new ecr.Repository(this, 'Resource', {
      metadata: ctx.metadata(name, 'registry'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region: ctx.region,
          encryptionConfiguration: [{ encryptionType: 'AES256' }],
          imageScanningConfiguration: { scanOnPush: true },
          imageTagMutability: 'MUTABLE',
          forceDelete: !ctx.isProduction,
          tags: ctx.tags(name),
        },
      },
    });
    const rules = [
      {
        rulePriority: 1,
        description: 'expire untagged images after 7 days',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: `keep the ${KEEP_IMAGES} most recent images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: KEEP_IMAGES },
        action: { type: 'expire' },
      },
    ];
    new ecr.LifecyclePolicy(this, 'LifecyclePolicy', {
      metadata: ctx.metadata(`${name}-lifecycle`, 'registry'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region: ctx.region,
          repositoryRef: { name: this.repository.name },
          policy: JSON.stringify({ rules }),
        },
      },
    });
  }

  /** The image URI for a tag. */
  imageUri(ctx: EnvironmentContext, tag: string): string {
    return `${ctx.config.accountId}.dkr.ecr.${ctx.region}.amazonaws.com/${this.repository.name}:${tag}`;
  }
}
