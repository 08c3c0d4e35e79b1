// The optimizer kernels of assembly/optimizers.ts as the `OptimizerKernels` of
// @rnnkit/optimizers: the backend lists them among its fused kernels (family 'optimizer'),
// `fit` passes them to createOptimizer, and each optimizer that uses them gets an instance
// of the small optimizer module with a memory of its own, laid out once and never grown,
// so the plugin state can live there as Float32Array views that stay valid.
import type {
  OptimizerKernelBuffers,
  OptimizerKernelLayout,
  OptimizerKernelWorkspace,
  OptimizerKernels,
} from '@rnnkit/optimizers';
import { type DType, RnnkitError } from '@rnnkit/tensor';
import { OPTIMIZERS_WASM_BASE64 } from './generated/kernels-wasm.js';
import { PAGE } from './module.js';

/** What the optimizer module exports (see assembly/optimizers.ts). */
interface OptimizerExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  sgdF32(value: number, grad: number, velocity: number, n: number, momentum: number, lr: number, nesterov: number): number;
  rmspropF32(
    value: number, grad: number, meanSquare: number, meanGradient: number, buffer: number, n: number,
    rho: number, keep: number, momentum: number, epsilon: number, centered: number, lr: number,
  ): number;
  adamF32(
    value: number, grad: number, m: number, v: number, vMax: number, n: number,
    beta1: number, beta2: number, keep1: number, keep2: number, scale: number, epsilon: number, amsgrad: number, decay: number,
  ): number;
  adamaxF32(
    value: number, grad: number, m: number, u: number, n: number,
    beta1: number, keep1: number, beta2: number, scale: number, epsilon: number,
  ): number;
  adagradF32(value: number, grad: number, accumulator: number, n: number, negLr: number, epsilon: number): number;
  adadeltaF32(
    value: number, grad: number, meanSquareGradient: number, meanSquareDelta: number, n: number,
    rho: number, keep: number, epsilon: number, lr: number,
  ): number;
}

/** The kernels by name: their state arrays and scalars, as the plugins of @rnnkit/optimizers declare them. */
const KERNELS: Readonly<Record<string, { readonly slots: number; readonly scalars: number }>> = {
  'rnnkit.sgd': { slots: 1, scalars: 3 },
  'rnnkit.rmsprop': { slots: 3, scalars: 6 },
  'rnnkit.adam': { slots: 3, scalars: 7 },
  'rnnkit.adamw': { slots: 3, scalars: 8 },
  'rnnkit.adamax': { slots: 2, scalars: 5 },
  'rnnkit.adagrad': { slots: 1, scalars: 2 },
  'rnnkit.adadelta': { slots: 2, scalars: 4 },
};

let compiled: WebAssembly.Module | null = null;
let compiling: Promise<void> | null = null;

function optimizerBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(OPTIMIZERS_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Compiles the optimizer module in the background (createWasmBackend awaits it): at about
 * 5 KB it is over the 4 KB that Chrome before 115 lets a page compile synchronously on its
 * main thread, so the optimizers a backend's kernels create find it compiled.
 */
export function compileOptimizerModule(): Promise<void> {
  compiling ??= WebAssembly.compile(optimizerBytes()).then((module) => {
    compiled ??= module;
  });
  return compiling;
}

/** The optimizer module: the one {@link compileOptimizerModule} compiled, else compiled here, synchronously. */
function optimizerModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(optimizerBytes());
  return compiled;
}

/** Bytes from `at` rounded up to 16 (a SIMD vector). */
function align(at: number): number {
  return Math.ceil(at / 16) * 16;
}

/** Addresses of one parameter's buffers: value, gradient, state arrays. */
interface Addresses {
  readonly value: number;
  readonly grad: number;
  readonly slots: readonly number[];
  readonly size: number;
}

function workspace(api: string, layout: OptimizerKernelLayout): OptimizerKernelWorkspace {
  const instance = new WebAssembly.Instance(optimizerModule(), {});
  const exports = instance.exports as unknown as OptimizerExports;
  // State arrays first, all together, then their saved copy, then each parameter's value
  // and gradient: saving and restoring the state is one copy of one range.
  let at = align(exports.heapBase());
  const stateStart = at;
  // Every state array gets the parameter's size, even one that is empty (an option leaves it
  // unused), so no kernel can reach another's array.
  const slotAddresses = layout.params.map((param) =>
    param.slots.map(() => {
      const address = at;
      at = align(at + 4 * param.size);
      return address;
    }),
  );
  const stateEnd = at;
  const savedStart = at;
  at = align(at + (stateEnd - stateStart));
  const addresses: Addresses[] = layout.params.map((param, k) => {
    const value = at;
    const grad = align(value + 4 * param.size);
    at = align(grad + 4 * param.size);
    return { value, grad, slots: slotAddresses[k]!, size: param.size };
  });
  const memory = exports.memory;
  const pages = Math.ceil(at / PAGE) - memory.buffer.byteLength / PAGE;
  if (pages > 0) {
    try {
      memory.grow(pages);
    } catch (error) {
      throw new RnnkitError(api, `needs ${Math.ceil(at / 2 ** 20)} MiB of WebAssembly memory for the optimizer state and could not grow to it`, { cause: error });
    }
  }
  // The memory never grows again: these views stay valid for the optimizer's life.
  const buffer = memory.buffer;
  const bytes = new Uint8Array(buffer);
  const params: OptimizerKernelBuffers[] = addresses.map((a, k) => ({
    value: new Float32Array(buffer, a.value, a.size),
    grad: new Float32Array(buffer, a.grad, a.size),
    slots: a.slots.map((address, j) => new Float32Array(buffer, address, layout.params[k]!.slots[j]!)),
  }));
  const run = kernelRunner(exports, layout.kernel, addresses);
  return {
    params,
    save: () => bytes.copyWithin(savedStart, stateStart, stateEnd),
    restore: () => bytes.copyWithin(stateStart, savedStart, savedStart + (stateEnd - stateStart)),
    run,
  };
}

