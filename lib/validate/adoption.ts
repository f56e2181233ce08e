import {
  ADOPTION_CREATE_ANNOTATION,
  ADOPTION_PHASE_ANNOTATION,
  adoptedPolicies,
  EXTERNAL_NAME,
} from '../adoption/policies';
import { isAwsManaged } from '../adoption/desired';
import { RULE_BY_KIND } from '../adoption/kinds';
import { groupOf } from './objects';
import type { PolicyRule } from './policy';
import { FieldError } from './violation';

/**
 * ADOPT001: in an environment taken over from Terraform (its Namespace carries the adoption phase), every managed
 * resource names the AWS resource it adopts (`crossplane.io/external-name`) or says why it is created anew; without
 * either, Crossplane would create a second resource next to the one that runs. Adopted resources carry the phase's
 * management policies.
 */
export const ADOPTION_RULE: PolicyRule = {
  id: 'ADOPT001',
  title: 'an adopted environment names the AWS resource of every managed resource',
  check(o, index) {
    const obj = o.object;
    if (!isAwsManaged(obj)) return [];
    const ns = obj.metadata?.namespace;
    const phase = index.get('v1', 'Namespace', undefined, ns)?.object?.metadata?.annotations?.[
      ADOPTION_PHASE_ANNOTATION
    ];
    if (phase === undefined) return [];
    const annotations: Record<string, string> = obj.metadata?.annotations ?? {};
    const errs: FieldError[] = [];
    if (annotations[EXTERNAL_NAME] === undefined && annotations[ADOPTION_CREATE_ANNOTATION] === undefined) {
      errs.push({
        path: 'metadata.annotations',
        rule: 'ADOPT001',
        message: `Required: environment ${ns} is adopted (phase ${phase}) but this resource has no ${EXTERNAL_NAME}; run \`npm run adopt\` for it again (with --lookup for the ids the report asks for)`,
      });
      return errs;
    }
    if (annotations[ADOPTION_CREATE_ANNOTATION] !== undefined) return errs;
    const rule = RULE_BY_KIND.get(`${groupOf(obj.apiVersion)}/${obj.kind}`);
    const want = adoptedPolicies(
      phase === 'manage' ? 'manage' : 'observe',
      rule?.stateful === true,
      rule?.observeOnly !== undefined,
    );
    const got: string[] = obj.spec?.managementPolicies ?? ['*'];
    if (want && JSON.stringify([...got].sort()) !== JSON.stringify([...want].sort())) {
      errs.push({
        path: 'spec.managementPolicies',
        rule: 'ADOPT001',
        message: `Invalid: an adopted resource in phase ${phase} needs ${JSON.stringify(want)}, not ${JSON.stringify(got)}`,
      });
    }
    return errs;
  },
};
