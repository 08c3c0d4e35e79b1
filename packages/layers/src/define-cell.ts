// A user's recurrent cell from its maths alone. `defineCell` takes the cell's states, kept
// values, parameter shapes and its step/backStep, and does the rest a `RecurrentCell` must:
// option checks with one-line errors, defaults, building the parameters (seeded, or zero for
// weights set next), an initialiser option per parameter, the config and its plugin.
import { type DType, type InitializerSpec, type Param, type Random, type Shape, type TypedArray, RnnkitError } from '@rnnkit/tensor';
import type { BackwardSteps, CellBuildOptions, CellConfig, CellPlugin, CellVector, ForwardSteps, RecurrentCell } from './cell.js';
import {
  type ResolvedInitializer,
  checkOptionKeys,
  describeValue,
  dtypeOption,
  initParam,
  initializerConfigOf,
  initializerOption,
  positiveInteger,
} from './common.js';

/** A value a cell option may take: plain JSON, so that the config can be saved. */
export type CellOptionValue = number | string | boolean | null;

/** One parameter of a defined cell. */
export interface CellParamSpec {
  /** Its shape for `features` inputs and `units`, e.g. `(f, u) => [f, 4 * u]`. */
  shape(features: number, units: number): Shape;
  /** Its initialiser, by name or config; the cell's users can override it with the option `<param>Initializer`. */
  readonly initializer: InitializerSpec;
}

/** The options of a defined cell: units, dtype, its own options (all optional) and one initialiser per parameter. */
export type DefinedCellOptions<Defaults, Params> = {
  /** Length of the output (state 0) of each step. */
  readonly units: number;
  /** Element type of parameters and buffers. @defaultValue 'float32' */
  readonly dtype?: DType;
} & { readonly [K in keyof Defaults]?: Widened<Defaults>[K] } & {
  readonly [K in keyof Params as `${K & string}Initializer`]?: InitializerSpec;
};

/** Option defaults as the types a user may pass: `clip: false` allows `true` too, `scale: 1` any number. */
export type Widened<Defaults> = {
  [K in keyof Defaults]: Defaults[K] extends boolean ? boolean : Defaults[K] extends number ? number : Defaults[K];
};

/** A cell made by {@link defineCell}: a `RecurrentCell` whose maths can reach its options and parameters by name. */
export interface DefinedCell<Defaults, Params> extends RecurrentCell {
  /** The cell's own options, defaults filled in. */
  readonly options: Readonly<Widened<Defaults>>;
  /** Parameter values by name (once built). */
  readonly w: { readonly [K in keyof Params]: TypedArray };
  /** Parameter gradients by name (once built): `backStep` adds into them. */
  readonly g: { readonly [K in keyof Params]: TypedArray };
}

/**
 * What {@link defineCell} needs: the cell's layout and its maths. Write `defaults` and
 * `params` before the functions that use the cell: TypeScript infers the option and
 * parameter names from them in the order the properties are written.
 */
export interface CellDefinition<Defaults extends Record<string, CellOptionValue>, Params extends Record<string, CellParamSpec>> {
  /** Class name in saved files and errors, e.g. `'PeepholeLSTMCell'`. */
  readonly name: string;
  /** The cell's kind, e.g. `'peephole-lstm'` (what a backend's fused pass recognises). */
  readonly kind: string;
  /**
   * The cell's own options and their defaults; a value given must have the default's type
   * (any JSON value for a null default). String options take any string unless the default
   * says otherwise: `cellOutput: 'activation' as 'activation' | 'none'`.
   * @defaultValue {}
   */
  readonly defaults?: Defaults;
  /** Checks the options together (e.g. a string among choices): a problem as a sentence, or undefined. */
  validate?(options: Readonly<Widened<Defaults>>): string | undefined;
  /** The states carried from step to step; state 0 is the output h and has `units` elements. */
  states(units: number, options: Readonly<Widened<Defaults>>): readonly CellVector[];
  /** What `step` keeps for `backStep`, per step. */
  kept(units: number, options: Readonly<Widened<Defaults>>): readonly CellVector[];
  /** Per-step work buffers of the backward pass. @defaultValue none */
  gradients?(units: number, options: Readonly<Widened<Defaults>>): readonly CellVector[];
  /** The parameters in their saved order (Keras': kernel, recurrent kernel, bias, …). */
  readonly params: Params;
  /** Adjusts freshly initialised parameters (e.g. an LSTM's forget-gate bias of 1); not called when built with `initialize: false`. */
  initialize?(cell: DefinedCell<Defaults, Params>): void;
  /** As {@link RecurrentCell.beforeForward}. */
  beforeForward?(s: ForwardSteps, cell: DefinedCell<Defaults, Params>): void;
  /** As {@link RecurrentCell.step}: reads states at slot `s.t`, writes slot `s.t + 1` and the kept values of step `s.t`. */
  step(s: ForwardSteps, cell: DefinedCell<Defaults, Params>): void;
  /** As {@link RecurrentCell.backStep}: turns `s.dStates` into the gradients of the states step `s.t` read, adds into `cell.g`. */
  backStep(s: BackwardSteps, cell: DefinedCell<Defaults, Params>): void;
  /** As {@link RecurrentCell.afterBackward}. */
  afterBackward?(s: BackwardSteps, cell: DefinedCell<Defaults, Params>): void;
}

/** A defined cell type: its plugin (for `loadModel`) and its factory. */
export interface DefinedCellType<Defaults, Params> {
  readonly plugin: CellPlugin<DefinedCellOptions<Defaults, Params>>;
  /** Makes an unbuilt cell; throws a one-line `RnnkitError` for a bad option. */
  create(options: DefinedCellOptions<Defaults, Params>): DefinedCell<Defaults, Params>;
}

