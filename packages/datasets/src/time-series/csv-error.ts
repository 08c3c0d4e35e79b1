// The error of the general time-series loader: one line naming the API, the input (when it
// has a name), the line and the column, then what was expected and what came.
import { RnnkitError, printable } from '@rnnkit/tensor';
import { quoted } from '../csv/quote.js';

/** Where in the input a problem is. */
export interface CsvLocation {
  /** The input's name (a file path); omitted for text, bytes and streams. */
  source?: string;
  /** 1-based line of the input. */
  line?: number;
  /** Column name (from the header). */
  column?: string;
}

/**
 * A CSV input that could not be read as a time series, e.g.
 * `parseTimeSeries: line 7, column "speed": expected a number, got "abc"`. The same facts
 * are fields for programs.
 */
export class CsvError extends RnnkitError {
  /** The file path, when the input was a file. */
  readonly source: string | undefined;
  /** 1-based line of the input, when the problem has one. */
  readonly line: number | undefined;
  /** Column name, when the problem is in one column. */
  readonly column: string | undefined;

  constructor(api: string, where: CsvLocation, message: string, options?: { cause?: unknown }) {
    // The path and the column name may come from outside (a file, a directory listing): print them safely.
    const parts: string[] = [];
    if (where.source !== undefined) parts.push(printable(where.source, { maxLength: 1000 }));
    if (where.line !== undefined) parts.push(`line ${where.line}`);
    if (where.column !== undefined) parts.push(`column ${quoted(where.column)}`);
    super(api, parts.length > 0 ? `${parts.join(', ')}: ${message}` : message, options);
    this.name = 'CsvError';
    this.source = where.source;
    this.line = where.line;
    this.column = where.column;
  }
}
