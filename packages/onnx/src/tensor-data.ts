// ONNX TensorProto ⇄ plain arrays: the numbers of initializers, Constant nodes and tensor
// attributes, checked against their dims and the size limit before anything is allocated.
import { DataType, type OnnxTensor, int64ToNumber } from './proto.js';

/** A constant tensor read from the file: floats as Float32Array, integers as plain numbers. */
export interface ConstTensor {
  readonly dims: readonly number[];
  /** Float data (float32 or float64 in the file). */
  readonly floats?: Float32Array;
  /** Integer data (int32 or int64 in the file; int64 beyond 2^53 rounds, fine for Slice's "to the end"). */
  readonly ints?: readonly number[];
}

/** Thrown for a tensor the reader cannot take; the importer adds the tensor's role to the message. */
export class TensorReadError extends Error {}

const ELEMENT_NAMES: Record<number, string> = { 2: 'uint8', 3: 'int8', 8: 'string', 9: 'bool', 10: 'float16', 16: 'bfloat16' };

/** Reads an ONNX tensor; refuses external data, unsupported types and more than `maxElements` values. */
export function readTensor(tensor: OnnxTensor, maxElements: number): ConstTensor {
  const label = tensor.name ? `tensor "${tensor.name}"` : 'a tensor';
  if (tensor.dataLocation === 1 || (tensor.externalData?.length ?? 0) > 0) {
    const location = tensor.externalData?.find((entry) => entry.key === 'location')?.value;
    throw new TensorReadError(
      `${label} keeps its data in an external file${location ? ` ("${location}")` : ''}; external data is not supported, save the model as one file`,
    );
  }
  const dims = (tensor.dims ?? []).map((d) => int64ToNumber(d));
  if (dims.some((d) => d < 0)) throw new TensorReadError(`${label} has a negative dimension [${dims.join(', ')}]`);
  const size = dims.reduce((a, b) => a * b, 1);
  if (size > maxElements) {
    throw new TensorReadError(`${label} has ${size} elements, over the limit of ${maxElements} (limits.maxTensorElements)`);
  }
  const raw = tensor.rawData && tensor.rawData.length > 0 ? tensor.rawData : undefined;
  const type = tensor.dataType ?? 0;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const expectBytes = (width: number): void => {
    if (raw && raw.length !== size * width) {
      throw new TensorReadError(`${label} has ${raw.length} bytes of data, expected ${size * width} for dims [${dims.join(', ')}]`);
    }
  };
  const expectCount = (count: number): void => {
    if (count !== size) throw new TensorReadError(`${label} has ${count} values, expected ${size} for dims [${dims.join(', ')}]`);
  };
  if (type === DataType.FLOAT || type === DataType.DOUBLE) {
    const floats = new Float32Array(size);
    if (view) {
      const width = type === DataType.FLOAT ? 4 : 8;
      expectBytes(width);
      for (let i = 0; i < size; i++) floats[i] = width === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
    } else {
      const values = type === DataType.FLOAT ? (tensor.floatData ?? []) : (tensor.doubleData ?? []);
      expectCount(values.length);
      floats.set(values);
    }
    // NaN or infinite weights would only show up later as NaN predictions.
    const bad = floats.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new TensorReadError(`${label} holds ${floats[bad]} at index ${bad}; weights must be finite numbers`);
    return { dims, floats };
  }
  if (type === DataType.INT64 || type === DataType.INT32) {
    const ints: number[] = new Array<number>(size);
    if (view) {
      const width = type === DataType.INT64 ? 8 : 4;
      expectBytes(width);
      for (let i = 0; i < size; i++) ints[i] = width === 8 ? Number(view.getBigInt64(i * 8, true)) : view.getInt32(i * 4, true);
    } else if (type === DataType.INT64) {
      const values = tensor.int64Data ?? [];
      expectCount(values.length);
      values.forEach((v, i) => (ints[i] = typeof v === 'number' ? v : Number(v.toString())));
    } else {
      const values = tensor.int32Data ?? [];
      expectCount(values.length);
      values.forEach((v, i) => (ints[i] = v));
    }
    return { dims, ints };
  }
  throw new TensorReadError(`${label} is of type ${ELEMENT_NAMES[type] ?? `#${type}`}; only float, double, int32 and int64 tensors are read`);
}

/** An ONNX float32 initializer (raw little-endian data). */
export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): OnnxTensor {
  const data = Float32Array.from(values as ArrayLike<number>);
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return { name, dims: [...dims], dataType: DataType.FLOAT, rawData: bytes };
}

/** An ONNX int64 initializer (raw little-endian data). */
export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): OnnxTensor {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims: [...dims], dataType: DataType.INT64, rawData: bytes };
}
