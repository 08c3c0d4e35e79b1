// Compare cells: the same task, settings and seed trained with a SimpleRNN, an LSTM and a GRU
// side by side (each on its own worker through @rnnkit/worker), keeping each one's losses per
// epoch and the gradient flow of its trained model. Free of DOM globals.
import type { WorkerTransport } from '@rnnkit/worker';
import type { EpochLog, LayerKind, TrainingConfig } from './config.js';
import { type GradientFlow, gradientRows } from './gradient-flow.js';
import { TrainingRun } from './training.js';

/** The cells compared, in the order they are shown. */
export const COMPARED_CELLS = ['SimpleRNN', 'LSTM', 'GRU'] as const satisfies readonly LayerKind[];

/** One cell's run. */
export interface CellResult {
  readonly layer: LayerKind;
  readonly parameters: number;
  readonly logs: readonly EpochLog[];
  /** The gradient flow of the probed sample through the trained model. */
  readonly flow: GradientFlow;
}

export interface CompareOptions {
  /** Each run's transport (the page: a Web Worker); default: @rnnkit/worker's own (a Node worker thread). */
  readonly transport?: (layer: LayerKind) => () => WorkerTransport;
  /** Called as each cell finishes an epoch. */
  readonly onEpoch?: (layer: LayerKind, log: EpochLog) => void;
  /** Aborting stops every run; the result then resolves with null. */
  readonly signal?: AbortSignal;
}

/**
 * Trains the three cells on `config`'s task with its seed, optimizer and epochs (no pace), all
 * at once; resolves with one result per cell in {@link COMPARED_CELLS} order, or null when
 * stopped. The same seed gives every cell the same data and the same shuffles.
 */
export async function compareCells(config: TrainingConfig, options: CompareOptions = {}): Promise<CellResult[] | null> {
  const runs = COMPARED_CELLS.map((layer) => {
    const logs: EpochLog[] = [];
    let flow: GradientFlow | null = null;
    const run = new TrainingRun(
      { ...config, layer, epochDelayMs: 0 },
      {
        onEpoch: (log) => {
          logs.push(log);
          options.onEpoch?.(layer, log);
        },
        onSnapshot: (snapshot) => {
          flow = snapshot.gradientFlow;
        },
      },
      options.transport?.(layer),
      // Only the trained model's gradient flow is shown: no snapshots while training.
      { live: false },
    );
    return { layer, run, logs, flow: () => flow };
  });
  const stop = (): void => runs.forEach(({ run }) => run.stop());
  if (options.signal?.aborted) return null;
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const trained = await Promise.all(runs.map(({ run }) => run.start()));
    if (trained.some((t) => t === null)) return null;
    return runs.map(({ layer, run, logs, flow }) => ({ layer, parameters: run.parameters, logs, flow: flow()! }));
  } catch (error) {
    stop();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
}

/** The loss chart's rows: each cell's training and test loss per epoch. */
export function compareLossRows(layer: LayerKind, logs: readonly EpochLog[]): { epoch: number; loss: number; cell: string; set: string }[] {
  return logs.flatMap(({ epoch, loss, testLoss }) => [
    { epoch, loss, cell: layer, set: 'training' },
    { epoch, loss: testLoss, cell: layer, set: 'test' },
  ]);
}

/** The gradient chart's rows: every cell's trained gradient flow, labelled with the cell. */
export function compareGradientRows(results: readonly CellResult[]): ReturnType<typeof gradientRows> {
  return results.flatMap(({ layer, flow }) => gradientRows(flow, layer));
}
