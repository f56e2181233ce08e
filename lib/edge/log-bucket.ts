import { Construct } from 'constructs';
import * as s3 from '../../imports/s3.aws.m.upbound.io';
import { EnvironmentContext } from '../common/context';
import { regionInfo } from '../config/regions';

/** Prefix the load balancer writes access logs under. */
export const ACCESS_LOG_PREFIX = 'alb';

export interface LogBucketProps {
  readonly context: EnvironmentContext;
}

/**
 * The ALB access-log bucket: SSE-S3 (the only encryption ALB log delivery supports), all public access blocked,
 * bucket-owner-enforced ownership (no ACLs), TLS-only, expiry after the configured days (seed: 30), and a policy that
 * lets ELB log delivery write under `alb/AWSLogs/<account>/`. The name ends in the account id to be globally unique.
 */
export class LogBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: LogBucketProps) {
    super(scope, id);
    const ctx = props.context;
    const name = ctx.names.logBucket;
    const region = ctx.region;
    const sub = (suffix: string) => ctx.metadata(`${name}-${suffix}`, 'edge');
    const bucketRef = () => ({ name });

    this.bucket = new s3.Bucket(this, 'Resource', {
      metadata: ctx.statefulMetadata(name, 'edge'),
      spec: {
        ...ctx.mrSpec(),
        managementPolicies: ctx.statefulPolicies(),
        // previews are torn down whole; production keeps its logs (and Crossplane may not delete it anyway)
        forProvider: { region, forceDestroy: !ctx.isProduction, tags: ctx.tags(name) },
      },
    });
    new s3.BucketServerSideEncryptionConfiguration(this, 'Encryption', {
      metadata: sub('sse'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region,
          bucketRef: bucketRef(),
          rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
        },
      },
    });
    new s3.BucketPublicAccessBlock(this, 'PublicAccessBlock', {
      metadata: sub('public-access-block'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region,
          bucketRef: bucketRef(),
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
      },
    });
    new s3.BucketOwnershipControls(this, 'Ownership', {
      metadata: sub('ownership'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: { region, bucketRef: bucketRef(), rule: { objectOwnership: 'BucketOwnerEnforced' } },
      },
    });
    new s3.BucketLifecycleConfiguration(this, 'Lifecycle', {
      metadata: sub('lifecycle'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region,
          bucketRef: bucketRef(),
          rule: [
            {
              id: `expire-after-${ctx.config.loadBalancer.accessLogExpirationDays}-days`,
              status: 'Enabled',
              // a non-empty prefix: provider-upjet-aws v2.6.0 reports an empty-prefix filter Ready while nothing
              // reaches AWS (crossplane-contrib/provider-upjet-aws#1986); everything here is under this prefix
              filter: [{ prefix: `${ACCESS_LOG_PREFIX}/` }],
              expiration: [{ days: ctx.config.loadBalancer.accessLogExpirationDays }],
              abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
            },
          ],
        },
      },
    });

    const arn = ctx.arns.bucket(name);
    const logObjects = `${arn}/${ACCESS_LOG_PREFIX}/AWSLogs/${ctx.config.accountId}/*`;
    // regions opened before August 2022 deliver from an ELB account, later ones only as the service principal
    const elbAccount = regionInfo(region).elbLogAccount;
    const statements: unknown[] = [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      ...(elbAccount
        ? [
            {
              Sid: 'ElbAccountLogDelivery',
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${elbAccount}:root` },
              Action: 's3:PutObject',
              Resource: logObjects,
            },
          ]
        : []),
      {
        Sid: 'ElbServiceLogDelivery',
        Effect: 'Allow',
        Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: logObjects,
      },
    ];
    new s3.BucketPolicy(this, 'Policy', {
      metadata: sub('policy'),
      spec: {
        ...ctx.mrSpec(),
        forProvider: {
          region,
          bucketRef: bucketRef(),
          policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
        },
      },
    });
  }
}
