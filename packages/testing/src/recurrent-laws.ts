import fc from 'fast-check';
import { type CheckGradientsOptions, checkGradients } from '@rnnkit/gradcheck';
import { type DType, Param, Random, Tensor, concat, sameShape, slice } from '@rnnkit/tensor';
import { type Law, identicalTensors, sameData, show, uniformTensor } from './law-runner.js';
import type { SymbolicShapeLike } from './layer-laws.js';
import { type CellUnderTest, firstStray } from './recurrent-steps.js';

/** The options of the recurrent layer the laws build around a cell (those of `RNN` in `@rnnkit/layers`). */
export interface RecurrentLayerOptionsLike<Cell> {
  readonly cell: Cell;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly learnableInitialState: boolean;
}

/** The part of the recurrent layer the laws drive: structurally the `RNN` of `@rnnkit/layers`. */
export interface RecurrentLayerUnderTest {
  readonly built: boolean;
  build(inputShape: SymbolicShapeLike, random: Random): void;
  params(): readonly Param[];
  forward(
    x: Tensor,
    options?: { readonly training?: boolean; readonly initialState?: readonly Tensor[] },
  ): { readonly y: Tensor; readonly states?: readonly Tensor[]; readonly cache: unknown };
  backwardWithStates(
    dy: Tensor,
    cache: unknown,
    options?: { readonly stateGrads?: readonly (Tensor | undefined)[] },
  ): { readonly dx: Tensor; readonly initialStateGrads: readonly Tensor[] };
}

/** How {@link recurrentLaws} runs a cell. */
export interface RecurrentLawsOptions<Cell extends CellUnderTest> {
  /** Makes the layer around a cell: `(options) => new RNN(options)` or `rnn` of `@rnnkit/layers`. */
  readonly rnn: (options: RecurrentLayerOptionsLike<Cell>) => RecurrentLayerUnderTest;
  /**
   * The cell's plugin; when given, the config round-trip law is included:
   * `plugin.create(cell.getConfig())` (after JSON) must give an equal cell.
   */
  readonly plugin?: { readonly name: string; create(config: never): Cell };
  /** Names the cell in failure messages. @defaultValue the plugin's name, else the cell's kind */
  readonly name?: string;
  /** Largest `units` tried (from 1). @defaultValue 4 */
  readonly maxUnits?: number;
  /** Options of the float64 gradient check. @defaultValue checkGradients' defaults (eps 1e-6, rtol 1e-5, atol 1e-8) */
  readonly gradcheck?: CheckGradientsOptions;
  /**
   * Largest difference between the float32 and float64 cells, relative to the largest
   * magnitude of each compared float64 value (outputs, states, every gradient).
   * @defaultValue 1e-4
   */
  readonly float32Tolerance?: number;
}

/** Where a law's initial states come from. */
type InitialStates = 'zero' | 'given' | 'learnable';

interface RecurrentCase {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly units: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly initial: InitialStates;
  readonly seed: number;
}

/** One forward and backward pass: its values and gradients (parameter gradients from zero). */
interface PassResult {
  readonly y: Tensor;
  readonly states: readonly Tensor[];
  readonly dx: Tensor;
  readonly initialStateGrads: readonly Tensor[];
  readonly paramGrads: readonly Tensor[];
}

const CHUNK_TOLERANCE = 1e-10;

/**
 * Reusable laws every recurrent cell should obey, run inside the generic recurrent layer,
 * as fast-check properties over random batch, time, features and units (small) and seeds:
 *
 * - the float64 gradient check through time: backward matches central differences for
 *   every parameter, the input and the initial states (given, or learnable), with and
 *   without `returnSequences`, with and without the final states in the loss;
 * - chunking: two chunks with the state carried (`initialState`) give the outputs of one
 *   pass, and backward through both (the second chunk's `initialStateGrads` as the first's
 *   `stateGrads`) gives every gradient of one pass;
 * - batch split: a batch of two or three equals as many batches of one (values, state
 *   gradients, and the parameter gradients summed);
 * - float32 agrees with float64 within a float32 tolerance, for the same weights and input;
 * - with `plugin`: `plugin.create(cell.getConfig())` builds an equal cell, which computes
 *   the same outputs and gradients for the same weights.
 *
 * Run on a backend with fused passes, the laws test those passes as the layer uses them;
 * {@link recurrentKernelLaws} compares a pass with the cell's own steps directly.
 *
 * @param factory makes a fresh, unbuilt cell of the given dtype and units
 * @example
 * import { RNN, lstmCell, lstmCellPlugin } from '@rnnkit/layers';
 * runLaws(recurrentLaws((dtype, units) => lstmCell({ units, dtype }), { rnn: (o) => new RNN(o), plugin: lstmCellPlugin }));
 */
