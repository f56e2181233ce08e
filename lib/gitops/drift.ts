import { apiGroup, parseFieldPath } from '../common/field-path';

/** One Argo CD `ignoreDifferences` entry (Application CRD `spec.ignoreDifferences[]`). */
export interface IgnoreDifference {
  readonly group: string;
  readonly kind: string;
  readonly jsonPointers: readonly string[];
}

const REF = /^(.+?)(Refs|Ref|Selector)$/;

const pointer = (segs: readonly (string | number)[]) =>
  `/${segs.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

/**
 * Fields written after Argo CD applied an object, inside a list (JSON pointers from the object's root).
 *
 * A list without `x-kubernetes-list-type: map|set` is atomic under server-side apply: whoever writes any part of it
 * owns all of it. Two writers fill in fields inside such lists after Argo CD applied them:
 * - crossplane-runtime's reference resolver writes each `<field>Ref`/`<field>Refs`/`<field>Selector`'s resolved
 *   value beside it with a server-side apply, field manager `managed.crossplane.io/api-simple-reference-resolver`
 *   and force ownership (crossplane-runtime v2.2.0, pinned by provider-upjet-aws v2.6.0,
 *   pkg/reconciler/managed/api.go:235-262; the default resolver, reconciler.go:614);
 * - provider-kubernetes copies each `references[].patchesFrom` value into its Object's manifest (v1.2.1
 *   internal/controller/namespaced/object/object.go:688-731), and crossplane-runtime persists the Object with an
 *   Update after creating the wrapped resource; inside `manifest` (preserve-unknown-fields) every list is atomic.
 * Argo CD's server-side diff dry-runs its own apply, which replaces the whole list and drops the written field:
 * permanent OutOfSync, and self-heal would fight the writer. So each written field inside a list is ignored by JSON
 * pointer, and `RespectIgnoreDifferences=true` makes a sync carry the live value of that field (see ADR 0004).
 *
 * Every list is treated as possibly atomic here (a superset: ignoring a resolved value in a list-map is harmless, it
 * is never in git); the tests check the result against the pinned CRD schemas.
 */
export function lateWrittenFields(object: any): string[] {
  const out = new Set<string>();
  const walk = (node: any, at: (string | number)[], inList: boolean) => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, [...at, i], true));
      return;
    }
    if (node === null || typeof node !== 'object') {
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      const m = REF.exec(k);
      if (m && inList && at.length > 0) {
        // `fooRef` → `foo`, `fooRefs` → `foos`; a selector may resolve either
        const names = m[2] === 'Ref' ? [m[1]] : m[2] === 'Refs' ? [`${m[1]}s`] : [m[1], `${m[1]}s`];
        for (const n of names) out.add(pointer([...at, n]));
        continue;
      }
      walk(v, [...at, k], inList);
    }
  };
  if (object.kind === 'Object' && apiGroup(object.apiVersion) === 'kubernetes.m.crossplane.io') {
    for (const r of object.spec?.references ?? []) {
      const to = r.toFieldPath ?? r.patchesFrom?.fieldPath;
      if (!to) continue;
      const segs = parseFieldPath(to);
      if (segs.some((s) => typeof s === 'number')) {
        out.add(pointer(['spec', 'forProvider', 'manifest', ...segs]));
      }
    }
  } else if (apiGroup(object.apiVersion).endsWith('.m.upbound.io')) {
    // only managed resources have a reference resolver; `configMapRef` in a Pod is not a reference to resolve
    walk(object.spec, ['spec'], false);
  }
  return [...out].sort();
}

/**
 * The `ignoreDifferences` an Application needs for `objects`: one entry per group and kind, without names, so one
 * ApplicationSet template serves every preview. An ignored pointer must therefore never be a field another object of
 * the same kind sets in git; that would hide its changes, so it is an error.
 */
export function ignoreDifferencesFor(objects: readonly any[]): IgnoreDifference[] {
  const byKind = new Map<string, { group: string; kind: string; pointers: Set<string> }>();
  for (const o of objects) {
    const pointers = lateWrittenFields(o);
    if (pointers.length === 0) continue;
    const key = `${apiGroup(o.apiVersion)}/${o.kind}`;
    const e = byKind.get(key) ?? { group: apiGroup(o.apiVersion), kind: o.kind, pointers: new Set<string>() };
    pointers.forEach((p) => e.pointers.add(p));
    byKind.set(key, e);
  }
  for (const o of objects) {
    const e = byKind.get(`${apiGroup(o.apiVersion)}/${o.kind}`);
    for (const p of e?.pointers ?? []) {
      if (valueAt(o, p) !== undefined) {
        throw new Error(
          `${o.kind}/${o.metadata?.name} sets ${p}, which another ${o.kind} gets from a reference: ` +
            `Argo CD would ignore its changes; give the ignore entry a name`,
        );
      }
    }
  }
  return [...byKind.values()]
    .sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`))
    .map((e) => ({ group: e.group, kind: e.kind, jsonPointers: [...e.pointers].sort() }));
}

/** The value at a JSON pointer, or undefined. */
export function valueAt(obj: any, p: string): unknown {
  let node = obj;
  for (const raw of p.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[Number(seg)] : node[seg];
  }
  return node;
}
