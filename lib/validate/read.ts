import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, Node, parseAllDocuments } from 'yaml';
import { goMapKey, goResolvePlain, GoValue } from './go-yaml';
import { joinPath } from './violation';

/** A plain scalar that kubectl reads differently from a YAML 1.2 reader. */
export interface Reinterpreted {
  /** Field path in kubectl's notation, from the document root. */
  readonly path: string;
  /** 1-based line of the scalar. */
  readonly line: number;
  /** The scalar as written. */
  readonly text: string;
  /** What a YAML 1.2 reader makes of it. */
  readonly yaml12: unknown;
  /** What kubectl and Argo CD make of it (for a key: the JSON key, or undefined when they reject it). */
  readonly kubectl: GoValue | undefined;
  readonly isKey: boolean;
}

export interface ReadDocument {
  /** The document as kubectl and Argo CD decode it. */
  readonly object: unknown;
  readonly reinterpreted: readonly Reinterpreted[];
  /** Parse error (first line), when the document is not valid YAML. */
  readonly error?: string;
}

const same = (a: unknown, b: unknown) => Object.is(a, b) || (typeof a === 'number' && a === b);

/**
 * Reads every document of a YAML text the way kubectl and Argo CD do (sigs.k8s.io/yaml, YAML 1.1, see go-yaml.ts):
 * plain scalars resolve by go-yaml v2's rules, keys become JSON strings. Quoted, block and explicitly tagged
 * scalars are read as the YAML 1.2 parser reads them (both agree on those). Records every plain scalar whose two
 * readings differ.
 */
export function readYamlAsKubectl(text: string): ReadDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { uniqueKeys: true, lineCounter });
  const list = Array.isArray(docs) ? docs : [docs];
  return list.map((doc) => {
    if (doc.errors.length > 0) {
      return { object: undefined, reinterpreted: [], error: doc.errors[0].message.split('\n')[0] };
    }
    const found: Reinterpreted[] = [];
    const lineOf = (n: Node) => (n.range ? lineCounter.linePos(n.range[0]).line : 0);
    const convert = (node: unknown, at: string, doc: Document.Parsed): unknown => {
      if (isAlias(node)) {
        return convert(node.resolve(doc), at, doc);
      }
      if (isMap(node)) {
        const out: Record<string, unknown> = {};
        for (const pair of node.items) {
          const k = pair.key;
          let key: string;
          if (isScalar(k) && k.type === 'PLAIN' && !k.tag && typeof k.source === 'string') {
            const goKey = goMapKey(k.source);
            const yaml12 = k.value === null ? '' : String(k.value);
            if (goKey !== yaml12) {
              found.push({
                path: joinPath(at, yaml12),
                line: lineOf(k),
                text: k.source,
                yaml12,
                kubectl: goKey,
                isKey: true,
              });
            }
            key = goKey ?? yaml12;
          } else {
            key = isScalar(k) ? String(k.value) : JSON.stringify(k);
          }
          out[key] = convert(pair.value, joinPath(at, key), doc);
        }
        return out;
      }
      if (isSeq(node)) {
        return node.items.map((item, i) => convert(item, joinPath(at, i), doc));
      }
      if (isScalar(node)) {
        if (node.type === 'PLAIN' && !node.tag && typeof node.source === 'string') {
          const v = goResolvePlain(node.source);
          if (!same(v, node.value)) {
            found.push({
              path: at || '(object)',
              line: lineOf(node),
              text: node.source,
              yaml12: node.value,
              kubectl: v,
              isKey: false,
            });
          }
          return v;
        }
        return node.value;
      }
      return node === null || node === undefined ? null : (node as Node).toJSON();
    };
    return { object: convert(doc.contents, '', doc), reinterpreted: found };
  });
}
