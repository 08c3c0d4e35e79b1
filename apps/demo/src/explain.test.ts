import { describe, expect, it } from 'vitest';
import { explain, formatExplanation } from './explain.js';

const close = (a: readonly number[], b: readonly number[]): void => {
  expect(a).toHaveLength(b.length);
  a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-12));
};

describe('rnnkit-demo explain', () => {
  it('should show an LSTM step whose numbers obey its equations, forwards and backwards', async () => {
    const e = await explain('lstm');
    const [, gates, cell, out] = e.forward;
    const { i, f, g, o } = gates!.result as Record<string, number[]>;
    const cPrev = cell!.inputs['c_{t−1}']!;
    const c = cell!.result.c_t!;
    close(c, cPrev.map((cp, j) => f![j]! * cp + i![j]! * g![j]!));
    close(out!.result.h_t!, c.map((v, j) => o![j]! * Math.tanh(v)));
    expect(e.recomputedGap).toBeLessThan(1e-12);
    const [dh, dc, dz, dcPrev, , share] = e.backward;
    const dhT = dh!.result['∂L/∂h_t']!;
    const dcT = dc!.result['∂L/∂c_t']!;
    close(dz!.result['∂L/∂z_i']!, dcT.map((d, j) => d * g![j]! * i![j]! * (1 - i![j]!)));
    close(dz!.result['∂L/∂z_f']!, dcT.map((d, j) => d * cPrev[j]! * f![j]! * (1 - f![j]!)));
    close(dz!.result['∂L/∂z_o']!, dhT.map((d, j) => d * Math.tanh(c[j]!) * o![j]! * (1 - o![j]!)));
    close(dcPrev!.result['∂L/∂c_{t−1}']!, dcT.map((d, j) => d * f![j]!));
    // One input feature: this step's share of ∂L/∂W is x_t times ∂L/∂z, gate block by gate block.
    const x = share!.inputs.x_t![0]!;
    const all = ['∂L/∂z_i', '∂L/∂z_f', '∂L/∂z_g', '∂L/∂z_o'].flatMap((k) => dz!.result[k]!);
    close(share!.result['∂L/∂W (step t)']!, all.map((d) => x * d));
  });

  it('should show a GRU step and a SimpleRNN step that obey theirs', async () => {
    const gru = await explain('gru');
    const { z } = gru.forward[1]!.result as Record<string, number[]>;
    const [, , candidate, update] = gru.forward;
    const hPrev = update!.inputs['h_{t−1}']!;
    close(update!.result.h_t!, hPrev.map((h, j) => z![j]! * h + (1 - z![j]!) * candidate!.result['h̃']![j]!));
    expect(gru.recomputedGap).toBeLessThan(1e-12);
    const rnn = await explain('rnn');
    close(rnn.forward[1]!.result.h_t!, rnn.forward[0]!.result.z!.map(Math.tanh));
    const hT = rnn.backward[1]!.inputs.h_t!;
    close(rnn.backward[1]!.result['∂L/∂z']!, rnn.backward[0]!.result['∂L/∂h_t']!.map((d, j) => d * (1 - hT[j]! ** 2)));
  });

  it('should give the same numbers for the same seed, print them readably, and refuse an unknown kind', async () => {
    expect(JSON.stringify(await explain('rnn', 4))).toBe(JSON.stringify(await explain('rnn', 4)));
    const text = formatExplanation(await explain('lstm'));
    expect(text).toContain('c_t = f ⊙ c_{t−1} + i ⊙ g');
    expect(text).toMatch(/differ from the cell's by at most \d\.\de[-+]\d+/);
    await expect(explain('transformer')).rejects.toThrow('explain expects one of lstm, gru, rnn, got "transformer"');
  });
});
