// Weight layouts of the recurrent ops: ONNX's (W [dirs, gates·H, in], R [dirs, gates·H, H],
// B [dirs, 2·gates·H] = [Wb | Rb]) against Keras' (kernel [in, gates·H], recurrent kernel
// [H, gates·H], bias [gates·H] or, for GRU with resetAfter, [2, gates·H]).
// Gate orders differ for LSTM: ONNX stacks i, o, f, c and Keras i, f, c, o.

/** For one recurrent op: its gate count and, for each ONNX gate position, the Keras gate position. */
export interface GateLayout {
  readonly gates: number;
  readonly kerasGateOfOnnx: readonly number[];
}

export const LSTM_LAYOUT: GateLayout = Object.freeze({ gates: 4, kerasGateOfOnnx: Object.freeze([0, 3, 1, 2]) });
/** GRU: both stack z, r, h. */
export const GRU_LAYOUT: GateLayout = Object.freeze({ gates: 3, kerasGateOfOnnx: Object.freeze([0, 1, 2]) });
export const RNN_LAYOUT: GateLayout = Object.freeze({ gates: 1, kerasGateOfOnnx: Object.freeze([0]) });

/**
 * ONNX [gates·H, cols] (one direction, row-major) → Keras [cols, gates·H]: transposed, gates
 * moved to Keras' order.
 */
export function onnxToKerasMatrix(onnx: Float32Array, layout: GateLayout, units: number, cols: number): Float32Array {
  const width = layout.gates * units;
  const keras = new Float32Array(cols * width);
  for (let g = 0; g < layout.gates; g++) {
    const kg = layout.kerasGateOfOnnx[g]!;
    for (let j = 0; j < units; j++) {
      const row = (g * units + j) * cols;
      const column = kg * units + j;
      for (let k = 0; k < cols; k++) keras[k * width + column] = onnx[row + k]!;
    }
  }
  return keras;
}

/** The inverse of {@link onnxToKerasMatrix}: Keras [cols, gates·H] → ONNX [gates·H, cols]. */
export function kerasToOnnxMatrix(keras: ArrayLike<number>, layout: GateLayout, units: number, cols: number): Float32Array {
  const width = layout.gates * units;
  const onnx = new Float32Array(cols * width);
  for (let g = 0; g < layout.gates; g++) {
    const kg = layout.kerasGateOfOnnx[g]!;
    for (let j = 0; j < units; j++) {
      const row = (g * units + j) * cols;
      const column = kg * units + j;
      for (let k = 0; k < cols; k++) onnx[row + k] = keras[k * width + column]!;
    }
  }
  return onnx;
}

/** A [gates·H] bias vector from ONNX gate order to Keras' (`from` = `offset` into `onnx`). */
export function onnxToKerasVector(onnx: ArrayLike<number>, offset: number, layout: GateLayout, units: number): Float32Array {
  const keras = new Float32Array(layout.gates * units);
  for (let g = 0; g < layout.gates; g++) {
    const kg = layout.kerasGateOfOnnx[g]!;
    for (let j = 0; j < units; j++) keras[kg * units + j] = onnx[offset + g * units + j]!;
  }
  return keras;
}

/** A [gates·H] bias vector from Keras gate order to ONNX's. */
export function kerasToOnnxVector(keras: ArrayLike<number>, offset: number, layout: GateLayout, units: number): Float32Array {
  const onnx = new Float32Array(layout.gates * units);
  for (let g = 0; g < layout.gates; g++) {
    const kg = layout.kerasGateOfOnnx[g]!;
    for (let j = 0; j < units; j++) onnx[g * units + j] = keras[offset + kg * units + j]!;
  }
  return onnx;
}
