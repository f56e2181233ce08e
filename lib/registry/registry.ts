import { Construct } from 'constructs';
import * as aws from '../../imports/aws.m.upbound.io';
import * as ecr from '../../imports/ecr.aws.m.upbound.io';
import { ARGO_SYNC_OPTIONS, AWS_PROVIDER_CONFIG, LABELS, PROJECT } from '../common/context';
import { DIGEST } from '../config/validate';
import { RegistryConfig } from '../config/types';

/** Untagged images (layers of overwritten pushes, failed builds) are expired after this many days. */
export const UNTAGGED_EXPIRY_DAYS = 7;

/** The reference ECS pulls for a tag or a `sha256:` digest in a repository. */
export function imageReference(repositoryUri: string, tagOrDigest: string): string {
  return DIGEST.test(tagOrDigest) ? `${repositoryUri}@${tagOrDigest}` : `${repositoryUri}:${tagOrDigest}`;
}

/** Where the shared repository is, for the environments that pull from it. */
export function repositoryLocation(r: RegistryConfig): { readonly uri: string; readonly arn: string } {
  return {
    uri: `${r.accountId}.dkr.ecr.${r.region}.amazonaws.com/${r.name}`,
    arn: `arn:aws:ecr:${r.region}:${r.accountId}:repository/${r.name}`,
  };
}

export interface SharedRegistryProps {
  readonly registry: RegistryConfig;
  /** Namespace of the repository object and its ProviderConfig (the platform Application's destination). */
  readonly namespace: string;
}

/**
 * The one image repository of the stack, created once with the platform (before any environment) rather than per
 * environment: the application's CI pushes each build to it, and every environment names an immutable tag or digest
 * in it, so a new environment pulls an image that already exists (docs/adr/0003-rollouts-and-images.md).
 *
 * Seed settings kept: AES-256 encryption, scan on push. Tags are immutable, so a tag names one image forever. Only
 * untagged images expire: a count-based rule could expire the image an environment still runs. It holds every
 * environment's images, so Crossplane and Argo CD may never delete it. It uses the providers' own IRSA identity, so
 * it lives in that role's account; an environment in another account needs a repository policy granting it pulls
 * (not managed here).
 */
export class SharedRegistry extends Construct {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: SharedRegistryProps) {
    super(scope, id);
    const r = props.registry;
    const metadata = (name: string, annotations: Record<string, string> = {}) => ({
      name,
      namespace: props.namespace,
      labels: { [LABELS.partOf]: PROJECT, [LABELS.component]: 'registry' },
      ...(Object.keys(annotations).length ? { annotations } : {}),
    });
    const tags = (name: string) => ({ Environment: 'shared', Project: PROJECT, Name: name });
    const providerConfig = new aws.ProviderConfig(this, 'ProviderConfig', {
      metadata: metadata(AWS_PROVIDER_CONFIG),
      spec: { credentials: { source: aws.ProviderConfigSpecCredentialsSource.IRSA } },
    });
    const mrSpec = { providerConfigRef: { kind: providerConfig.kind, name: providerConfig.name } };

    this.repository = new ecr.Repository(this, 'Repository', {
      metadata: metadata(r.name.replace(/[/_.]/g, '-'), {
        'crossplane.io/external-name': r.name,
        [ARGO_SYNC_OPTIONS]: 'Prune=false,Delete=false',
      }),
      spec: {
        ...mrSpec,
        managementPolicies: [
          ecr.RepositorySpecManagementPolicies.OBSERVE,
          ecr.RepositorySpecManagementPolicies.CREATE,
          ecr.RepositorySpecManagementPolicies.UPDATE,
          ecr.RepositorySpecManagementPolicies.LATE_INITIALIZE,
        ],
        forProvider: {
          region: r.region,
          encryptionConfiguration: [{ encryptionType: 'AES256' }],
          imageScanningConfiguration: { scanOnPush: true },
          imageTagMutability: 'IMMUTABLE',
          forceDelete: false,
          tags: tags(r.name),
        },
      },
    });
    const rules = [
      {
        rulePriority: 1,
        description: `expire untagged images after ${UNTAGGED_EXPIRY_DAYS} days`,
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: UNTAGGED_EXPIRY_DAYS,
        },
        action: { type: 'expire' },
      },
    ];
    new ecr.LifecyclePolicy(this, 'LifecyclePolicy', {
      metadata: metadata(`${this.repository.name}-lifecycle`),
      spec: {
        ...mrSpec,
        forProvider: {
          region: r.region,
          repositoryRef: { name: this.repository.name },
          policy: JSON.stringify({ rules }),
        },
      },
    });
  }
}
