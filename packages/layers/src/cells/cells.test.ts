import { describe, expect, it } from 'vitest';
import { Random } from '@rnnkit/tensor';
import type { CellPlugin, RecurrentCell } from '../cell.js';
import { gruCell, gruCellPlugin } from './cell-plugins.js';
import { lstmCell, lstmCellPlugin } from './cell-plugins.js';
import { simpleRNNCell, simpleRNNCellPlugin } from './cell-plugins.js';

const cases: [CellPlugin<never>, RecurrentCell][] = [
  [lstmCellPlugin as CellPlugin<never>, lstmCell({ units: 3, cellOutput: 'none', unitForgetBias: false, dtype: 'float64' })],
  [gruCellPlugin as CellPlugin<never>, gruCell({ units: 2, resetAfter: false, recurrentActivation: 'hardSigmoid' })],
  [simpleRNNCellPlugin as CellPlugin<never>, simpleRNNCell({ units: 4, activation: 'relu', useBias: false })],
];

describe('reference cells', () => {
  it("should carry Keras' class names and rebuild an equal cell from getConfig()", () => {
    expect(cases.map(([plugin]) => plugin.name)).toEqual(['LSTMCell', 'GRUCell', 'SimpleRNNCell']);
    for (const [plugin, cell] of cases) {
      const copy = plugin.create(cell.getConfig() as never);
      expect([copy.kind, copy.getConfig()]).toEqual([cell.kind, cell.getConfig()]);
    }
  });

  it('should declare the states and kept values the WebAssembly passes use', () => {
    const describeCell = (cell: RecurrentCell) => [cell.states, cell.kept].map((list) => list.map((v) => `${v.name}:${v.size}`));
    expect(describeCell(lstmCell({ units: 3 }))).toEqual([['h:3', 'c:3'], ['gates:12', 'cellActivation:3']]);
    expect(describeCell(lstmCell({ units: 3, cellOutput: 'none' }))).toEqual([['h:3', 'c:3'], ['gates:12', 'cellActivation:0']]);
    expect(describeCell(gruCell({ units: 2 }))).toEqual([['h:2'], ['gates:6', 'recurrent:6']]);
    expect(describeCell(simpleRNNCell({ units: 2 }))).toEqual([['h:2'], []]);
  });

  it("should own Keras' parameters: names, shapes, and the unit forget bias", () => {
    const lstm = lstmCell({ units: 2 });
    lstm.build(3, new Random(0));
    expect(lstm.params().map((p) => [p.name, p.value.shape])).toEqual([['kernel', [3, 8]], ['recurrentKernel', [2, 8]], ['bias', [8]]]);
    expect(Array.from(lstm.params()[2]!.value.data)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    const gru = gruCell({ units: 2 });
    gru.build(1, new Random(0));
    expect(gru.params().map((p) => p.value.shape)).toEqual([[1, 6], [2, 6], [2, 6]]);
    expect(() => gru.build(2, new Random(0))).toThrow('GRUCell: already built for 1 features, got 2');
  });

  it('should refuse bad options in their own name', () => {
    expect(() => lstmCell({ units: 0 })).toThrow('LSTMCell: units must be a positive integer, got number 0');
    expect(() => gruCell({ units: 2, returnSequences: true } as never)).toThrow('GRUCell: unknown option "returnSequences"');
    expect(() => simpleRNNCell({ units: 2, activation: 'gelu' as never })).toThrow('SimpleRNNCell: activation must be one of');
    expect(() => lstmCell({ units: 2 }).kernelParam).toThrow('LSTMCell: the cell is not built; call build(features, random) first');
  });
});
