/** One finding, in kubectl's terms: which file and object, which field, what is wrong, which rule. */
export interface Violation {
  readonly file: string;
  /** 1-based line in the file, when the finding is about how a scalar is written. */
  readonly line?: number;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** Field path in kubectl's notation (`spec.forProvider.defaultAction[1]`), or `(object)`. */
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

export function formatViolation(v: Violation): string {
  const ns = v.namespace ? `${v.namespace}/` : '';
  const where = v.line ? `${v.file}:${v.line}` : v.file;
  return `${where}: ${v.kind}/${ns}${v.name}: ${v.path}: ${v.message} [${v.rule}]`;
}

/** A finding about one object, before the file and object are attached. */
export interface FieldError {
  readonly path: string;
  readonly rule: string;
  readonly message: string;
  /** The API server's error type, for deciding whether CEL still runs (`hasBlockingErr`). */
  readonly type?:
    'NotSupported' | 'Required' | 'TooLong' | 'TooMany' | 'TypeInvalid' | 'Invalid' | 'Duplicate' | 'Forbidden';
}

/** `/spec/forProvider/defaultAction/1` → `spec.forProvider.defaultAction[1]`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '' || pointer === '/') {
    return '(object)';
  }
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${base}[${key}]`;
  }
  return base ? `${base}.${key}` : key;
}
