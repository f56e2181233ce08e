import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { EnvironmentContext } from '../common/context';

/** curl, pinned by version; runs as its image's non-root user. */
export const SMOKE_TEST_IMAGE = 'curlimages/curl:8.11.1';
const SMOKE_TEST_UID = 100;

export interface SmokeTestProps {
  readonly context: EnvironmentContext;
  /** @default Duration.minutes(10) */
  readonly timeout?: Duration;
}

/**
 * Post-sync smoke test: once Argo CD has synced the environment and every resource is healthy, a Job reads the
 * environment's outputs and checks `/health` through the ALB and through CloudFront, retrying until the timeout.
 * A failure fails the sync with the endpoint that did not answer. Non-root, read-only root filesystem, no service
 * account token, bounded resources.
 */
export class SmokeTest extends Construct {
  readonly job: kplus.Job;

  constructor(scope: Construct, id: string, props: SmokeTestProps) {
    super(scope, id);
    const ctx = props.context;
    const timeout = props.timeout ?? Duration.minutes(10);
    const path = ctx.config.loadBalancer.healthCheckPath;
    const script = [
      'set -eu',
      `deadline=$(( $(date +%s) + ${timeout.toSeconds() - 30} ))`,
      'check() {',
      '  while :; do',
      '    if curl -fsS --max-time 10 -o /dev/null "$2"; then echo "ok: $1 $2"; return 0; fi',
      '    if [ "$(date +%s)" -ge "$deadline" ]; then echo "smoke test failed: $1 $2 did not answer 2xx in time" >&2; exit 1; fi',
      '    sleep 10',
      '  done',
      '}',
      `check alb "http://$albDnsName${path}"`,
      `check cloudfront "https://$cloudfrontDomain${path}"`,
    ].join('\n');

    this.job = new kplus.Job(this, 'Resource', {
      metadata: ctx.metadata(`smoke-test-${ctx.config.suffix}`, 'smoke-test', {
        'argocd.argoproj.io/hook': 'PostSync',
        'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      }),
      activeDeadline: timeout,
      backoffLimit: 0,
      ttlAfterFinished: Duration.hours(24),
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user: SMOKE_TEST_UID, group: SMOKE_TEST_UID },
      containers: [
        {
          name: 'smoke-test',
          image: SMOKE_TEST_IMAGE,
          command: ['/bin/sh', '-c', script],
          envFrom: [kplus.Env.fromConfigMap(kplus.ConfigMap.fromConfigMapName(this, 'Outputs', ctx.names.outputs))],
          securityContext: {
            ensureNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            user: SMOKE_TEST_UID,
            group: SMOKE_TEST_UID,
          },
          resources: {
            cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(200) },
            memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) },
            ephemeralStorage: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
          },
        },
      ],
    });
  }
}
