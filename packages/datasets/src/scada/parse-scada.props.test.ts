import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScada } from './parse-scada.js';
import { type SyntheticScadaOptions, syntheticScadaCsv } from './synthetic.js';
import { naiveScada } from './test-oracle.js';

const TURBINES = ['R80711', 'R80721', 'R80736', 'R80790'];

const exportArb = fc.record({
  seed: fc.integer(),
  rows: fc.integer({ min: 8, max: 240 }),
  gapRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
  missingRate: fc.double({ min: 0, max: 0.6, noNaN: true }),
  duplicateRate: fc.double({ min: 0, max: 0.2, noNaN: true }),
  lateRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
});
const text = (options: SyntheticScadaOptions): string => [...syntheticScadaCsv(options)].join('');

/** Resolves with the loader's result, or with undefined where it rightly refuses (a column without values). */
async function tryParse(...args: Parameters<typeof parseScada>) {
  try {
    return await parseScada(...args);
  } catch (error) {
    if (error instanceof Error && /no valid value|no rows for turbine/.test(error.message)) return undefined;
    throw error;
  }
}

describe('parseScada (properties)', () => {
  it('should agree with a naive split-and-sort reading of the same export', async () => {
    await fc.assert(
      fc.asyncProperty(exportArb, fc.constantFrom(undefined, ...TURBINES), async (options, turbine) => {
        const csv = text(options);
        const variables = ['Wa_c_avg', 'P_avg'];
        const data = await tryParse(csv, { turbine, variables, dtype: 'float64' });
        const oracle = naiveScada(csv, { turbine, variables });
        if (data === undefined) {
          expect(oracle.time.length === 0 || !oracle.turbines.includes(turbine!)).toBe(true);
          return;
        }
        expect(data.turbine).toBe(oracle.turbine);
        expect(data.turbines).toEqual(oracle.turbines);
        expect(Array.from(data.time)).toEqual(oracle.time);
        const rows = oracle.time.length;
        for (let j = 0; j < variables.length; j++) {
          expect(Array.from({ length: rows }, (_, i) => data.values.data[i * 2 + j])).toEqual(oracle.columns[j]);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('should give the same result however the bytes are chunked, with CRLF and a byte-order mark', async () => {
    await fc.assert(
      fc.asyncProperty(exportArb, fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 20 }), async (options, cuts) => {
        const plain = text(options);
        const bytes = new TextEncoder().encode('\ufeff' + plain.replaceAll('\n', '\r\n'));
        let at = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (at >= bytes.length) return controller.close();
            const size = cuts[at % cuts.length]!;
            controller.enqueue(bytes.subarray(at, at + size));
            at += size;
          },
        });
        const expected = await tryParse(plain, { variables: ['Ws_avg'] });
        const actual = await tryParse(stream, { variables: ['Ws_avg'] });
        expect(actual?.values.toArray()).toEqual(expected?.values.toArray());
        expect(actual?.time).toEqual(expected?.time);
      }),
      { numRuns: 40 },
    );
  });

  it('should leave no missing value past the first valid one after forward fill', async () => {
    await fc.assert(
      fc.asyncProperty(exportArb, async (options) => {
        const variables = ['Wa_c_avg', 'Ws_avg', 'Ot_avg'];
        const data = await parseScada(text({ ...options, missingRate: Math.max(options.missingRate, 0.3) }), {
          variables,
          fillLeading: 'keep',
        });
        const rows = data.values.shape[0]!;
        for (let j = 0; j < variables.length; j++) {
          let seenValid = false;
          for (let i = 0; i < rows; i++) {
            const missing = Number.isNaN(data.values.data[i * variables.length + j]!);
            if (!missing) seenValid = true;
            expect(missing).toBe(!seenValid);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('should leave no missing value at all with the default policy, and strictly increasing times', async () => {
    await fc.assert(
      fc.asyncProperty(exportArb, async (options) => {
        const data = await tryParse(text(options), { variables: ['Wa_c_avg', 'Ws_avg'] });
        if (data === undefined) return;
        expect(data.values.data.some((v) => Number.isNaN(v))).toBe(false);
        for (let i = 1; i < data.time.length; i++) expect(data.time[i]!).toBeGreaterThan(data.time[i - 1]!);
      }),
      { numRuns: 40 },
    );
  });

  it('should make sin² + cos² = 1 for any direction in degrees', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 30 }), async (degrees) => {
        const rows = degrees.map((d, i) => `R1;${new Date(Date.UTC(2013, 0, 1) + i * 600_000).toISOString()};${d}`);
        const csv = ['Wind_turbine_name;Date_time;Wa_c_avg', ...rows].join('\n');
        const data = await parseScada(csv, { angles: { Wa_c_avg: ['sin', 'cos'] }, dtype: 'float64' });
        expect(data.values.shape).toEqual([degrees.length, 2]);
        for (let i = 0; i < degrees.length; i++) {
          const s = data.values.data[2 * i]!;
          const c = data.values.data[2 * i + 1]!;
          expect(s * s + c * c).toBeCloseTo(1, 12);
          expect(s).toBeCloseTo(Math.sin((degrees[i]! * Math.PI) / 180), 12);
        }
      }),
    );
  });
});
