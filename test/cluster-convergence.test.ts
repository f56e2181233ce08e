// The message a cluster scenario fails with when the first sync it builds on did not converge: run alone
// (`npm run test:cluster:scenarios -- -t ImageRollout`), the FirstSync test is skipped, so this is all the user sees.
import { convergenceProblems } from './cluster/harness/checks';

const converged = { degraded: [], notHealthy: [], bindings: [] };

describe('convergenceProblems', () => {
  test('GIVEN a converged first sync WHEN asked why not THEN there is nothing to report', () => {
    expect(convergenceProblems(converged)).toEqual([]);
  });

  test('GIVEN a sync that failed reading the cluster WHEN asked why THEN the reason is given and the usage text is not', () => {
    // GIVEN
    const failure = new Error(
      [
        'sync of catalog-api-platform exited 1:',
        'argocd-harness: cannot read the cluster at https://127.0.0.1:35043: context deadline exceeded',
        'usage:',
        '  argocd-harness health [--argocd-cm <file>] < objects.json',
      ].join('\n'),
    );
    // WHEN
    const problems = convergenceProblems({ ...converged, failure });
    // THEN
    expect(problems).toEqual([
      'sync of catalog-api-platform exited 1: argocd-harness: cannot read the cluster at https://127.0.0.1:35043: context deadline exceeded',
    ]);
  });

  test('GIVEN objects Degraded, not Healthy and a late-bound field unset WHEN asked why THEN each is named', () => {
    // GIVEN
    const outcome = {
      degraded: ['Service catalog-api-pr1/ecs-service-pr1 at 12s: tasks failed'],
      notHealthy: ['LB catalog-api-pr1/alb-pr1: Progressing waiting for DNS name'],
      bindings: [
        {
          ok: false,
          object: 'Object catalog-api-pr1/outputs-pr1',
          toFieldPath: 'data.albDnsName',
          source: 'LB catalog-api-pr1/alb-pr1',
          fieldPath: 'status.atProvider.dnsName',
        },
        { ok: true, object: 'Object catalog-api-pr1/x', toFieldPath: 'a', source: 'B c/d', fieldPath: 'e' },
      ],
    };
    // WHEN
    const problems = convergenceProblems(outcome);
    // THEN
    expect(problems).toEqual([
      'ever Degraded: Service catalog-api-pr1/ecs-service-pr1 at 12s: tasks failed',
      'not Healthy: LB catalog-api-pr1/alb-pr1: Progressing waiting for DNS name',
      'Object catalog-api-pr1/outputs-pr1: data.albDnsName does not hold LB catalog-api-pr1/alb-pr1 status.atProvider.dnsName',
    ]);
  });

  test('GIVEN more problems than the limit WHEN asked why THEN the first ones are named and the rest counted', () => {
    const notHealthy = Array.from({ length: 13 }, (_, i) => `Subnet ns/s${i}: Progressing`);
    const problems = convergenceProblems({ ...converged, notHealthy }, 10);
    expect(problems).toHaveLength(11);
    expect(problems[10]).toBe('... and 3 more');
  });
});
