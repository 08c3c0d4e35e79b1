import { RnnkitError, describeValue } from '@rnnkit/tensor';
import type { StateValue } from './plugin.js';

/** A JSON value: what saved optimizer state is made of. */
export type JsonValue = number | boolean | string | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Numbers JSON cannot hold exactly are written as strings: JSON has no NaN or infinities,
 * and `JSON.stringify(-0)` is `"0"`. Keeping them exact is what makes a saved state continue
 * bit for bit (a sign-based rule such as Lion sees the difference between 0 and −0).
 */
type SpecialNumber = 'NaN' | 'Infinity' | '-Infinity' | '-0';

function encodeNumber(x: number): number | SpecialNumber {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (Object.is(x, -0)) return '-0';
  return x;
}

function decodeNumber(api: string, x: unknown, path: string): number {
  if (typeof x === 'number') return x;
  switch (x) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
    default:
      throw new RnnkitError(api, `expected a number at ${path}, got ${JSON.stringify(x)}`);
  }
}

/**
 * Turns plugin state into JSON-safe data, exactly. Typed arrays become
 * `{ $typedArray: 'float32' | 'float64', values: [...] }` (every float32 value is exactly a
 * double, and JSON prints doubles in a form that parses back to the same double); numbers
 * JSON cannot hold become `{ $number: 'NaN' }` and the like.
 */
export function encodeState(api: string, value: StateValue, path = 'state'): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    const encoded = encodeNumber(value);
    return typeof encoded === 'number' ? encoded : { $number: encoded };
  }
  if (value instanceof Float32Array || value instanceof Float64Array) {
    const values: (number | string)[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) values[i] = encodeNumber(value[i]!);
    return { $typedArray: value instanceof Float32Array ? 'float32' : 'float64', values };
  }
  if (Array.isArray(value)) return value.map((item, i) => encodeState(api, item as StateValue, `${path}[${i}]`));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === '$typedArray' || key === '$number') {
        throw new RnnkitError(api, `state key "${key}" at ${path} is reserved for the saved format`);
      }
      out[key] = encodeState(api, item, `${path}.${key}`);
    }
    return out;
  }
  throw new RnnkitError(
    api,
    'state must be plain data (numbers, booleans, strings, null, Float32Array, Float64Array, arrays and plain objects), ' +
      `got ${describeValue(value)} at ${path}`,
  );
}

/**
 * Checks that a state is plain data, as {@link encodeState} would, without copying its
 * typed arrays (the runner checks every `init` result this way).
 */
export function checkPlainState(api: string, value: StateValue, path = 'state'): void {
  if (value === null || typeof value !== 'object' || value instanceof Float32Array || value instanceof Float64Array) {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint' || value === undefined) {
      encodeState(api, value, path); // throws the same message
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkPlainState(api, item as StateValue, `${path}[${i}]`));
    return;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) {
    encodeState(api, value, path); // throws the same message
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key === '$typedArray' || key === '$number') encodeState(api, value, path);
    checkPlainState(api, item, `${path}.${key}`);
  }
}

/** Inverse of {@link encodeState}. */
export function decodeState(api: string, value: unknown, path = 'state'): StateValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string' || typeof value === 'number') {
    return value;
  }
  if (Array.isArray(value)) return value.map((item, i) => decodeState(api, item, `${path}[${i}]`));
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('$number' in record) return decodeNumber(api, record.$number, path);
    if ('$typedArray' in record) {
      const dtype = record.$typedArray;
      const values = record.values;
      if ((dtype !== 'float32' && dtype !== 'float64') || !Array.isArray(values)) {
        throw new RnnkitError(api, `expected { $typedArray: "float32" | "float64", values: [...] } at ${path}`);
      }
      const out = dtype === 'float32' ? new Float32Array(values.length) : new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = decodeNumber(api, values[i], `${path}.values[${i}]`);
      return out;
    }
    const out: { [key: string]: StateValue } = {};
    for (const [key, item] of Object.entries(record)) out[key] = decodeState(api, item, `${path}.${key}`);
    return out;
  }
  throw new RnnkitError(api, `expected JSON data at ${path}, got ${describeValue(value)}`);
}

/**
 * Checks that decoded state has the structure of a freshly initialised one (same keys,
 * same typed-array dtypes and lengths), so a state saved for another parameter shape or
 * other options is refused with the path where they differ.
 */
export function checkSameStructure(api: string, template: StateValue, actual: StateValue, path: string): void {
  const fail = (expected: string, got: string): never => {
    throw new RnnkitError(api, `saved state does not fit at ${path}: expected ${expected}, got ${got}`);
  };
  if (template instanceof Float32Array || template instanceof Float64Array) {
    const dtype = template instanceof Float32Array ? 'float32' : 'float64';
    if (!(actual instanceof Float32Array || actual instanceof Float64Array)) {
      return fail(`a ${dtype} array`, describeValue(actual));
    }
    const actualDtype = actual instanceof Float32Array ? 'float32' : 'float64';
    if (actualDtype !== dtype || actual.length !== template.length) {
      fail(`${dtype}[${template.length}]`, `${actualDtype}[${actual.length}]`);
    }
    return;
  }
  if (Array.isArray(template)) {
    if (!Array.isArray(actual)) return fail('an array', describeValue(actual));
    if (actual.length !== template.length) fail(`${template.length} items`, `${actual.length}`);
    template.forEach((item, i) => checkSameStructure(api, item as StateValue, actual[i] as StateValue, `${path}[${i}]`));
    return;
  }
  if (template !== null && typeof template === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual) || ArrayBuffer.isView(actual)) {
      return fail('an object', describeValue(actual));
    }
    const expectedKeys = Object.keys(template).sort();
    const actualKeys = Object.keys(actual).sort();
    if (expectedKeys.join(',') !== actualKeys.join(',')) {
      fail(`keys [${expectedKeys.join(', ')}]`, `[${actualKeys.join(', ')}]`);
    }
    const actualRecord = actual as { readonly [key: string]: StateValue };
    for (const key of expectedKeys) {
      checkSameStructure(
        api,
        (template as { readonly [key: string]: StateValue })[key]!,
        actualRecord[key]!,
        `${path}.${key}`,
      );
    }
    return;
  }
  if (typeof template !== typeof actual && !(template === null || actual === null)) {
    fail(typeof template, describeValue(actual));
  }
}