export function recurrentLaws<Cell extends CellUnderTest>(
  factory: (dtype: DType, units: number) => Cell,
  options: RecurrentLawsOptions<Cell>,
): Law[] {
  const { rnn, plugin, gradcheck = {} } = options;
  const maxUnits = options.maxUnits ?? 4;
  const float32Tolerance = options.float32Tolerance ?? 1e-4;
  const caseArb = (minTime: number, minBatch: number): fc.Arbitrary<RecurrentCase> =>
    fc.record({
      batch: fc.integer({ min: minBatch, max: minBatch + 2 }),
      time: fc.integer({ min: minTime, max: minTime + 3 }),
      features: fc.integer({ min: 1, max: 3 }),
      units: fc.integer({ min: 1, max: maxUnits }),
      returnSequences: fc.boolean(),
      returnState: fc.boolean(),
      initial: fc.constantFrom<InitialStates>('zero', 'given', 'learnable'),
      seed: fc.nat(),
    });
  let cellName = options.name ?? plugin?.name;
  const where = (c: RecurrentCase): string => {
    const flags = `returnSequences ${c.returnSequences}, returnState ${c.returnState}, initial states ${c.initial}`;
    return `${cellName} (batch ${c.batch}, time ${c.time}, features ${c.features}, units ${c.units}, ${flags}, seed ${c.seed})`;
  };

  /** A built layer of the case around a fresh cell, its weights drawn from the case's seed. */
  const setUp = (c: RecurrentCase, dtype: DType, overrides: Partial<RecurrentLayerOptionsLike<Cell>> = {}) => {
    const cell = factory(dtype, c.units);
    cellName ??= cell.kind;
    const random = new Random(c.seed);
    const layer = rnn({
      cell,
      returnSequences: c.returnSequences,
      returnState: c.returnState,
      learnableInitialState: c.initial === 'learnable',
      ...overrides,
    });
    layer.build([null, c.time, c.features], random);
    // Initialisers leave biases (and learnable initial states) at constants: move every
    // weight off them, so that no term of the maths hides behind a zero or a one.
    for (const p of layer.params()) {
      for (let i = 0; i < p.value.size; i++) p.value.data[i] = p.value.data[i]! + random.uniform(-0.5, 0.5);
    }
    const x = uniformTensor([c.batch, c.time, c.features], random, dtype);
    const initialState =
      c.initial === 'given' ? cell.states.map((v) => uniformTensor([c.batch, v.size], random, dtype)) : undefined;
    return { cell, layer, x, initialState, random };
  };

  const run = (
    layer: RecurrentLayerUnderTest,
    x: Tensor,
    initialState: readonly Tensor[] | undefined,
    dy: Tensor,
    stateGrads: readonly Tensor[] | undefined,
  ): PassResult => {
    for (const p of layer.params()) p.zeroGrad();
    const { y, states = [], cache } = layer.forward(x, { training: true, ...(initialState && { initialState }) });
    const { dx, initialStateGrads } = layer.backwardWithStates(dy, cache, stateGrads && { stateGrads });
    return { y, states, dx, initialStateGrads, paramGrads: layer.params().map((p) => p.grad.clone()) };
  };

  /** Random ∂L/∂y and ∂L/∂states for a layer's outputs. */
  const outputGradients = (c: RecurrentCase, cell: Cell, random: Random, dtype: DType) => ({
    dy: uniformTensor(c.returnSequences ? [c.batch, c.time, c.units] : [c.batch, c.units], random, dtype),
    stateGrads: c.returnState ? cell.states.map((v) => uniformTensor([c.batch, v.size], random, dtype)) : undefined,
  });

  const laws: Law[] = [
    {
      name: 'should match central differences through time in float64 (parameters, input, initial states)',
      property: fc.property(caseArb(1, 1), (c) => {
        const { cell, layer, x, initialState, random } = setUp(c, 'float64');
        // The given initial states become parameters of the check: their gradients are the
        // layer's initialStateGrads.
        const stateParams = (initialState ?? []).map((s, k) => new Param(`initial ${cell.states[k]!.name}`, s));
        const { dy, stateGrads } = outputGradients(c, cell, random, 'float64');
        // Loss L = Σ y ⊙ dy + Σ_k state_k ⊙ stateGrads_k, so backward receives dy and stateGrads.
        const lossOf = (y: Tensor, states: readonly Tensor[] | undefined): number => {
          let sum = dot(y, dy);
          stateGrads?.forEach((g, k) => (sum += dot(states![k]!, g)));
          return sum;
        };
        const forward = () => layer.forward(x, initialState && { initialState });
        const report = checkGradients(
          {
            params: [...layer.params(), ...stateParams],
            input: x,
            loss: () => {
              const { y, states } = forward();
              return lossOf(y, states);
            },
            gradients: () => {
              for (const p of layer.params()) p.zeroGrad();
              const { y, states, cache } = forward();
              const { dx, initialStateGrads } = layer.backwardWithStates(dy, cache, stateGrads && { stateGrads });
              stateParams.forEach((p, k) => p.grad.data.set(initialStateGrads[k]!.data));
              return { loss: lossOf(y, states), inputGrad: dx };
            },
          },
          gradcheck,
        );
        if (!report.passed) throw new Error(`${where(c)}:\n${report.format()}`);
      }),
    },
    {
      name: 'should give one pass’s outputs and gradients from two chunks with the state carried',
      property: fc.property(caseArb(2, 1), fc.nat(), (c0, splitDraw) => {
        const c = { ...c0, returnState: true, initial: c0.initial === 'learnable' ? 'given' : c0.initial } as const;
        const split = 1 + (splitDraw % (c.time - 1));
        const { cell, layer, x, initialState, random } = setUp(c, 'float64');
        const { dy, stateGrads } = outputGradients(c, cell, random, 'float64');
        const whole = run(layer, x, initialState, dy, stateGrads);

        for (const p of layer.params()) p.zeroGrad();
        const first = layer.forward(slice(x, [0, 0], [-1, split]), initialState && { initialState });
        const second = layer.forward(slice(x, [0, split], [-1, -1]), { initialState: first.states! });
        const dy2 = c.returnSequences ? slice(dy, [0, split], [-1, -1]) : dy;
        const back2 = layer.backwardWithStates(dy2, second.cache, { stateGrads: stateGrads! });
        // Without returnSequences the first chunk's output is not part of the loss.
        const dy1 = c.returnSequences ? slice(dy, [0, 0], [-1, split]) : new Tensor(first.y.data.map(() => 0), first.y.shape);
        const back1 = layer.backwardWithStates(dy1, first.cache, { stateGrads: back2.initialStateGrads });

        const at = `${where(c)}, split after step ${split}`;
        expectClose(at, 'y', c.returnSequences ? concat([first.y, second.y], 1) : second.y, whole.y, CHUNK_TOLERANCE);
        second.states!.forEach((s, k) => expectClose(at, `final state ${k}`, s, whole.states[k]!, CHUNK_TOLERANCE));
        expectClose(at, 'dx', concat([back1.dx, back2.dx], 1), whole.dx, CHUNK_TOLERANCE);
        back1.initialStateGrads.forEach((g, k) =>
          expectClose(at, `initial state ${k} gradient`, g, whole.initialStateGrads[k]!, CHUNK_TOLERANCE),
        );
        layer.params().forEach((p, k) => expectClose(at, `${p.name} gradient`, p.grad, whole.paramGrads[k]!, CHUNK_TOLERANCE));
      }),
    },
    {
      name: 'should give from a batch of two or three the values and summed parameter gradients of batches of one',
      property: fc.property(caseArb(1, 2).map((c) => ({ ...c, batch: Math.min(c.batch, 3) })), (c0) => {
        const c = { ...c0, returnState: true };
        const { cell, layer, x, initialState, random } = setUp(c, 'float64');
        const { dy, stateGrads } = outputGradients(c, cell, random, 'float64');
        const whole = run(layer, x, initialState, dy, stateGrads);
        const row = (t: Tensor, r: number): Tensor => slice(t, r, 1);
        const rows = Array.from({ length: c.batch }, (_, r) =>
          run(layer, row(x, r), initialState?.map((s) => row(s, r)), row(dy, r), stateGrads?.map((s) => row(s, r))),
        );
        const at = where(c);
        const joined = (pick: (result: PassResult) => Tensor) => concat(rows.map(pick), 0);
        expectClose(at, 'y', joined((r) => r.y), whole.y, CHUNK_TOLERANCE);
        expectClose(at, 'dx', joined((r) => r.dx), whole.dx, CHUNK_TOLERANCE);
        whole.states.forEach((s, k) => expectClose(at, `final state ${k}`, joined((r) => r.states[k]!), s, CHUNK_TOLERANCE));
        whole.initialStateGrads.forEach((g, k) =>
          expectClose(at, `initial state ${k} gradient`, joined((r) => r.initialStateGrads[k]!), g, CHUNK_TOLERANCE),
        );
        layer.params().forEach((p, k) => {
          const sum = rows[0]!.paramGrads[k]!.clone();
          for (const r of rows.slice(1)) for (let i = 0; i < sum.size; i++) sum.data[i] = sum.data[i]! + r.paramGrads[k]!.data[i]!;
          expectClose(at, `${p.name} gradient`, sum, whole.paramGrads[k]!, CHUNK_TOLERANCE);
        });
      }),
    },
    {
      name: `should agree in float32 with float64 within ${float32Tolerance} (values and gradients)`,
      property: fc.property(caseArb(1, 1), (c) => {
        const wide = setUp(c, 'float64');
        const narrow = setUp(c, 'float32');
        // The same float32-representable weights and inputs in both: only arithmetic differs.
        const wideParams = wide.layer.params();
        const narrowParams = narrow.layer.params();
        if (wideParams.length !== narrowParams.length) {
          throw new Error(`${where(c)}: ${wideParams.length} float64 parameters but ${narrowParams.length} float32 ones`);
        }
        wideParams.forEach((p, k) => {
          if (narrowParams[k]!.value.dtype !== 'float32') {
            throw new Error(`${where(c)}: parameter ${narrowParams[k]!.name} of the float32 cell is ${narrowParams[k]!.value.dtype}`);
          }
          roundToFloat32(p.value);
          narrowParams[k]!.value.data.set(p.value.data);
        });
        const { dy, stateGrads } = outputGradients(c, wide.cell, wide.random, 'float64');
        const inputs = [wide.x, dy, ...(wide.initialState ?? []), ...(stateGrads ?? [])];
        inputs.forEach(roundToFloat32);
        const as32 = (t: Tensor) => t.astype('float32');
        const a = run(wide.layer, wide.x, wide.initialState, dy, stateGrads);
        const b = run(narrow.layer, as32(wide.x), wide.initialState?.map(as32), as32(dy), stateGrads?.map(as32));
        const at = `${where(c)} in float32`;
        if (b.y.dtype !== 'float32') throw new Error(`${at}: y is ${b.y.dtype}`);
        expectClose(at, 'y', b.y, a.y, float32Tolerance);
        expectClose(at, 'dx', b.dx, a.dx, float32Tolerance);
        a.states.forEach((s, k) => expectClose(at, `final state ${k}`, b.states[k]!, s, float32Tolerance));
        a.initialStateGrads.forEach((g, k) =>
          expectClose(at, `initial state ${k} gradient`, b.initialStateGrads[k]!, g, float32Tolerance),
        );
        a.paramGrads.forEach((g, k) => expectClose(at, `${wideParams[k]!.name} gradient`, b.paramGrads[k]!, g, float32Tolerance));
      }),
    },
  ];

  if (plugin !== undefined) {
    laws.push({
      name: 'should rebuild an equal cell from its config with the plugin',
      property: fc.property(caseArb(1, 1), fc.constantFrom<DType>('float32', 'float64'), (c, dtype) => {
        const { cell, layer, x, initialState, random } = setUp(c, dtype);
        const config = cell.getConfig();
        const copy = plugin.create(JSON.parse(JSON.stringify(config)) as never);
        const at = `${where(c)} in ${dtype}`;
        if (copy.built) throw new Error(`${at}: ${plugin.name}.create returned a built cell`);
        if (!sameData(copy.getConfig(), config)) {
          throw new Error(`${at}: config ${show(config)} came back as ${show(copy.getConfig())}`);
        }
        const copyLayer = rnn({
          cell: copy,
          returnSequences: c.returnSequences,
          returnState: c.returnState,
          learnableInitialState: c.initial === 'learnable',
        });
        copyLayer.build([null, c.time, c.features], new Random(c.seed + 1));
        const params = layer.params();
        copyLayer.params().forEach((p, k) => p.value.data.set(params[k]!.value.data));
        const { dy, stateGrads } = outputGradients(c, cell, random, dtype);
        const a = run(layer, x, initialState, dy, stateGrads);
        const b = run(copyLayer, x, initialState, dy, stateGrads);
        if (!identicalTensors(a.y, b.y)) throw new Error(`${at}: the rebuilt cell computes another output`);
        if (!identicalTensors(a.dx, b.dx)) throw new Error(`${at}: the rebuilt cell computes another input gradient`);
        a.paramGrads.forEach((g, k) => {
          if (!identicalTensors(g, b.paramGrads[k]!)) throw new Error(`${at}: the rebuilt cell computes another ${params[k]!.name} gradient`);
        });
      }),
    });
  }
  return laws;
}

function dot(a: Tensor, b: Tensor): number {
  let sum = 0;
  for (let i = 0; i < a.size; i++) sum += a.data[i]! * b.data[i]!;
  return sum;
}

function roundToFloat32(t: Tensor): void {
  for (let i = 0; i < t.size; i++) t.data[i] = Math.fround(t.data[i]!);
}

/** Throws unless `got` has `want`'s shape and values within {@link firstStray}'s tolerance. */
function expectClose(where: string, what: string, got: Tensor, want: Tensor, tolerance: number): void {
  if (!sameShape(got.shape, want.shape)) throw new Error(`${where}: ${what} has shape ${show(got.shape)}, expected ${show(want.shape)}`);
  const stray = firstStray(got.data, want.data, tolerance);
  if (stray !== null) throw new Error(`${where}: ${what}${stray}`);
}
