import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_SCADA_COLUMNS, scadaSampleOptions, syntheticScadaCsv } from './synthetic.js';

const text = (options?: Parameters<typeof syntheticScadaCsv>[0]) => [...syntheticScadaCsv(options)].join('');

describe('syntheticScadaCsv', () => {
  it('should reproduce the committed fixture byte for byte (rerun scripts/make-fixture.ts after changing it)', () => {
    const fixture = readFileSync(new URL('../../fixtures/la-haute-borne-sample.csv', import.meta.url), 'utf8');
    expect(text(scadaSampleOptions)).toBe(fixture);
  });

  it('should write the header and exactly the number of rows asked', () => {
    const lines = text({ rows: 1234, seed: 4 }).trimEnd().split('\n');
    expect(lines[0]).toBe(SYNTHETIC_SCADA_COLUMNS.join(';'));
    expect(lines).toHaveLength(1235);
    expect(lines.every((line) => line.split(';').length === SYNTHETIC_SCADA_COLUMNS.length)).toBe(true);
  });

  it('should write French local times whose offset changes at the switch to summer time', () => {
    const rows = text().trimEnd().split('\n').slice(1).map((line) => line.split(';'));
    const offsets = rows.map((row) => row[1]!.slice(-6));
    expect(offsets[0]).toBe('+01:00');
    expect(offsets.at(-1)).toBe('+02:00');
    // Local time jumps from 01:50 to 03:00: no 02:xx on 2013-03-31.
    expect(rows.some((row) => row[1]!.startsWith('2013-03-31T02'))).toBe(false);
    expect(new Set(rows.map((row) => row[0]))).toEqual(new Set(['R80711', 'R80721', 'R80736', 'R80790']));
  });

  it('should leave cells empty and rows out at roughly the asked rates', () => {
    const rows = text({ rows: 20_000, missingRate: 0.1, gapRate: 0.2, turbines: ['A'] }).trimEnd().split('\n').slice(1);
    const cells = rows.flatMap((row) => row.split(';').slice(2));
    const empty = cells.filter((cell) => cell === '').length / cells.length;
    expect(empty).toBeGreaterThan(0.09);
    expect(empty).toBeLessThan(0.11);
    const first = Date.parse(rows[0]!.split(';')[1]!);
    const last = Date.parse(rows.at(-1)!.split(';')[1]!);
    const slots = (last - first) / 600_000 + 1;
    expect(rows.length / slots).toBeGreaterThan(0.78);
    expect(rows.length / slots).toBeLessThan(0.82);
  });

  it('should honour the byte-order mark, line ending and seed', () => {
    const crlf = text({ rows: 5, bom: true, lineEnding: '\r\n' });
    expect(crlf.startsWith('\ufeffWind_turbine_name;')).toBe(true);
    expect(crlf.split('\r\n')).toHaveLength(7);
    expect(text({ rows: 50, seed: 1 })).toBe(text({ rows: 50, seed: 1 }));
    expect(text({ rows: 50, seed: 1 })).not.toBe(text({ rows: 50, seed: 2 }));
  });

  it('should refuse bad options', () => {
    expect(() => text({ gapRate: 1 })).toThrow(/syntheticScadaCsv: option "gapRate" must be a probability in \[0, 1\)/);
    expect(() => text({ turbines: ['a;b'] })).toThrow(/option "turbines"/);
    expect(() => text({ start: '2013-01-01' })).toThrow(/option "start"/);
  });
});
