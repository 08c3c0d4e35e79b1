import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimeSeries } from '../time-series/parse-time-series.js';
import { parseScada } from './parse-scada.js';
import { syntheticScadaCsv } from './synthetic.js';

const HEADER = 'Wind_turbine_name;Date_time;Wa_c_avg';

describe('parseScada as a preset of parseTimeSeries', () => {
  it('should give the rows the general loader gives with the export format spelled out', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer({ min: 5, max: 200 }), fc.constantFrom(undefined, 'R80721'), async (seed, rows, turbine) => {
        const csv = [...syntheticScadaCsv({ rows, seed, missingRate: 0.1, duplicateRate: 0.1, lateRate: 0.2 })].join('');
        const variables = ['Wa_c_avg', 'Ws_avg'];
        const scada = await parseScada(csv, { turbine, variables, fillLeading: 'keep', dtype: 'float64' }).catch(() => undefined);
        if (scada === undefined) return; // the turbine asked for may have no rows in a short export
        const general = await parseTimeSeries(csv, {
          delimiter: ';',
          time: 'Date_time',
          requireOffset: true,
          groupBy: 'Wind_turbine_name',
          only: turbine ?? { first: true },
          columns: variables,
          duplicates: 'first',
          fill: 'forward',
          missingValues: ['', 'NaN', 'NA'],
          dtype: 'float64',
        });
        const series = general.series[0]!;
        expect(scada.turbine).toBe(series.id);
        expect(scada.turbines).toEqual(general.ids);
        expect(Array.from(scada.time)).toEqual(Array.from(series.times));
        expect(Array.from(scada.values.data)).toEqual(Array.from(series.values.data));
        expect(scada.report.duplicatesDropped).toBe(general.report.duplicates);
      }),
      { numRuns: 30 },
    );
  });

  it('should leave the row kept by "last" where it is in file order with sort: false', async () => {
    const text = [HEADER, 'R1;2013-01-01T00:10:00Z;1', 'R1;2013-01-01T00:00:00Z;2', 'R1;2013-01-01T00:10:00Z;3'].join('\n');
    const data = await parseScada(text, { duplicates: 'last', sort: false });
    expect(Array.from(data.values.data)).toEqual([2, 3]);
    // The general loader puts a merged instant where it first appears instead.
    const general = await parseTimeSeries(text, { time: 'Date_time', columns: ['Wa_c_avg'], duplicates: 'last', sort: false });
    expect(Array.from(general.series[0]!.values.data)).toEqual([3, 2]);
  });

  it('should read past the rows of other turbines without parsing them', async () => {
    const text = [HEADER, 'R1;2013-01-01T00:00:00Z;1', 'R2;yesterday;north', 'R1;2013-01-01T00:10:00Z;2'].join('\n');
    const data = await parseScada(text);
    expect(Array.from(data.values.data)).toEqual([1, 2]);
    expect(data.report).toMatchObject({ rowsRead: 3, turbineRows: 2 });
    await expect(parseScada(text, { turbine: 'R2' })).rejects.toThrow(/line 3, column Date_time \(field 2\): cannot parse "yesterday"/);
  });
});
