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

export function formatProblem(source: string, p: ConfigProblem): string {
  return `${source}: ${p.setting}: ${p.problem} (got ${formatValue(p.value)}); ${p.fix}`;
}

/** Thrown for bad user input. The entry point prints `lines` and exits non-zero without a stack trace. */
export class ConfigError extends Error {
  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
    this.name = 'ConfigError';
  }
}
