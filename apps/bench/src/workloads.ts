// The seed workloads (docs/benchmarks.md), as plain data every contender builds its own model from.
// Sizes come in two scales: `full` (the benchmark's) and `tiny` (the smoke test's, which only
// checks that the harness produces results and ratios, never how fast they are).

/** The recurrent layer of a workload and what sits on top of it. */
export interface ModelSpec {
  readonly cell: 'lstm' | 'simpleRNN';
  readonly units: number;
  /** Activation of the recurrent layer (LSTM: of the candidate and the cell output). */
  readonly activation: 'tanh' | 'sigmoid';
  /** Output every step (the Dense on top then applies per step). */
  readonly returnSequences: boolean;
  /** A Dense layer on top, or null for the recurrent layer alone. */
  readonly dense: { readonly units: number; readonly activation: 'linear' | 'sigmoid' } | null;
  /** The recurrent layer wrapped in Bidirectional (outputs concatenated). @defaultValue false */
  readonly bidirectional?: boolean;
  /**
   * A Masking layer (mask value 0) in front: the data's sequences have different lengths,
   * padded with zero steps at the end, and the recurrent layers skip the padding. @defaultValue false
   */
  readonly masking?: boolean;
}

export type OptimizerName = 'adam' | 'rmsprop' | 'sgd';
export type LossName = 'mse' | 'bce';
export type Phase = 'train' | 'predict';

/** One row of the results table: a workload, a phase and a batch size. */
export interface BenchCase {
  /** Row id, e.g. `"W1 b75"` or `"W2 predict"`. */
  readonly id: string;
  readonly workload: 'W1' | 'W2' | 'W3' | 'W4' | 'W5' | 'W6';
  /** What the row measures, e.g. `"LSTM(32)+Dense(1), T=25, in=1, Adam, batch 75"`. */
  readonly title: string;
  readonly phase: Phase;
  readonly model: ModelSpec;
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly loss: LossName;
  /** Samples in the data set; a run processes `batch` of them (W5: all, one update each). */
  readonly samples: number;
  /** The target for this row (docs/benchmarks.md), or null. */
  readonly target: Target | null;
}

/** A benchmark target, as a ratio of rnnkit's throughput to an anchor's. */
export interface Target {
  /** rnnkit ÷ anchor must reach this. */
  readonly ratio: number;
  /** Which anchor: the fastest TF.js backend, TF.js' WASM backend, or brain.js. */
  readonly against: 'fastest TF.js' | 'TF.js WASM' | 'brain.js';
}

export type Scale = 'full' | 'tiny';

/**
 * Floating-point operations of one sample's forward pass through the recurrent layer,
 * counted as in docs/benchmarks.md: 2·gates·units·(in + units)·T (the products only; the Dense and
 * the elementwise gate maths are left out), twice for a Bidirectional layer; padded steps count
 * like the others (the fused passes compute every step). Training counts 3× (forward, and the two
 * products of the backward pass: input gradients and weight gradients).
 */
export function forwardFlopsPerSample(c: BenchCase): number {
  const gates = c.model.cell === 'lstm' ? 4 : 1;
  const directions = c.model.bidirectional === true ? 2 : 1;
  return 2 * directions * gates * c.model.units * (c.features + c.model.units) * c.time;
}

/** FLOPs per sample of the row's phase (training 3× forward). */
export function flopsPerSample(c: BenchCase): number {
  return forwardFlopsPerSample(c) * (c.phase === 'train' ? 3 : 1);
}

