import { Construct } from 'constructs';
import * as cloudfront from '../../imports/cloudfront.aws.m.upbound.io';
import * as elbv2 from '../../imports/elbv2.aws.m.upbound.io';
import { EnvironmentContext, POLICY_EXCEPTION_PREFIX } from '../common/context';
import { LateBound } from '../wiring/late-bound';

/** AWS managed policies (global ids, the same in every account). */
export const MANAGED_POLICIES = {
  /** Seed: caches on the path only; neither query strings, headers nor cookies reach the origin. */
  cachingOptimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  /** Forwards every query string, header (except Host) and cookie to the origin. */
  allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
} as const;

const ALL_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];
const READ_METHODS = ['GET', 'HEAD'];

export interface CdnProps {
  readonly context: EnvironmentContext;
  readonly loadBalancer: elbv2.Lb;
}

/**
 * CloudFront in front of the ALB (HTTP origin, default certificate).
 *
 * Cache design: the seed asks for the managed CachingOptimized policy, which keys the cache on the path alone. On
 * an API that paginates and filters with query strings that would serve page 1 for `?page=2`. So:
 *   - default behaviour (`*`, the API): CachingDisabled plus AllViewerExceptHostHeader; every method reaches the
 *     origin with its query string, headers and cookies, nothing is cached;
 *   - configured static paths (default `/static/*`): CachingOptimized, GET/HEAD only. CloudFront forwards no query
 *     string there, so the origin's answer cannot depend on one and a cached answer is never wrong for it.
 * The ALB's DNS name exists only once AWS has created it, so the distribution is late-bound (LateBound).
 */
export class Cdn extends Construct {
  readonly distribution: LateBound;

  constructor(scope: Construct, id: string, props: CdnProps) {
    super(scope, id);
    const ctx = props.context;
    const n = ctx.names;
    const cdn = ctx.config.cdn;
    const originId = props.loadBalancer.name;
    const viewerProtocolPolicy = cdn.viewerProtocolPolicy;
    const exceptions =
      viewerProtocolPolicy === 'allow-all'
        ? {
            [`${POLICY_EXCEPTION_PREFIX}CDN001`]:
              'seed: the API is offered over HTTP and HTTPS (allow-all); set cdn.viewerProtocolPolicy to change it',
          }
        : undefined;

    this.distribution = new LateBound(this, 'Distribution', {
      context: ctx,
      component: 'cdn',
      manifest: (s) =>
        new cloudfront.Distribution(s, 'Resource', {
          metadata: ctx.metadata(n.distribution, 'cdn', exceptions),
          spec: {
            ...ctx.mrSpec(),
            forProvider: {
              enabled: true,
              comment: n.distribution,
              isIpv6Enabled: true,
              httpVersion: 'http2and3',
              priceClass: cdn.priceClass,
              origin: [
                {
                  originId,
                  customOriginConfig: {
                    httpPort: 80,
                    httpsPort: 443,
                    originProtocolPolicy: 'http-only',
                    originSslProtocols: ['TLSv1.2'],
                  },
                },
              ],
              defaultCacheBehavior: {
                targetOriginId: originId,
                viewerProtocolPolicy,
                allowedMethods: ALL_METHODS,
                cachedMethods: READ_METHODS,
                cachePolicyId: MANAGED_POLICIES.cachingDisabled,
                originRequestPolicyId: MANAGED_POLICIES.allViewerExceptHostHeader,
                compress: true,
              },
              orderedCacheBehavior: cdn.cachedPathPatterns.map((pathPattern) => ({
                pathPattern,
                targetOriginId: originId,
                viewerProtocolPolicy,
                allowedMethods: READ_METHODS,
                cachedMethods: READ_METHODS,
                cachePolicyId: MANAGED_POLICIES.cachingOptimized,
                compress: true,
              })),
              restrictions: { geoRestriction: { restrictionType: 'none' } },
              viewerCertificate: { cloudfrontDefaultCertificate: true },
              tags: ctx.tags(n.distribution),
            },
          },
        }),
      patches: [
        {
          from: props.loadBalancer,
          fieldPath: 'status.atProvider.dnsName',
          toFieldPath: 'spec.forProvider.origin[0].domainName',
        },
      ],
    });
  }
}
