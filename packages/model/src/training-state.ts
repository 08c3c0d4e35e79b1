// Where a run of `fit` stands, as plain JSON: with the model's weights and the optimizer's
// state it is everything a later `fit` needs to go on exactly as if it had never stopped.
// The shuffle order is part of it because each epoch shuffles the previous epoch's order in
// place (so the order of epoch 3 depends on every shuffle before it).
import { Random, type RandomState, RnnkitError, describeValue } from '@rnnkit/tensor';

/**
 * The state of a training run after a `fit` call (`history.trainingState`): pass it as
 * `resume` to the next `fit`, with the model's weights and the optimizer as they were when
 * it was made, and training goes on bit-identically. JSON-safe: save it beside the model.
 */
export interface TrainingState {
  readonly format: 'rnnkit.training';
  readonly version: 1;
  /** Epochs finished so far, over every `fit` call of the run. */
  readonly epoch: number;
  /**
   * Batches already trained of epoch `epoch + 1`, when a `signal` stopped it half-way;
   * 0 when it has not begun. Resuming trains its remaining batches first.
   */
  readonly batch: number;
  /** The sum of batch loss × batch size, and the number of samples, of those batches. */
  readonly epochLossSum: number;
  readonly epochSamples: number;
  /** Training samples (after any validation split) and the batch size of the run. */
  readonly samples: number;
  readonly batchSize: number;
  /** The `seed` and `shuffle` of the run. */
  readonly seed: number;
  readonly shuffle: boolean;
  /** The shuffle stream after the last shuffle. */
  readonly random: RandomState;
  /** The sample order of the last epoch begun (the next one shuffles it again). */
  readonly order: readonly number[];
  /** The optimizer's `iterations` when this state was taken: a resumed run must use that optimizer. */
  readonly iterations: number;
  /**
   * The `tbptt` chunk length of the run, when it had one (absent otherwise). Each of its
   * batches takes one optimizer step per chunk, so an epoch stopped half-way is finished
   * with the same chunks.
   */
  readonly tbptt?: number;
}

const KEYS = [
  'format', 'version', 'epoch', 'batch', 'epochLossSum', 'epochSamples', 'samples', 'batchSize',
  'seed', 'shuffle', 'random', 'order', 'iterations', 'tbptt',
] as const;

/**
 * Checks a state given as `resume` (it may come from a file) against the run it should
 * continue and returns the shuffle stream it holds.
 */
export function checkTrainingState(
  api: string,
  state: TrainingState,
  run: { readonly samples: number; readonly batchSize: number; readonly iterations: number; readonly tbptt: number | undefined },
): Random {
  const fail = (message: string): never => {
    throw new RnnkitError(api, `resume: ${message}`);
  };
  if (typeof state !== 'object' || state === null || state.format !== 'rnnkit.training') {
    fail(`expected history.trainingState of an earlier fit (format "rnnkit.training"), got ${describeValue(state)}`);
  }
  if (state.version !== 1) fail(`the training state has version ${describeValue(state.version)}; this version reads 1`);
  for (const key of Object.keys(state)) {
    if (!(KEYS as readonly string[]).includes(key)) fail(`unknown key "${key}"; a training state has ${KEYS.join(', ')}`);
  }
  const count = (key: 'epoch' | 'batch' | 'epochSamples' | 'samples' | 'batchSize' | 'iterations'): void => {
    if (!Number.isSafeInteger(state[key]) || state[key] < 0) fail(`${key} must be an integer ≥ 0, got ${describeValue(state[key])}`);
  };
  for (const key of ['epoch', 'batch', 'epochSamples', 'samples', 'batchSize', 'iterations'] as const) count(key);
  if (typeof state.epochLossSum !== 'number' || !Number.isFinite(state.epochLossSum)) {
    fail(`epochLossSum must be a finite number, got ${describeValue(state.epochLossSum)}`);
  }
  if (typeof state.seed !== 'number' || !Number.isFinite(state.seed)) fail(`seed must be a finite number, got ${describeValue(state.seed)}`);
  if (typeof state.shuffle !== 'boolean') fail(`shuffle must be a boolean, got ${describeValue(state.shuffle)}`);
  if (state.samples !== run.samples) {
    fail(`the training state is for ${state.samples} training samples, this data has ${run.samples}`);
  }
  const order = state.order;
  const seen = new Set<number>();
  const fresh = (i: unknown): boolean => Number.isInteger(i) && (i as number) >= 0 && (i as number) < run.samples && !seen.has(i as number) && !!seen.add(i as number);
  if (!Array.isArray(order) || order.length !== run.samples || !order.every(fresh)) {
    fail(`order must list each of the ${run.samples} sample indices once`);
  }
  if (state.batch > 0 && state.batchSize !== run.batchSize) {
    fail(`epoch ${state.epoch + 1} stopped after batch ${state.batch} of size ${state.batchSize}; finish it with that batchSize, got ${run.batchSize}`);
  }
  if (state.tbptt !== undefined && (!Number.isSafeInteger(state.tbptt) || state.tbptt < 1)) {
    fail(`tbptt must be a positive integer when present, got ${describeValue(state.tbptt)}`);
  }
  if (state.batch > 0 && state.tbptt !== run.tbptt) {
    const chunks = (k: number | undefined): string => (k === undefined ? 'without tbptt' : `with tbptt ${k}`);
    fail(`epoch ${state.epoch + 1} stopped after batch ${state.batch} of a run ${chunks(state.tbptt)}; finish it ${chunks(state.tbptt)}, got a run ${chunks(run.tbptt)}`);
  }
  if (state.batch * state.batchSize >= run.samples && state.batch > 0) {
    fail(`batch ${state.batch} of size ${state.batchSize} is past the end of ${run.samples} samples`);
  }
  if (state.iterations !== run.iterations) {
    fail(
      `the training state was taken after ${state.iterations} optimizer steps but this optimizer has taken ${run.iterations}; ` +
        'pass the optimizer saved with it (saveModel(model, { optimizer }) and loadModel(…, { optimizerPlugins }), or loadOptimizer)',
    );
  }
  const random = new Random(0);
  try {
    random.setState(state.random);
  } catch (error) {
    fail(`random is not a state of Random.getState(): ${(error as Error).message}`);
  }
  return random;
}