/**
 * Defines a recurrent cell from its maths: the result's `create` makes cells to run in `RNN`,
 * its `plugin` rebuilds them from saved configs. Run the new cell through `recurrentLaws` of
 * `@rnnkit/testing` to check its gradients, chunking, batches, float32 and config.
 *
 * @example
 * const scaled = defineCell({
 *   name: 'ScaledRNNCell', kind: 'scaled-rnn', defaults: { scale: 1 },
 *   states: (u) => [{ name: 'h', size: u }], kept: () => [],
 *   params: { kernel: { shape: (f, u) => [f, u], initializer: 'glorotUniform' }, … },
 *   step(s, cell) { … }, backStep(s, cell) { … },
 * });
 * const layer = new RNN({ cell: scaled.create({ units: 8, scale: 0.5 }) });
 */
export function defineCell<
  Defaults extends Record<string, CellOptionValue> = Record<never, never>,
  Params extends Record<string, CellParamSpec> = Record<string, CellParamSpec>,
>(definition: CellDefinition<Defaults, Params>): DefinedCellType<Defaults, Params> {
  const api = definition.name;
  const defaults = (definition.defaults ?? {}) as Readonly<Defaults>;
  const paramNames = Object.keys(definition.params) as (keyof Params & string)[];
  const ownKeys = Object.keys(defaults);
  const keys = ['units', 'dtype', ...ownKeys, ...paramNames.map((p) => `${p}Initializer`)];

  class Cell implements DefinedCell<Defaults, Params> {
    readonly kind = definition.kind;
    readonly units: number;
    readonly dtype: DType;
    readonly options: Readonly<Widened<Defaults>>;
    readonly states: readonly CellVector[];
    readonly kept: readonly CellVector[];
    readonly gradients: readonly CellVector[];
    readonly #initializers: ResolvedInitializer[];
    #params: Param[] = [];
    #features = 0;
    w = {} as { [K in keyof Params]: TypedArray };
    g = {} as { [K in keyof Params]: TypedArray };

    constructor(options: Readonly<Record<string, unknown>>) {
      checkOptionKeys(api, options, keys);
      this.units = positiveInteger(api, 'units', options.units);
      this.dtype = dtypeOption(api, options.dtype);
      const own: Record<string, unknown> = {};
      for (const key of ownKeys) {
        const value = options[key] ?? defaults[key];
        const expected = defaults[key];
        if (expected !== null && typeof value !== typeof expected) {
          throw new RnnkitError(api, `${key} must be a ${typeof expected}, got ${describeValue(value)}`);
        }
        own[key] = value;
      }
      this.options = Object.freeze(own) as Readonly<Widened<Defaults>>;
      const problem = definition.validate?.(this.options);
      if (problem !== undefined) throw new RnnkitError(api, problem);
      this.#initializers = paramNames.map((p) =>
        initializerOption(api, `${p}Initializer`, options[`${p}Initializer`], definition.params[p]!.initializer as string),
      );
      this.states = definition.states(this.units, this.options);
      this.kept = definition.kept(this.units, this.options);
      this.gradients = definition.gradients?.(this.units, this.options) ?? [];
      if (this.states[0]?.size !== this.units) {
        throw new RnnkitError(api, `state 0 is the output and must have units (${this.units}) elements, got ${describeValue(this.states[0])}`);
      }
    }

    get built(): boolean {
      return this.#params.length > 0;
    }

    get features(): number {
      return this.#features;
    }

    build(features: number, random: Random, options: CellBuildOptions = {}): void {
      positiveInteger(api, 'features', features);
      if (this.built) {
        if (features !== this.#features) throw new RnnkitError(api, `already built for ${this.#features} features, got ${features}`);
        return;
      }
      this.#params = paramNames.map((name, i) => {
        const shape = definition.params[name]!.shape(features, this.units);
        return initParam(api, name, this.#initializers[i]!.fn, shape, random, this.dtype, options.initialize !== false);
      });
      paramNames.forEach((name, i) => {
        this.w[name] = this.#params[i]!.value.data;
        this.g[name] = this.#params[i]!.grad.data;
      });
      this.#features = features;
      if (options.initialize !== false) definition.initialize?.(this);
    }

    params(): Param[] {
      return this.#params;
    }

    step(s: ForwardSteps): void {
      definition.step(s, this);
    }

    backStep(s: BackwardSteps): void {
      definition.backStep(s, this);
    }

    getConfig(): CellConfig {
      const initializers = Object.fromEntries(
        paramNames.map((p, i) => [`${p}Initializer`, initializerConfigOf(api, `${p}Initializer`, this.#initializers[i]!)]),
      );
      return { units: this.units, dtype: this.dtype, ...this.options, ...initializers };
    }
  }
  // The optional hooks only where the definition has them: the layer calls what exists.
  if (definition.beforeForward) {
    const hook = definition.beforeForward;
    Object.defineProperty(Cell.prototype, 'beforeForward', { value(this: Cell, s: ForwardSteps) { hook(s, this); } });
  }
  if (definition.afterBackward) {
    const hook = definition.afterBackward;
    Object.defineProperty(Cell.prototype, 'afterBackward', { value(this: Cell, s: BackwardSteps) { hook(s, this); } });
  }

  const create = (options: DefinedCellOptions<Defaults, Params>): DefinedCell<Defaults, Params> =>
    new Cell(options as Readonly<Record<string, unknown>>) as unknown as DefinedCell<Defaults, Params>;
  return { plugin: Object.freeze({ name: api, create }), create };
}
