/**
 * How kubectl and Argo CD read a plain (unquoted, untagged) YAML scalar.
 *
 * Both decode manifests with sigs.k8s.io/yaml v1.6.0 (Argo CD v3.5.1 go.mod:132; its SplitYAML,
 * gitops-engine/pkg/utils/kube/kube.go:356, calls `yaml.Unmarshal`; kubectl v0.36.1 reads through
 * k8s.io/apimachinery's YAMLOrJSONDecoder, which calls the same package). That package parses with its go-yaml v2
 * fork, go.yaml.in/yaml/v2 v2.4.3 (Argo CD v3.5.1 go.mod:288), a YAML 1.1 reader. This file ports the fork's
 * `resolve` for an untagged plain scalar (resolve.go:86-197) and sigs.k8s.io/yaml's conversion of map keys to JSON
 * strings (yaml.go:204-249). YAML 1.2 readers (the `yaml` and `js-yaml` packages, editors) read many of these
 * scalars differently: `on` is a string there and `true` here; `0777` is 777 there and 511 here.
 *
 * Rules, in the resolver's order (`in` is the scalar's text):
 *   - `""`, `~`, `null`, `Null`, `NULL` → null; `y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON` → true;
 *     `n|N|no|No|NO|false|False|FALSE|off|Off|OFF` → false; `.nan`, `[+-]?.inf` in three casings → float
 *     (resolve.go:37-47, the lookup happens only when the first byte is one of `+-0-9.yYnNtTfFoO~`, lines 22-30);
 *   - first byte `.`: a float when Go's `strconv.ParseFloat` accepts the whole text (lines 132-137);
 *   - first byte a sign or digit: with every `_` removed, an int when `strconv.ParseInt(s, 0, 64)` or
 *     `ParseUint(s, 0, 64)` accepts it (base prefixes `0b`, `0o`, `0x` in either case, and a leading `0` meaning
 *     octal); else a float when it matches `yamlStyleFloat` and ParseFloat does not overflow; else `0b` followed by
 *     a base-2 ParseInt/ParseUint (which may itself carry a sign), `-0b` likewise (lines 139-191);
 *   - everything else is a string. A timestamp (lines 143-148) is decoded as its text when the target is
 *     `interface{}` (decode.go:474-480), which is what kubectl and Argo CD decode into, so it stays a string.
 */

/** What a scalar decodes to in kubectl's view. Integers beyond 2^53 lose precision but keep their type. */
export type GoValue = string | number | boolean | null;

const MAP: ReadonlyMap<string, GoValue> = new Map<string, GoValue>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s) => [s, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((s) => [s, false] as const),
  ...['', '~', 'null', 'Null', 'NULL'].map((s) => [s, null] as const),
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, NaN] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, Infinity] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, -Infinity] as const),
]);

/** resolve.go:48: a merge key; go-yaml merges the mapping it names, which this port does not model. */
const MERGE_KEY = '<<';

/** resolve.go:21-30: the first byte decides whether the scalar can be anything but a string. */
function hint(c: string): 'S' | 'D' | 'M' | '.' | undefined {
  if (c === '+' || c === '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c === '.') return '.';
  return undefined;
}

const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** strconv.ParseUint(s, base, 64) for a text without underscores; base 0 detects the prefix. */
function parseUint(s: string, base: number): bigint | undefined {
  if (s === '') return undefined;
  let digits = s;
  if (base === 0) {
    base = 10;
    if (s[0] === '0') {
      const p = s.length >= 3 ? s[1].toLowerCase() : '';
      [base, digits] =
        p === 'b' ? [2, s.slice(2)] : p === 'o' ? [8, s.slice(2)] : p === 'x' ? [16, s.slice(2)] : [8, s.slice(1)];
    }
  }
  let n = 0n;
  for (const ch of digits) {
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= base) return undefined;
    n = n * BigInt(base) + BigInt(d);
  }
  return n <= UINT64_MAX ? n : undefined;
}

/** strconv.ParseInt(s, base, 64): an optional sign, then ParseUint, within int64. */
function parseInt64(s: string, base: number): bigint | undefined {
  if (s === '') return undefined;
  const neg = s[0] === '-';
  const u = parseUint(s[0] === '+' || s[0] === '-' ? s.slice(1) : s, base);
  if (u === undefined) return undefined;
  if (neg ? u > INT64_MAX + 1n : u > INT64_MAX) return undefined;
  return neg ? -u : u;
}

