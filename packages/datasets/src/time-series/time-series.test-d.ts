import type { Tensor } from '@rnnkit/tensor';
import { describe, expectTypeOf, it } from 'vitest';
import { type TimeSeriesData, type TimeSeriesInput, parseTimeSeries } from '../index.js';
import { loadTimeSeries } from '../node.js';

describe('time-series loader types', () => {
  it('should type the result', () => {
    expectTypeOf(parseTimeSeries).returns.toEqualTypeOf<Promise<TimeSeriesData>>();
    expectTypeOf<TimeSeriesData['series'][number]['values']>().toEqualTypeOf<Tensor>();
    expectTypeOf<TimeSeriesData['series'][number]['times']>().toEqualTypeOf<Float64Array>();
    expectTypeOf<TimeSeriesData['series'][number]['id']>().toEqualTypeOf<string | undefined>();
  });

  it('should take text, bytes and chunk iterables', () => {
    expectTypeOf<string>().toMatchTypeOf<TimeSeriesInput>();
    expectTypeOf<Uint8Array>().toMatchTypeOf<TimeSeriesInput>();
    expectTypeOf<AsyncIterable<Uint8Array>>().toMatchTypeOf<TimeSeriesInput>();
    expectTypeOf<string[]>().toMatchTypeOf<TimeSeriesInput>();
    // @ts-expect-error a number is not CSV
    void (() => parseTimeSeries(42));
  });

  it('should refuse unknown options and wrong option types', () => {
    // @ts-expect-error 'colums' is not an option
    void (() => parseTimeSeries('', { colums: ['a'] }));
    // @ts-expect-error duplicates has no 'median' policy
    void (() => parseTimeSeries('', { duplicates: 'median' }));
    // @ts-expect-error only takes an id or { first: true }
    void (() => parseTimeSeries('', { groupBy: 'id', only: { first: false } }));
    void (() => parseTimeSeries('', { groupBy: 'id', only: { first: true }, start: new Date(0), end: '2024-01-01T00:00:00Z', decimal: ',', requireOffset: true, duplicates: 'keep' }));
    // @ts-expect-error fill is a policy name
    void (() => loadTimeSeries('x.csv', { fill: true }));
    // @ts-expect-error angles is a list of column names
    void (() => parseTimeSeries('', { angles: { dir: 'sin' } }));
    void (() => parseTimeSeries('', { interval: '10min', fill: 'linear', angles: ['dir'], groupBy: 'id', dtype: 'float64' }));
    void (() => parseTimeSeries('', { interval: 600_000 }));
  });
});
