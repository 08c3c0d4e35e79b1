import { describe, expect, it } from 'vitest';
import { centralEuropeanOffset, formatDateTime, parseDateTime } from './date-time.js';

describe('parseDateTime', () => {
  it('should give the UTC instant of a local time and its offset', () => {
    expect(parseDateTime('2013-01-01T00:00:00+01:00')).toBe(Date.UTC(2012, 11, 31, 23, 0));
    expect(parseDateTime('2013-07-01T12:30:00+02:00')).toBe(Date.UTC(2013, 6, 1, 10, 30));
    expect(parseDateTime('2013-07-01T12:30:00-03:30')).toBe(Date.UTC(2013, 6, 1, 16, 0));
    expect(parseDateTime('2013-07-01T12:30:00Z')).toBe(Date.UTC(2013, 6, 1, 12, 30));
  });

  it('should accept a space separator, no seconds, fractions and compact offsets', () => {
    expect(parseDateTime('2013-07-01 12:30+0200')).toBe(Date.UTC(2013, 6, 1, 10, 30));
    expect(parseDateTime('2013-07-01T12:30:05.25+02')).toBe(Date.UTC(2013, 6, 1, 10, 30, 5, 250));
    expect(parseDateTime(' 2013-07-01T12:30:00Z ')).toBe(Date.UTC(2013, 6, 1, 12, 30));
  });

  it('should order the two 02:30 of the autumn change by their offsets', () => {
    expect(parseDateTime('2013-10-27T02:30:00+02:00')).toBeLessThan(parseDateTime('2013-10-27T02:30:00+01:00'));
  });

  it('should return NaN without an offset and for impossible dates or times', () => {
    for (const text of ['2013-01-01T00:00:00', '2013-02-29T00:00:00Z', '2013-04-31T00:00:00Z', '2013-01-01T24:00:00Z', '2013-01-01T00:60:00Z', '2013-01-01T00:00:00+15:00', '13-01-01T00:00:00Z', '']) {
      expect(parseDateTime(text)).toBeNaN();
    }
    expect(parseDateTime('2012-02-29T00:00:00Z')).toBe(Date.UTC(2012, 1, 29));
  });

  it('should read years 0–99 as written, not as 1900–1999 (a Date.UTC quirk)', () => {
    // Date's ISO parser takes four-digit years literally: an independent oracle.
    expect(parseDateTime('0050-01-01T00:00:00+01:00')).toBe(new Date('0049-12-31T23:00:00Z').getTime());
    expect(new Date(parseDateTime('0050-01-01T00:00:00+01:00')).toISOString()).toBe('0049-12-31T23:00:00.000Z');
    expect(parseDateTime('0000-02-29T12:00:00Z')).toBe(new Date('0000-02-29T12:00:00Z').getTime()); // year 0 is a leap year
    expect(parseDateTime('0096-02-29T00:00:00Z')).toBe(new Date('0096-02-29T00:00:00Z').getTime());
    expect(parseDateTime('0099-12-31T23:59:59.5Z')).toBe(new Date('0099-12-31T23:59:59.500Z').getTime());
    expect(parseDateTime('0100-02-29T00:00:00Z')).toBeNaN(); // 100 is not
    expect(parseDateTime('0097-02-29T00:00:00Z')).toBeNaN();
  });
});

describe('formatDateTime and centralEuropeanOffset', () => {
  it('should write local time with its offset', () => {
    expect(formatDateTime(Date.UTC(2013, 2, 31, 0, 50), 60)).toBe('2013-03-31T01:50:00+01:00');
    expect(formatDateTime(Date.UTC(2013, 2, 31, 1, 0), 120)).toBe('2013-03-31T03:00:00+02:00');
    expect(formatDateTime(0, -90)).toBe('1969-12-31T22:30:00-01:30');
  });

  it('should switch French time at 01:00 UTC on the last Sundays of March and October', () => {
    expect(centralEuropeanOffset(Date.UTC(2013, 2, 31, 0, 59))).toBe(60);
    expect(centralEuropeanOffset(Date.UTC(2013, 2, 31, 1, 0))).toBe(120);
    expect(centralEuropeanOffset(Date.UTC(2013, 9, 27, 0, 59))).toBe(120);
    expect(centralEuropeanOffset(Date.UTC(2013, 9, 27, 1, 0))).toBe(60);
    expect(centralEuropeanOffset(Date.UTC(2016, 2, 27, 1, 0))).toBe(120);
    expect(centralEuropeanOffset(Date.UTC(2016, 2, 26, 1, 0))).toBe(60);
  });

  it('should find the switches of years 0–99 in those years', () => {
    // 27 March 0050 was the last Sunday of March (a proleptic Gregorian calendar).
    expect(new Date('0050-03-27T00:00:00Z').getUTCDay()).toBe(0);
    expect(centralEuropeanOffset(new Date('0050-03-27T00:59:00Z').getTime())).toBe(60);
    expect(centralEuropeanOffset(new Date('0050-03-27T01:00:00Z').getTime())).toBe(120);
    expect(centralEuropeanOffset(new Date('0050-07-01T00:00:00Z').getTime())).toBe(120);
    expect(formatDateTime(new Date('0050-07-01T00:00:00Z').getTime(), 120)).toBe('0050-07-01T02:00:00+02:00');
  });
});
