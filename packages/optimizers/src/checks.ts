/** Small validators for plugin `validate` functions: each returns a problem or undefined. */

/** `value` must lie in [low, high) (or [low, high] when `closed`). */
export function inRange(key: string, value: number, low: number, high: number, closed = false): string | undefined {
  const ok = value >= low && (closed ? value <= high : value < high);
  return ok ? undefined : `${key} must be in [${low}, ${high}${closed ? ']' : ')'}, got ${value}`;
}

/** `value` must be ≥ 0. */
export function nonNegative(key: string, value: number): string | undefined {
  return value >= 0 ? undefined : `${key} must be ≥ 0, got ${value}`;
}

/** The first problem of several checks. */
export function firstProblem(...problems: (string | undefined)[]): string | undefined {
  return problems.find((problem) => problem !== undefined);
}
