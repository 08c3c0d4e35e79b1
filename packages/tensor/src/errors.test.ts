import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_LENGTH, RnnkitError, formatCount, printable } from './index.js';

describe('printable', () => {
  it('should turn terminal controls into visible escapes', () => {
    // OSC 0 (set the window title), a clear-screen CSI, DEL and a C1 CSI.
    expect(printable('a\x1b]0;owned\x07b\x1b[2Jc\x7fd\x9be')).toBe('a\\x1b]0;owned\\x07b\\x1b[2Jc\\x7fd\\x9be');
    expect(printable('one\ntwo\r\tthree\0')).toBe('one\\ntwo\\r\\tthree\\x00');
  });

  it('should make bidi overrides, invisible characters and lone surrogates visible', () => {
    expect(printable('file\u202eTXT.exe')).toBe('file\\u202eTXT.exe');
    expect(printable('\u2066x\u2069\u200b\ufeff\u2028')).toBe('\\u2066x\\u2069\\u200b\\ufeff\\u2028');
    expect(printable('a\ud800b')).toBe('a\\ud800b');
    expect(printable('tag\u{e0041}')).toBe('tag\\u{e0041}');
  });

  it('should leave ordinary text alone, including accents, emoji and backslashes', () => {
    expect(printable('Température °C — 😀 C:\\data\\x.csv')).toBe('Température °C — 😀 C:\\data\\x.csv');
  });

  it('should cut long text with a count of what was left out', () => {
    expect(printable('x'.repeat(10_000_000), { maxLength: 127 })).toBe(`${'x'.repeat(127)}… (9,999,873 more characters)`);
    expect(printable('abcdef', { maxLength: 5 })).toBe('abcde… (1 more character)');
    expect(printable('a'.repeat(200))).toBe('a'.repeat(200));
    expect(printable('a'.repeat(201))).toBe(`${'a'.repeat(200)}… (1 more character)`);
    // A surrogate pair is kept or dropped whole, never split.
    expect(printable('ab😀', { maxLength: 3 })).toBe('ab… (2 more characters)');
  });

  it('should quote with " and \\ escaped when asked', () => {
    expect(printable('say "hi" \\ \x1b', { quote: true })).toBe('"say \\"hi\\" \\\\ \\x1b"');
    expect(printable('abcdef', { quote: true, maxLength: 2 })).toBe('"ab"… (4 more characters)');
  });
});

describe('formatCount', () => {
  it('should group thousands with commas', () => {
    expect([0, 999, 1000, 9_999_873, 4_294_967_296].map(formatCount)).toEqual(['0', '999', '1,000', '9,999,873', '4,294,967,296']);
  });
});

describe('RnnkitError', () => {
  it('should never carry a raw control character, whatever the call site passed', () => {
    const error = new RnnkitError('loadModel', 'layer "\x1b]0;owned\x07\u202e" is unknown');
    expect(error.message).toBe('loadModel: layer "\\x1b]0;owned\\x07\\u202e" is unknown');
    expect(error.message).toBe(printable(error.message)); // nothing left to escape
  });

  it('should cap a message that quotes a whole file', () => {
    const error = new RnnkitError('parseScada', `columns found: ${'y'.repeat(1_000_000)}`);
    expect(error.message).toHaveLength(MAX_MESSAGE_LENGTH + '… (996,027 more characters)'.length);
    expect(error.message.endsWith('… (996,027 more characters)')).toBe(true);
  });
});
