// Snapshots of the model while it trains: the option that asks for them, and loading one into
// a model on this thread. The worker sends only the weight arrays (their buffers transferred,
// not copied); the architecture is the one the job started with, which this thread already has.
import type { Sequential } from '@rnnkit/layers';
import { RnnkitError, checkOptionKeys, describeValue } from '@rnnkit/tensor';
import { type ModelSnapshot, decodeTensor } from './protocol.js';

/** How often `trainInWorker` sends the model's weights back: every `every` epochs. */
export interface SnapshotOptions {
  /**
   * Epochs between two snapshots: a snapshot comes with every epoch whose number is a
   * multiple of `every` (1 is every epoch).
   */
  readonly every: number;
}

/**
 * The epochs between snapshots that `snapshots` asks for (undefined: none), or a one-line
 * error naming `api`.
 */
export function snapshotEvery(api: string, snapshots: unknown): number | undefined {
  if (snapshots === undefined) return undefined;
  if (snapshots === 'epoch') return 1;
  if (snapshots === null || typeof snapshots !== 'object' || Array.isArray(snapshots)) {
    throw new RnnkitError(api, `snapshots must be 'epoch' or { every: n } (a positive number of epochs), got ${describeValue(snapshots)}`);
  }
  checkOptionKeys(api, snapshots, ['every'], 'snapshots option');
  const every = (snapshots as { every?: unknown }).every;
  if (typeof every !== 'number' || !Number.isInteger(every) || every < 1) {
    throw new RnnkitError(api, `snapshots.every must be a positive integer (epochs between snapshots), got ${describeValue(every)}`);
  }
  return every;
}

function isSnapshot(value: unknown): value is ModelSnapshot {
  return typeof value === 'object' && value !== null && Array.isArray((value as ModelSnapshot).weights);
}

/**
 * Loads a snapshot's weights into `model`, a model of the architecture the job trains (the
 * spec given to `trainInWorker`, or a model loaded from it). Throws, changing nothing, when
 * the weights do not fit the model. The snapshot's arrays are copied: it stays usable.
 */
export function applySnapshot(model: Sequential, snapshot: ModelSnapshot): void {
  const API = 'applySnapshot';
  if (typeof model !== 'object' || model === null || typeof (model as Sequential).setWeights !== 'function') {
    throw new RnnkitError(API, `model must be a Sequential, got ${describeValue(model)}`);
  }
  if (!isSnapshot(snapshot)) {
    throw new RnnkitError(API, `snapshot must be a ModelSnapshot ({ epoch, weights }) from onEpochEnd, got ${describeValue(snapshot)}`);
  }
  const weights = snapshot.weights.map(decodeTensor);
  try {
    model.setWeights(weights);
  } catch (error) {
    // setWeights names the Sequential; say which call it was and keep its account of the mismatch.
    const message = error instanceof RnnkitError && error.message.startsWith(`${error.api}: `) ? error.message.slice(error.api.length + 2) : String(error);
    throw new RnnkitError(API, `the snapshot of epoch ${snapshot.epoch} does not fit the model: ${message}`);
  }
}
