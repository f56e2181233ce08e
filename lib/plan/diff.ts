/** One changed leaf: `before` undefined when it was added, `after` undefined when it was removed. */
export interface FieldChange {
  /** Dotted path from the object root; list items as `[i]`; inside a JSON string the path continues into it. */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * A string holding a JSON object or list (IAM policies, container definitions) compares by its parsed value, so
 * reformatting it (pretty-printed, another key order) is no change, and a change shows as the JSON field that
 * changed.
 */
function expand(v: unknown): unknown {
  if (typeof v === 'string' && /^\s*[[{]/.test(v)) {
    try {
      return JSON.parse(v) as Json;
    } catch {
      return v;
    }
  }
  return v;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value with object keys sorted at every level, so equal values serialize equally. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) {
    return v.map(canonical);
  }
  if (isRecord(v)) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical(v[k])]),
    );
  }
  return v;
}

const join = (base: string, key: string) => (base ? `${base}.${key}` : key);

/** Leaf-level differences between two values, in a stable order (object keys sorted, list items by index). */
export function diffValues(before: unknown, after: unknown, path = ''): FieldChange[] {
  const a = expand(before);
  const b = expand(after);
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffValues(a[k], b[k], join(path, k)));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length === b.length) {
      return a.flatMap((item, i) => diffValues(item, b[i], `${path}[${i}]`));
    }
    // items inserted or dropped: report whole items that are not in the other list, not every shifted index
    const key = (v: unknown) => JSON.stringify(canonical(expand(v)));
    const inA = new Set(a.map(key));
    const inB = new Set(b.map(key));
    return [
      ...a.flatMap((item, i) => (inB.has(key(item)) ? [] : [{ path: `${path}[${i}]`, before: item }])),
      ...b.flatMap((item, i) => (inA.has(key(item)) ? [] : [{ path: `${path}[${i}]`, after: item }])),
    ];
  }
  if (a === undefined && b === undefined) {
    return [];
  }
  if (isRecord(a) || Array.isArray(a) || isRecord(b) || Array.isArray(b)) {
    // a whole subtree appeared, vanished or changed type: report its leaves, so each maps to a field
    if (a === undefined || b === undefined) {
      return leaves(a ?? b, path).map(([p, v]) => (a === undefined ? { path: p, after: v } : { path: p, before: v }));
    }
    return [{ path, before: a, after: b }];
  }
  return Object.is(a, b) ? [] : [{ path, ...(a !== undefined && { before: a }), ...(b !== undefined && { after: b }) }];
}

/** The leaves of a value as `[path, value]`; an empty object or list is a leaf itself. */
export function leaves(v: unknown, path = ''): [string, unknown][] {
  const x = expand(v);
  if (isRecord(x) && Object.keys(x).length > 0) {
    return Object.keys(x)
      .sort()
      .flatMap((k) => leaves(x[k], join(path, k)));
  }
  if (Array.isArray(x) && x.length > 0) {
    return x.flatMap((item, i) => leaves(item, `${path}[${i}]`));
  }
  return [[path, x]];
}
