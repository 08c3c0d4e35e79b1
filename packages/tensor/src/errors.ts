/**
 * The one error type rnnkit throws for a mistake in how it was called.
 *
 * Its message always starts with the API that refused (`matmul: …`, `Dense: …`) and says
 * what was expected and what came, so a user can fix the call without reading our sources.
 * `api` carries the same name for programs that want to branch on it.
 */
export class RnnkitError extends Error {
  /** The function, class or option that refused the input, e.g. `"matmul"` or `"Dense"`. */
  readonly api: string;

  constructor(api: string, message: string, options?: { cause?: unknown }) {
    super(`${api}: ${message}`, options);
    this.name = 'RnnkitError';
    this.api = api;
  }
}

/** Formats a shape the way every error message shows it: `[2, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
