/**
 * What provider-kubernetes' namespaced Object controller does with `spec.references[].patchesFrom`, reproduced so
 * tests can feed simulated status values through the wiring: read `fieldPath` from the source object, write it to
 * `toFieldPath` (default: the same path) of the wrapped manifest, and apply the manifest only when every source
 * value exists. Field paths use `a.b[0].c` notation, as the controller's fieldpath package does.
 */

import { getField, parseFieldPath } from '../common/field-path';

export { getField };

export function setField(obj: any, p: string, value: unknown): void {
  const segs = parseFieldPath(p);
  let node = obj;
  segs.forEach((seg, i) => {
    if (i === segs.length - 1) {
      node[seg] = value;
      return;
    }
    node[seg] ??= typeof segs[i + 1] === 'number' ? [] : {};
    node = node[seg];
  });
}

export interface WiringResult {
  /** The manifest as it would be applied, or undefined while a source value is missing. */
  readonly applied?: any;
  /** Source values that do not exist (yet). */
  readonly missing: readonly string[];
}

/** Resolves one provider-kubernetes Object against `lookup` (the cluster's objects, with status). */
export function resolveObject(
  object: any,
  lookup: (apiVersion: string, kind: string, namespace: string, name: string) => any,
): WiringResult {
  const manifest = structuredClone(object.spec.forProvider.manifest);
  const missing: string[] = [];
  for (const ref of object.spec.references ?? []) {
    const from = ref.patchesFrom;
    if (!from) continue;
    const source = lookup(from.apiVersion, from.kind, from.namespace, from.name);
    const value = source === undefined ? undefined : getField(source, from.fieldPath);
    if (value === undefined) {
      missing.push(`${from.kind}/${from.namespace}/${from.name} ${from.fieldPath}`);
      continue;
    }
    setField(manifest, ref.toFieldPath ?? from.fieldPath, value);
  }
  return missing.length > 0 ? { missing } : { applied: manifest, missing };
}
