// The runner's side of a compiled kernel (kernel.ts): choosing one for the plugin, moving the
// plugin state into its memory, and the all-or-nothing step on it. The values are copied in,
// the kernel writes the new ones beside them, and only when every parameter's new values
// are finite are they copied out; the state is saved inside the kernel's memory before the
// step and put back after a failed one. So a failed step leaves everything as it was, as
// the JS path's rollback (rollback.ts) does, without copying the state through JavaScript.
import { type DType, RnnkitError, firstNonFinite } from '@rnnkit/tensor';
import type { OptimizerKernelDeclaration, OptimizerKernelWorkspace, OptimizerKernels } from './kernel.js';
import { shortcutFits } from './plugin.js';
import { NonFiniteStepError } from './rollback.js';
import type { Slot } from './slot.js';

/** Whether two parameters' values share memory (then one's update must see the other's). */
function overlapping(slots: readonly Slot<unknown, unknown>[]): boolean {
  const ranges = slots.map((slot) => {
    const data = slot.context.value;
    return { buffer: data.buffer, start: data.byteOffset, end: data.byteOffset + data.byteLength };
  });
  return ranges.some((a, i) => ranges.some((b, j) => j > i && a.buffer === b.buffer && a.start < b.end && b.start < a.end));
}

/** The dtype every included parameter's values and gradients share, or null when they differ. */
function commonDtype(slots: readonly Slot<unknown, unknown>[]): DType | null {
  let dtype: DType | null = null;
  for (const slot of slots) {
    const { value, grad } = slot.context;
    const d: DType = value instanceof Float32Array ? 'float32' : 'float64';
    if ((grad instanceof Float32Array ? 'float32' : 'float64') !== d || (dtype !== null && dtype !== d)) return null;
    dtype = d;
  }
  return dtype;
}

/** A plugin's kernel in use by one optimizer. */
export class KernelBinding<Options, State> {
  /** `kernels.name: declaration.name`, e.g. `wasm-simd optimizer kernels: rnnkit.rmsprop`. */
  readonly name: string;
  readonly #declaration: OptimizerKernelDeclaration<Options, State>;
  readonly #workspace: OptimizerKernelWorkspace;
  readonly #slots: readonly Slot<Options, State>[];
  readonly #scalars: Float64Array;

  private constructor(
    kernels: OptimizerKernels,
    declaration: OptimizerKernelDeclaration<Options, State>,
    workspace: OptimizerKernelWorkspace,
    slots: readonly Slot<Options, State>[],
  ) {
    this.name = `${kernels.name}: ${declaration.name}`;
    this.#declaration = declaration;
    this.#workspace = workspace;
    this.#slots = slots;
    this.#scalars = new Float64Array(declaration.scalarCount);
    slots.forEach((slot) => this.adopt(slot, slot.state!));
  }

  /**
   * The binding of the first of `kernels` that has the plugin's kernel for these parameters,
   * or null: when the plugin declares none, has a look-ahead, the included parameters mix
   * dtypes or share memory, or no set of kernels has it.
   */
  static bind<Options, State>(
    api: string,
    plugin: { readonly kernel?: unknown; readonly beforeGradient?: unknown; readonly update: unknown },
    kernels: readonly OptimizerKernels[],
    included: readonly Slot<Options, State>[],
  ): KernelBinding<Options, State> | null {
    const declaration = plugin.kernel as OptimizerKernelDeclaration<Options, State> | undefined;
    if (declaration === undefined || plugin.beforeGradient !== undefined || kernels.length === 0) return null;
    if (!shortcutFits(declaration, plugin.update)) return null; // a copied plugin whose update was replaced
    const dtype = commonDtype(included);
    if (dtype === null || overlapping(included)) return null;
    const { name, slots, scalarCount } = declaration;
    const chosen = kernels.find((k) => k.supports(name, dtype, slots.length, scalarCount));
    if (chosen === undefined) return null;
    const params = included.map((slot) => {
      const state = slot.state as Record<string, unknown>;
      return {
        size: slot.size,
        slots: slots.map((key) => {
          const array = state[key];
          const ok = dtype === 'float32' ? array instanceof Float32Array : array instanceof Float64Array;
          if (!ok) {
            throw new RnnkitError(api, `the kernel ${name} keeps state.${key}, but init gave "${slot.key}" no ${dtype} array there`);
          }
          return (array as Float32Array | Float64Array).length;
        }),
      };
    });
    const workspace = chosen.allocate({ kernel: name, dtype, params });
    if (workspace.params.length !== params.length) {
      throw new RnnkitError(api, `${chosen.name} laid out ${workspace.params.length} parameters for ${name}, expected ${params.length}`);
    }
    return new KernelBinding(chosen, declaration, workspace, included);
  }

  /** Makes `state` (as `init` or `loadState` gives it) the slot's state, its kernel arrays moved into the kernel's memory. */
  adopt(slot: Slot<Options, State>, state: State): void {
    const index = this.#slots.indexOf(slot);
    const buffers = this.#workspace.params[index]!;
    const moved: Record<string, unknown> = { ...(state as Record<string, unknown>) };
    this.#declaration.slots.forEach((key, j) => {
      const target = buffers.slots[j]!;
      target.set(moved[key] as ArrayLike<number>);
      moved[key] = target;
    });
    slot.state = moved as State;
    slot.context.state = moved as State;
  }

  /**
   * One step on every trainable parameter: all or nothing. Throws a NonFiniteStepError
   * naming the first parameter (in order) and index whose new value is not finite, or what
   * `scalars` threw, with the values and state as they were.
   */
  step(api: string, step: number, lr: number, options: Readonly<Options>): void {
    const workspace = this.#workspace;
    const scalars = this.#scalars;
    this.#declaration.scalars(options, step, lr, scalars);
    workspace.save();
    try {
      for (let k = 0; k < this.#slots.length; k++) {
        const slot = this.#slots[k]!;
        if (!slot.param.trainable) continue;
        const buffers = workspace.params[k]!;
        buffers.value.set(slot.context.value);
        buffers.grad.set(slot.context.grad);
        if (!workspace.run(k, scalars)) {
          const bad = firstNonFinite(buffers.value);
          throw new NonFiniteStepError(api, slot.key, slot.param.value.shape, bad, buffers.value[bad]!, step, 'step');
        }
      }
    } catch (error) {
      workspace.restore();
      throw error;
    }
    for (let k = 0; k < this.#slots.length; k++) {
      const slot = this.#slots[k]!;
      if (slot.param.trainable) slot.context.value.set(this.#workspace.params[k]!.value);
    }
  }
}
