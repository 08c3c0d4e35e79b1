// Numbers as CSV exports write them: an optional sign, digits with a decimal separator, an
// optional exponent. Stricter than Number(): `''`, `0x10`, `1_000` and `Infinity` are not numbers.

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The number a trimmed cell holds, or undefined when it holds none. `1e999` gives Infinity:
 * the caller decides how to refuse it.
 */
export function readNumber(text: string, decimal: '.' | ',' = '.'): number | undefined {
  const plain = decimal === ',' ? text.replace(',', '.') : text;
  return NUMBER.test(plain) ? Number(plain) : undefined;
}
