import * as k8s from '../../imports/kubernetes.m.crossplane.io';
import { apiGroup } from '../common/field-path';

/**
 * How an `Object` decides that its wrapped resource is ready, by the status the wrapped kind reports.
 *
 * provider-kubernetes v1.2.1 supports four policies (internal/controller/namespaced/object/object.go:534-566):
 * `SuccessfulCreate` (Ready once the manifest is applied and up to date, object.go:752-753), `DeriveFromObject`
 * (Ready only when the wrapped object has a `Ready=True` condition, object.go:588-599), `AllTrue` (every condition
 * true) and `DeriveFromCelQuery` (object.go:620-682). The CEL query sees one variable, `object`: the wrapped object
 * as read from the API server, status included, converted through JSON (object.go:628-630, 655-676). Its result
 * must be of type bool (object.go:643); `true` makes the Object Ready, `false` Unavailable, and an evaluation error
 * Unavailable with the error as the condition's message (object.go:554-557).
 *
 * - Kinds without conditions (a ConfigMap) would never become Ready under `DeriveFromObject`, so Argo CD would show
 *   the Object Progressing forever and PostSync hooks would never start: they use `SuccessfulCreate`.
 * - Crossplane managed resources report `Ready` and `Synced` (and upjet's `LastAsyncOperation`). They use a CEL
 *   query that is true when `Ready=True`, and that fails with the wrapped resource's reason and message when
 *   `Synced=False` or `LastAsyncOperation=False`, so a CloudFront distribution or task definition AWS refuses shows
 *   its error on the Object instead of waiting forever.
 */
export type StatusModel = 'none' | 'managed-resource';

/** Prefix of the Ready condition message when the wrapped resource failed: stable, for health checks to match. */
export const WRAPPED_FAILURE_PREFIX = 'wrapped resource failed: ';

/** Conditions whose `False` status means the provider could not apply the wrapped resource. */
export const FAILURE_CONDITIONS = ['Synced', 'LastAsyncOperation'] as const;

const failing = FAILURE_CONDITIONS.map((t) => `c.type == '${t}'`).join(' || ');

/**
 * CEL has no `throw`; indexing a map with a missing key is an evaluation error whose message names the key
 * ("no such key: ..."), so the key carries the wrapped resource's reason and message. The map's values are bool,
 * so the whole expression stays of type bool as the controller requires.
 */
export const MANAGED_RESOURCE_READY_QUERY = [
  `has(object.status) && has(object.status.conditions) && (`,
  `object.status.conditions.exists(c, (${failing}) && c.status == 'False')`,
  ` ? {'': false}['${WRAPPED_FAILURE_PREFIX}' + object.status.conditions`,
  `.filter(c, (${failing}) && c.status == 'False')`,
  `.map(c, c.type + '=False: ' + (has(c.reason) ? c.reason : '') + ': ' + (has(c.message) ? c.message : ''))[0]]`,
  ` : object.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True'))`,
].join('');

/** Built-in kinds an `Object` may wrap, with their status model (none of them has conditions). */
const BUILTIN_STATUS: Readonly<Record<string, StatusModel>> = {
  'v1/ConfigMap': 'none',
};

/**
 * The status model of a wrapped kind: Crossplane managed resources (`*.m.upbound.io`, `*.m.crossplane.io`) have
 * conditions; the listed built-in kinds have none. Any other kind is a programming error: decide its model here.
 */
export function statusModelOf(apiVersion: string, kind: string): StatusModel {
  const group = apiGroup(apiVersion);
  if (group.endsWith('.m.upbound.io') || group.endsWith('.m.crossplane.io')) {
    return 'managed-resource';
  }
  const builtin = BUILTIN_STATUS[`${apiVersion}/${kind}`];
  if (!builtin) {
    throw new Error(`no readiness policy for wrapped kind ${apiVersion}/${kind}: add its status model to readiness.ts`);
  }
  return builtin;
}

/** The `spec.readiness` of an `Object` wrapping `apiVersion`/`kind`. */
export function readinessFor(apiVersion: string, kind: string): k8s.ObjectSpecReadiness {
  return statusModelOf(apiVersion, kind) === 'managed-resource'
    ? { policy: k8s.ObjectSpecReadinessPolicy.DERIVE_FROM_CEL_QUERY, celQuery: MANAGED_RESOURCE_READY_QUERY }
    : { policy: k8s.ObjectSpecReadinessPolicy.SUCCESSFUL_CREATE };
}