/** resolve.go:84. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** Go's strconv underscoreOK (atoi.go): underscores only between digits (or after a base prefix). */
function underscoreOk(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1].toLowerCase())) {
    i = 2;
    saw = '0';
    hex = s[1].toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
    } else if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

/**
 * strconv.ParseFloat(s, 64) for a text starting with `.` (the only case resolve.go:134 passes unmodified): a
 * fraction of digits, an optional exponent whose first character is a digit, underscores only between digits, and
 * no overflow.
 */
function parseDotFloat(s: string): number | undefined {
  if (!/^\.[0-9_]*[0-9][0-9_]*([eE][-+]?[0-9][0-9_]*)?$/.test(s) || (s.includes('_') && !underscoreOk(s))) {
    return undefined;
  }
  const v = Number(s.replace(/_/g, ''));
  return Number.isFinite(v) ? v : undefined;
}

type Resolved =
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'null'; readonly value: null }
  | { readonly kind: 'int' | 'uint'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number };

function integer(n: bigint | undefined): Resolved | undefined {
  return n === undefined ? undefined : { kind: n > INT64_MAX ? 'uint' : 'int', value: n };
}

/** resolve.go:86-197 for an untagged plain scalar, with Go's type of the result. */
function resolve(text: string): Resolved {
  if (MAP.has(text)) {
    const v = MAP.get(text)!;
    return v === null
      ? { kind: 'null', value: null }
      : typeof v === 'boolean'
        ? { kind: 'bool', value: v }
        : { kind: 'float', value: v as number };
  }
  const h = hint(text[0]);
  if (h === '.') {
    const f = parseDotFloat(text);
    return f === undefined ? { kind: 'str', value: text } : { kind: 'float', value: f };
  }
  if (h === 'D' || h === 'S') {
    const plain = text.replace(/_/g, '');
    const int = integer(parseInt64(plain, 0) ?? parseUint(plain, 0));
    if (int) return int;
    if (YAML_STYLE_FLOAT.test(plain)) {
      const v = Number(plain);
      if (Number.isFinite(v)) return { kind: 'float', value: v };
    }
    if (plain.startsWith('0b')) {
      const b = integer(parseInt64(plain.slice(2), 2) ?? parseUint(plain.slice(2), 2));
      if (b) return b;
    } else if (plain.startsWith('-0b')) {
      const b = integer(parseInt64(`-${plain.slice(3)}`, 2));
      if (b) return b;
    }
  }
  return { kind: 'str', value: text };
}

/** The value kubectl and Argo CD decode a plain, untagged scalar `text` to (see the file comment). */
export function goResolvePlain(text: string): GoValue {
  const r = resolve(text);
  return typeof r.value === 'bigint' ? Number(r.value) : r.value;
}

/** True when a plain `text` would not reach kubectl as this string: write such a string quoted. */
export function needsQuotes(text: string): boolean {
  return text === MERGE_KEY || resolve(text).kind !== 'str';
}

/**
 * Go's strconv.FormatFloat(v, 'g', -1, 32): the shortest text that reads back as the same float32, in %e form
 * when the decimal exponent is below -4 or at least 6 (ftoa.go's `eprec = 6` for the shortest form).
 */
function formatFloat32(v: number): string {
  const f = Math.fround(v);
  if (Number.isNaN(f)) return '.nan';
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  let p = 1;
  while (p < 9 && Math.fround(Number(f.toPrecision(p))) !== f) p++;
  const [mantissa, expText] = f.toExponential(p - 1).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${mantissa}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return String(Number(f.toPrecision(p)));
}

/**
 * The JSON key sigs.k8s.io/yaml makes of a plain map key (yaml.go:214-249), or undefined when it rejects the key
 * ("unsupported map key": null, or an integer beyond int64) or merges (`<<`, not modelled here).
 */
export function goMapKey(text: string): string | undefined {
  if (text === MERGE_KEY) {
    return undefined;
  }
  const r = resolve(text);
  switch (r.kind) {
    case 'str':
      return r.value;
    case 'bool':
      return String(r.value);
    case 'int':
      return r.value.toString();
    case 'float':
      return formatFloat32(r.value);
    default:
      return undefined;
  }
}
