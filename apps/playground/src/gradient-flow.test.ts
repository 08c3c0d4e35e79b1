import { Dense, GRU, LSTM, Sequential, SimpleRNN } from '@rnnkit/layers';
import { predict, traceSequence } from '@rnnkit/model';
import { Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { cellStateGradient, gradientFlow, gradientRows } from './gradient-flow.js';

const time = 7;

function sample(): { x: Tensor; y: Tensor } {
  const x = new Tensor(Float32Array.from({ length: time }, (_, t) => Math.sin(t)), [1, time, 1]);
  return { x, y: new Tensor(Float32Array.of(0.3), [1, 1]) };
}

function model(recurrent: SimpleRNN | LSTM | GRU): Sequential {
  return new Sequential({ layers: [recurrent, new Dense({ units: 1 })], inputShape: [time, 1], seed: 5 });
}

describe('gradientFlow', () => {
  it('should give h and c for an LSTM, and h alone for a GRU or a SimpleRNN, one finite norm per step', () => {
    const { x, y } = sample();
    for (const [recurrent, states] of [
      [new LSTM({ units: 4 }), ['h', 'c']],
      [new GRU({ units: 4 }), ['h']],
      [new SimpleRNN({ units: 4 }), ['h']],
    ] as const) {
      const flow = gradientFlow(model(recurrent), x, y, 'mse');
      expect(flow.time).toBe(time);
      expect(flow.series.map((s) => s.state)).toEqual(states);
      for (const { norms } of flow.series) {
        expect(norms.length).toBe(time);
        for (const norm of norms) expect(Number.isFinite(norm) && norm >= 0).toBe(true);
      }
    }
  });

  it('should give ‖∂L/∂h_T‖ = |2(ŷ − y)| · ‖W‖ at the last step of a last-step output with mse', () => {
    const { x, y } = sample();
    const m = model(new GRU({ units: 5 }));
    const prediction = predict(m, x).data[0]!;
    const kernel = (m.layers[1] as Dense).getWeights()[0]!.data;
    const expected = Math.abs(2 * (prediction - y.data[0]!)) * Math.hypot(...kernel);
    const flow = gradientFlow(m, x, y, 'mse');
    expect(flow.series[0]!.norms[time - 1]).toBeCloseTo(expected, 5);
  });

  it('should give the whole ∂L/∂c_t: times f_{t+1}, it is what the trace says reached c_t from step t + 1', () => {
    const { x, y } = sample();
    const trace = traceSequence(model(new LSTM({ units: 4 })), x, y, { loss: 'mse' }).layers[0]!;
    const f = trace.kept['gates.f']!.data, fromLater = trace.stateGradients.c!.data;
    for (let j = 0; j < time - 1; j++) {
      const whole = cellStateGradient(trace, j + 1);
      for (let k = 0; k < 4; k++) expect(whole[k]! * f[(j + 1) * 4 + k]!).toBeCloseTo(fromLater[(j + 1) * 4 + k]!, 6);
    }
    // At the last step nothing comes from later; the whole gradient comes through h_T.
    expect(Array.from(fromLater.subarray(time * 4))).toEqual([0, 0, 0, 0]);
    expect(Math.hypot(...cellStateGradient(trace, time - 1))).toBeGreaterThan(0);
  });

  it('should leave the model as it was', () => {
    const { x, y } = sample();
    const m = model(new LSTM({ units: 3 }));
    const before = m.getWeights().map((w) => Array.from(w.data));
    gradientFlow(m, x, y, 'mse');
    expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
  });
});

describe('gradientRows', () => {
  it('should number the steps from 1, name each series, and leave out zeros and non-finite norms', () => {
    const rows = gradientRows(
      { kind: 'lstm', time: 3, loss: 1, series: [{ state: 'h', norms: Float64Array.of(0, 0.5, Number.NaN) }, { state: 'c', norms: Float64Array.of(2, 1, 0.25) }] },
      'LSTM',
    );
    expect(rows).toEqual([
      { t: 2, norm: 0.5, state: 'h', series: 'LSTM ‖∂L/∂h_t‖' },
      { t: 1, norm: 2, state: 'c', series: 'LSTM ‖∂L/∂c_t‖' },
      { t: 2, norm: 1, state: 'c', series: 'LSTM ‖∂L/∂c_t‖' },
      { t: 3, norm: 0.25, state: 'c', series: 'LSTM ‖∂L/∂c_t‖' },
    ]);
  });
});
