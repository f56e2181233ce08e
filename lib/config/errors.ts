/** One configuration problem: which setting, what was received, how to fix it. */
export interface ConfigProblem {
  readonly setting: string;
  readonly value: unknown;
  readonly problem: string;
  readonly fix: string;
}

export function formatValue(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  const s = JSON.stringify(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** `1 file`, `2 files`: a number with its noun in the right number (nouns with a plain -s plural). */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function formatProblem(source: string, p: ConfigProblem): string {
  return `${source}: ${p.setting}: ${p.problem} (got ${formatValue(p.value)}); ${p.fix}`;
}

/** A problem the user can fix (input or set-up). Entry points print `lines` and exit non-zero, no stack trace. */
export class UserError extends Error {
  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
    this.name = 'UserError';
  }
}

/** Bad configuration: one line per problem, naming the setting, the value received and the fix. */
export class ConfigError extends UserError {
  constructor(lines: readonly string[]) {
    super(lines);
    this.name = 'ConfigError';
  }
}
