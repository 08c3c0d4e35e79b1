/** A mistake the user can fix (bad flag, unreadable file): printed as one line, exit code 1. */
export class DemoError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'DemoError';
    this.exitCode = exitCode;
  }
}
