import { describe, expect, it } from 'vitest';
import { MAX_INPUT_DEPTH, describeJsonValue, parseInputJson } from './input-json.js';

describe('parseInputJson', () => {
  it('should parse JSON text, after a byte-order mark too', () => {
    expect(parseInputJson('[[1, 2]]', 'in.json')).toEqual([[1, 2]]);
    expect(parseInputJson('\ufeff[[1, 2]]', 'in.json')).toEqual([[1, 2]]);
  });

  it('should refuse nesting deeper than the bound, naming line and column, but not count brackets in strings', () => {
    expect(MAX_INPUT_DEPTH).toBe(32);
    expect(() => parseInputJson(`{"a":\n  ${'['.repeat(1_000_000)}`, 'in.json')).toThrow('input in.json nests lists or objects deeper than 32 levels (line 2, column 34)');
    expect(parseInputJson(`["${'['.repeat(100)}", "\\"["]`, 'in.json')).toEqual(['['.repeat(100), '"[']);
    const ok = `${'['.repeat(32)}${']'.repeat(32)}`;
    expect(() => parseInputJson(ok, 'in.json')).not.toThrow();
  });

  it('should escape what the parser quotes from invalid text', () => {
    expect(() => parseInputJson('\x1b]2;x\x07', 'in.json')).toThrow(/^input in\.json is not valid JSON: Unexpected token '\\x1b', "\\x1b]2;x\\x07" is not valid JSON$/);
  });
});

describe('describeJsonValue', () => {
  it('should name overflowed numbers, quote strings safely and count lists', () => {
    expect(describeJsonValue(JSON.parse('1e400'))).toBe('a number too large for a double (Infinity once read; at most ±1.8e308)');
    expect(describeJsonValue(JSON.parse('-1e400'))).toBe('a number too large for a double (-Infinity once read; at most ±1.8e308)');
    expect(describeJsonValue(1.5)).toBe('1.5');
    expect(describeJsonValue('\u202eab')).toBe('"\\u202eab"');
    expect(describeJsonValue([1, [2]])).toBe('a list of 2 items');
    expect(describeJsonValue([[]])).toBe('a list of 1 item');
    expect([null, true, {}].map(describeJsonValue)).toEqual(['null', 'true', 'an object']);
  });
});
