// Public API of @rnnkit/tensor. Everything a user may import is listed here by name.
export { RnnkitError, formatShape } from './errors.js';
export { type Shape, shapeSize, stridesOf, sameShape, normalizeAxis, checkShape } from './shape.js';
export {
  type DType,
  type TypedArray,
  type NestedArray,
  Tensor,
  allocate,
  dtypeOf,
  checkDType,
  inferShape,
  zeros,
  ones,
  full,
  zerosLike,
  tensor,
  scalar,
  fromTypedArray,
  arange,
  linspace,
} from './tensor.js';
export { Param } from './param.js';
export { gemm } from './kernels.js';
export { Random, type RandomState } from './random.js';
