import { describe, expect, it } from 'vitest';
import { DataType, decodeModel, encodeModel, int64ToNumber } from './proto.js';
import { floatTensor, int64Tensor, readTensor } from './tensor-data.js';
import { fixture } from './test-support.js';

describe('ONNX protobuf subset', () => {
  it('decodes a model PyTorch wrote: opset, input shape, nodes and initializers', () => {
    const model = decodeModel(fixture('lstm_1layer_last').bytes);
    expect(model.opsetImport?.map((o) => int64ToNumber(o.version))).toEqual([14]);
    const input = model.graph!.input![0]!;
    expect(input.name).toBe('input');
    expect(input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || int64ToNumber(d.dimValue))).toEqual(['batch', 'time', 3]);
    expect(model.graph!.node!.map((n) => n.opType)).toContain('LSTM');
    const w = model.graph!.initializer!.find((t) => t.dims?.length === 3)!;
    expect(readTensor(w, 1e6).dims).toEqual([1, 16, 3]);
  });

  it('re-encodes a decoded model to bytes that decode to the same model', () => {
    const bytes = fixture('gru_2layer_seq').bytes;
    const model = decodeModel(bytes);
    const again = decodeModel(encodeModel(model));
    expect(JSON.stringify(again)).toBe(JSON.stringify(model));
  });

  it('writes float32 and int64 tensors that read back exactly', () => {
    const floats = readTensor(floatTensor('w', [2, 2], [1.5, -2, 0.1, 3e-8]), 100);
    expect(floats.dims).toEqual([2, 2]);
    expect([...floats.floats!]).toEqual([1.5, -2, Math.fround(0.1), Math.fround(3e-8)]);
    const ints = readTensor(int64Tensor('axes', [3], [-1, 0, 2 ** 40]), 100);
    expect(ints.ints).toEqual([-1, 0, 2 ** 40]);
  });

  it('refuses external data, oversized tensors and data that does not match the dims', () => {
    const external = { name: 'w', dims: [2], dataType: DataType.FLOAT, externalData: [{ key: 'location', value: '../secret.bin' }], dataLocation: 1 };
    expect(() => readTensor(external, 100)).toThrow('tensor "w" keeps its data in an external file ("../secret.bin"); external data is not supported');
    expect(() => readTensor(floatTensor('big', [10, 10], new Array(100).fill(0)), 99)).toThrow('tensor "big" has 100 elements, over the limit of 99');
    const short = { ...floatTensor('s', [3], [1, 2, 3]), dims: [4] };
    expect(() => readTensor(short, 100)).toThrow('tensor "s" has 12 bytes of data, expected 16 for dims [4]');
    expect(() => readTensor({ name: 'h', dims: [1], dataType: 10, rawData: new Uint8Array(2) }, 100)).toThrow('tensor "h" is of type float16');
    expect(() => readTensor(floatTensor('n', [3], [1, Number.NaN, 2]), 100)).toThrow('tensor "n" holds NaN at index 1; weights must be finite numbers');
  });
});
