import type { Adoption } from '../config/adoption';

export const EXTERNAL_NAME = 'crossplane.io/external-name';
/** On the environment's Namespace: the environment is adopted, and in which phase. */
export const ADOPTION_PHASE_ANNOTATION = 'adoption.catalog-api/phase';
/** On a managed resource of an adopted environment that is created anew: why that is safe. */
export const ADOPTION_CREATE_ANNOTATION = 'adoption.catalog-api/create';

/** Everything but Delete: deleting the object (or its namespace) orphans the AWS resource. */
export const WITHOUT_DELETE = ['Observe', 'Create', 'Update', 'LateInitialize'];

/** Only Observe: Crossplane reads the AWS resource and never writes to it. */
export const OBSERVE_ONLY = ['Observe'];

/**
 * Late binding keeps working in observe: upjet fills `status.atProvider` on every observation whatever the policies
 * and late-initializes the spec only with LateInitialize (crossplane/upjet@59c45527ebe4, the version
 * provider-upjet-aws v2.6.0 pins, pkg/controller/external_tfpluginsdk.go:573-584), and provider-kubernetes reads a
 * `patchesFrom` source's field without looking at its policies (v1.2.1
 * internal/controller/namespaced/object/object.go:688-716).
 *
 * The management policies of an adopted resource in a phase, or undefined to keep the ones the construct set.
 * Observe never writes to AWS (crossplane-runtime v2.2.0 pkg/reconciler/managed/reconciler.go:1456-1462 skips the
 * update, and :1140-1145 reports a missing resource instead of creating it); manage keeps stateful resources
 * without Delete whatever the profile. A kind adopted observe-only (the secret of a kept database password,
 * KindRule.observeOnly) stays Observe in manage too.
 */
export function adoptedPolicies(
  phase: Adoption['phase'],
  stateful: boolean,
  observeOnly = false,
): string[] | undefined {
  if (phase === 'observe' || observeOnly) return OBSERVE_ONLY;
  return stateful ? WITHOUT_DELETE : undefined;
}
