/**
 * Edit distance between `a` and `b` (insertions, deletions, substitutions and swaps of two neighbouring characters,
 * each costing 1: the optimal string alignment distance), compared case-insensitively, so `engine_version` is 1 from
 * `engineVersion` and `enviroments` 1 from `environments`.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  // d[i][j]: distance between the first i characters of s and the first j of t
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...new Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) {
    d[0][j] = j;
  }
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[s.length][t.length];
}

/**
 * The known name closest to `given`, if it is close enough to be a likely typo: at most a third of the longer name's
 * length away (at least 1, at most 3 edits). Ties go to the name listed first.
 */
export function closest(given: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const distance = editDistance(given, name);
    const limit = Math.min(3, Math.max(1, Math.floor(Math.max(given.length, name.length) / 3)));
    if (distance <= limit && distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}
