/**
 * Field paths in the `a.b[0].c` notation Crossplane and provider-kubernetes use (fieldpath package), and API groups.
 * One parser for the wiring, its simulation, and the validator's checks.
 */

export type Segment = string | number;

export function parseFieldPath(p: string): Segment[] {
  const out: Segment[] = [];
  for (const part of p.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      throw new Error(`invalid field path '${p}'`);
    }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

export function getField(obj: any, p: string): unknown {
  return parseFieldPath(p).reduce((node, seg) => (node == null ? undefined : node[seg]), obj);
}

/** The API group of an apiVersion (`''` for the core group's `v1`). */
export function apiGroup(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}
