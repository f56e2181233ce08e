import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';

/** JSON → CEL values as the API server hands an object to admission CEL: maps, lists, whole numbers as int. */
function toCel(v: any): any {
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)]));
  return typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v;
}

const env = celEnv();

/** The expression's value for the given variables, or the error it raised (returned, never thrown). */
export function evaluate(expression: string, vars: Record<string, unknown>): unknown {
  try {
    return plan(env, parse(expression))(Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, toCel(v)])));
  } catch (e) {
    return e;
  }
}

/**
 * What the API server's admission does with a ValidatingAdmissionPolicy and a Deny binding for one CREATE: a rule
 * must match the object's group and resource (`*` or the plural of its kind), every match condition must be true,
 * then every validation must evaluate to true (an error or false denies, failurePolicy Fail).
 * Returns whether the policy matched and the messages of the failed validations.
 */
export function admit(policy: any, object: any): { matched: boolean; denied: string[] } {
  const request = { namespace: object.metadata.namespace, operation: 'CREATE' };
  const [group] = object.apiVersion.split('/');
  const plural = `${object.kind.toLowerCase()}s`;
  const rule = policy.spec.matchConstraints.resourceRules.find(
    (r: any) => r.apiGroups.includes(group) && (r.resources.includes('*') || r.resources.includes(plural)),
  );
  if (!rule) return { matched: false, denied: [] };
  for (const c of policy.spec.matchConditions ?? []) {
    if (evaluate(c.expression, { object, request }) !== true) return { matched: false, denied: [] };
  }
  const denied = policy.spec.validations
    .filter((v: any) => {
      const r = evaluate(v.expression, { object, request });
      return isCelError(r) || r instanceof Error || r !== true;
    })
    .map((v: any) => v.message);
  return { matched: true, denied };
}
