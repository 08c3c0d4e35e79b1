// Public API of @rnnkit/tensor. Everything a user may import is listed here by name.
export { RnnkitError, formatShape, formatCount, printable, type PrintableOptions, MAX_MESSAGE_LENGTH } from './errors.js';
export { describeValue, checkOptionKeys } from './options.js';
export { type Shape, shapeSize, stridesOf, sameShape, normalizeAxis, checkShape } from './shape.js';
export {
  type DType,
  type TypedArray,
  type NestedArray,
  Tensor,
  allocate,
  setAllocationLimit,
  getAllocationLimit,
  DEFAULT_ALLOCATION_LIMIT,
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
export { gemm, checkGemm, type KernelBackend, type FusedKernel, jsBackend, setBackend, getBackend } from './kernels.js';
export { Random, type RandomState } from './random.js';
export { type Initializer, type InitializerName, type InitializerConfig } from './init-define.js';
export { type InitializerSpec, initializers, getInitializer, initializerConfig } from './init-names.js';
export {
  type ConstantOptions,
  type RandomUniformOptions,
  type RandomNormalOptions,
  type VarianceScalingOptions,
  type FanMode,
  type VarianceScalingDistribution,
  type ScaledNormalOptions,
  computeFans,
  randomUniform,
  randomNormal,
  truncatedNormal,
  varianceScaling,
  glorotUniform,
  glorotNormal,
  heNormal,
  heUniform,
} from './init.js';
export { type OrthogonalOptions, orthogonal } from './orthogonal.js';
export { broadcastShapes } from './broadcast.js';
export {
  type Operand,
  add,
  sub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  neg,
  square,
  sqrt,
  exp,
  log,
  abs,
  sigmoid,
  tanh,
  relu,
  clip,
  addInPlace,
  subInPlace,
  mulInPlace,
  divInPlace,
  scaleInPlace,
  addScaledInPlace,
} from './elementwise.js';
export { type Axis } from './op-helpers.js';
export { sum, mean, max, min, argmax, norm } from './reduce.js';
export { allFinite, firstNonFinite } from './finite.js';
export { type MatmulOptions, matmul, tensordot, dot, outer, transpose, permute } from './linalg.js';
export { reshape, squeeze, expandDims, slice, select, assignSelect, concat, stack, split } from './shape-ops.js';