/** The rows of the table, in the benchmark's order. */
export function benchCases(scale: Scale): BenchCase[] {
  const tiny = scale === 'tiny';
  const five = { ratio: 5, against: 'fastest TF.js' } as const;
  const twoWasm = { ratio: 2, against: 'TF.js WASM' } as const;
  const lstm = (units: number): ModelSpec => ({
    cell: 'lstm',
    units,
    activation: 'tanh',
    returnSequences: false,
    dense: { units: 1, activation: 'linear' },
  });
  // W1: reference experiment 5 (LSTM(1→32) + Dense(1) over windows of 25 of a sine, Adam).
  const w1 = (batch: number): BenchCase => ({
    id: `W1 b${batch}`,
    workload: 'W1',
    title: `LSTM(32)+Dense(1), T=25, in=1, Adam, batch ${batch}`,
    phase: 'train',
    model: lstm(tiny ? 4 : 32),
    batch,
    time: tiny ? 3 : 25,
    features: 1,
    optimizer: 'adam',
    learningRate: 1e-3,
    loss: 'mse',
    samples: 75,
    target: five,
  });
  // W2: reference experiment 3 (Keras LSTM(100) + Dense(1), windows of 5, RMSprop, batch 600).
  const w2 = (phase: 'train' | 'predict'): BenchCase => ({
    id: `W2 ${phase}`,
    workload: 'W2',
    title: `LSTM(100)+Dense(1), T=5, in=1, RMSprop, batch 600, ${phase}`,
    phase,
    model: lstm(tiny ? 4 : 100),
    batch: tiny ? 6 : 600,
    time: tiny ? 2 : 5,
    features: 1,
    optimizer: 'rmsprop',
    learningRate: 1e-3,
    loss: 'mse',
    samples: tiny ? 6 : 600,
    target: phase === 'train' ? five : twoWasm,
  });
  // W3: reference experiment 2 (binary addition: 2 bits in, 16 sigmoid units, a sigmoid output
  // per step, 8 steps), with SGD and binary cross-entropy.
  const w3 = (batch: number): BenchCase => ({
    id: `W3 b${batch}`,
    workload: 'W3',
    title: `SimpleRNN(16)+Dense(1) per step, T=8, in=2, SGD, BCE, batch ${batch}`,
    phase: 'train',
    model: {
      cell: 'simpleRNN',
      units: tiny ? 3 : 16,
      activation: 'sigmoid',
      returnSequences: true,
      dense: { units: 1, activation: 'sigmoid' },
    },
    batch,
    time: tiny ? 3 : 8,
    features: 2,
    optimizer: 'sgd',
    learningRate: 0.1,
    loss: 'bce',
    samples: Math.max(batch, 100),
    target: five,
  });
  // W4: a big LSTM, where the matrix products dominate and GFLOP/s can be compared.
  const w4 = (phase: 'train' | 'predict'): BenchCase => ({
    id: `W4 ${phase}`,
    workload: 'W4',
    title: `LSTM(256), in=32, T=50, batch 64, Adam, ${phase}`,
    phase,
    model: { cell: 'lstm', units: tiny ? 5 : 256, activation: 'tanh', returnSequences: false, dense: null },
    batch: tiny ? 3 : 64,
    time: tiny ? 2 : 50,
    features: tiny ? 3 : 32,
    optimizer: 'adam',
    learningRate: 1e-3,
    loss: 'mse',
    samples: tiny ? 3 : 64,
    target: phase === 'train' ? five : twoWasm,
  });
  // W5: brain.js' LSTMTimeStep (hidden 32) against the same network in rnnkit: a sequence
  // model predicting every next value of windows of 25 (+1) points, one update per window,
  // 75 windows per pass, RMSprop with brain.js' settings.
  const w5: BenchCase = {
    id: 'W5',
    workload: 'W5',
    title: 'LSTMTimeStep hidden 32 vs LSTM(32)+Dense(1) per step, 75 windows of 25, batch 1, ms per pass',
    phase: 'train',
    model: { cell: 'lstm', units: tiny ? 4 : 32, activation: 'tanh', returnSequences: true, dense: { units: 1, activation: 'linear' } },
    batch: 1,
    time: tiny ? 4 : 25,
    features: 1,
    optimizer: 'rmsprop',
    learningRate: 0.01,
    loss: 'mse',
    samples: tiny ? 5 : 75,
    target: { ratio: 10, against: 'brain.js' },
  };
  // W6: Bidirectional(LSTM(64)) over padded batches of sequences of different lengths (a
  // Masking layer makes the mask), the shape of a text or event-sequence classifier.
  const w6 = (phase: 'train' | 'predict'): BenchCase => ({
    id: `W6 ${phase}`,
    workload: 'W6',
    title: `Masking+Bidirectional(LSTM(64))+Dense(1), T≤40 padded, in=16, Adam, batch 64, ${phase}`,
    phase,
    model: {
      cell: 'lstm',
      units: tiny ? 4 : 64,
      activation: 'tanh',
      returnSequences: false,
      dense: { units: 1, activation: 'linear' },
      bidirectional: true,
      masking: true,
    },
    batch: tiny ? 4 : 64,
    time: tiny ? 4 : 40,
    features: tiny ? 3 : 16,
    optimizer: 'adam',
    learningRate: 1e-3,
    loss: 'mse',
    samples: tiny ? 8 : 256,
    target: null,
  });
  return [w1(1), w1(75), w2('train'), w2('predict'), w3(1), w3(100), w4('train'), w4('predict'), w5, w6('train'), w6('predict')];
}