/** The call of the named kernel on parameter `k` with the scalars of one step. */
function kernelRunner(exports: OptimizerExports, kernel: string, at: readonly Addresses[]): (k: number, s: Float64Array) => boolean {
  switch (kernel) {
    case 'rnnkit.sgd':
      return (k, s) => {
        const a = at[k]!;
        return exports.sgdF32(a.value, a.grad, a.slots[0]!, a.size, s[0]!, s[1]!, s[2]!) === 1;
      };
    case 'rnnkit.rmsprop':
      return (k, s) => {
        const a = at[k]!;
        const [ms, mg, b] = a.slots as [number, number, number];
        return exports.rmspropF32(a.value, a.grad, ms, mg, b, a.size, s[0]!, s[1]!, s[2]!, s[3]!, s[4]!, s[5]!) === 1;
      };
    case 'rnnkit.adam':
      return (k, s) => {
        const a = at[k]!;
        const [m, v, vMax] = a.slots as [number, number, number];
        return exports.adamF32(a.value, a.grad, m, v, vMax, a.size, s[0]!, s[1]!, s[2]!, s[3]!, s[4]!, s[5]!, s[6]!, 0) === 1;
      };
    case 'rnnkit.adamw':
      return (k, s) => {
        const a = at[k]!;
        const [m, v, vMax] = a.slots as [number, number, number];
        return exports.adamF32(a.value, a.grad, m, v, vMax, a.size, s[0]!, s[1]!, s[2]!, s[3]!, s[4]!, s[5]!, s[6]!, s[7]!) === 1;
      };
    case 'rnnkit.adamax':
      return (k, s) => {
        const a = at[k]!;
        const [m, u] = a.slots as [number, number];
        return exports.adamaxF32(a.value, a.grad, m, u, a.size, s[0]!, s[1]!, s[2]!, s[3]!, s[4]!) === 1;
      };
    case 'rnnkit.adagrad':
      return (k, s) => {
        const a = at[k]!;
        return exports.adagradF32(a.value, a.grad, a.slots[0]!, a.size, s[0]!, s[1]!) === 1;
      };
    default:
      return (k, s) => {
        const a = at[k]!;
        const [msg, msd] = a.slots as [number, number];
        return exports.adadeltaF32(a.value, a.grad, msg, msd, a.size, s[0]!, s[1]!, s[2]!, s[3]!) === 1;
      };
  }
}

/**
 * The optimizer kernels of a backend named `backendName`: SGD, RMSprop, Adam, AdamW, Adamax,
 * Adagrad and Adadelta on float32 parameters, for the plugins of @rnnkit/optimizers that declare them.
 */
export function optimizerKernels(backendName: string): OptimizerKernels {
  const name = `${backendName} optimizer kernels`;
  return Object.freeze({
    family: 'optimizer' as const,
    name,
    supports(kernel: string, dtype: DType, slots: number, scalars: number): boolean {
      const known = Object.hasOwn(KERNELS, kernel) ? KERNELS[kernel] : undefined;
      return dtype === 'float32' && known !== undefined && known.slots === slots && known.scalars === scalars;
    },
    allocate(layout: OptimizerKernelLayout): OptimizerKernelWorkspace {
      const known = Object.hasOwn(KERNELS, layout.kernel) ? KERNELS[layout.kernel] : undefined;
      if (known === undefined || layout.dtype !== 'float32') {
        throw new RnnkitError(name, `has no kernel ${JSON.stringify(layout.kernel)} for ${layout.dtype} values`);
      }
      for (const param of layout.params) {
        // Each state array is either the parameter's size (the kernel reads it) or empty (an
        // option that leaves it unused: vMax without AMSGrad); anything else would be read past its end.
        const bad = param.slots.find((length) => length !== param.size && length !== 0);
        if (param.slots.length !== known.slots || bad !== undefined) {
          throw new RnnkitError(
            name,
            `${layout.kernel} takes ${known.slots} state arrays of the parameter's size (${param.size}) or empty, got lengths [${param.slots.join(', ')}]`,
          );
        }
      }
      return workspace(name, layout);
    },
  });
}
