import { goUnitTests } from './harness/binaries';

/**
 * The Argo CD emulation's own rules (project permission checks, which objects the deletion finalizer deletes and in
 * which wave order, which hooks a sync leaves out, RespectIgnoreDifferences, the repo server's tracking annotation)
 * as Go unit tests of test/cluster/go/argocd, run against Argo CD v3.5.1's own packages; and the SIMULATED AWS
 * provider's (test/cluster/go/simaws: lifecycle, reference resolution, deletion under management policies, the
 * inventory an adoption observes).
 */
describe('argocd-harness', () => {
  test('GIVEN the harness module WHEN its Go unit tests run THEN every test passes', () => {
    expect(goUnitTests('argocd')).toEqual({ status: 0, output: expect.stringMatching(/^ok\s/) });
  }, 1_800_000);
});

describe('simulated-aws', () => {
  test('GIVEN the SIMULATED provider module WHEN its Go unit tests run THEN every test passes', () => {
    expect(goUnitTests('simaws')).toEqual({ status: 0, output: expect.stringMatching(/^ok\s/) });
  }, 1_800_000);
});
