// The error of the SCADA loader. Names and values from the input are quoted with the CSV
// helpers (escaped, cut to a length) before they are put into a message.
import { RnnkitError, printable } from '@rnnkit/tensor';
import { shown } from '../csv/quote.js';

export { listed, quoted, shown } from '../csv/quote.js';

/**
 * A SCADA input that could not be read. The message names the input, the line and the
 * column; the same facts are fields for programs.
 */
export class ScadaError extends RnnkitError {
  /** The input's name (file path, or `<text>` / `<stream>`). */
  readonly source: string;
  /** 1-based line of the input, when the problem has one. */
  readonly line: number | undefined;
  /** Column name, when the problem is in one column. */
  readonly column: string | undefined;

  constructor(api: string, where: { source: string; line?: number; column?: string; field?: number }, message: string, options?: { cause?: unknown }) {
    // The source and a column may come from the file (or a directory listing): print them safely.
    const parts = [printable(where.source, { maxLength: 1000 })];
    if (where.line !== undefined) parts.push(`line ${where.line}`);
    if (where.column !== undefined) parts.push(`column ${shown(where.column)}${where.field !== undefined ? ` (field ${where.field + 1})` : ''}`);
    super(api, `${parts.join(', ')}: ${message}`, options);
    this.name = 'ScadaError';
    this.source = where.source;
    this.line = where.line;
    this.column = where.column;
  }
}
