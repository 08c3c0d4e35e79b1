// The recurrent layer's side of dropout (the cells' `dropout` and `recurrentDropout`): the
// layer's own generator of masks — seeded by its `seed` option, or by a seed drawn from the
// model's generator at build, so a seeded training run repeats exactly — the masks of each
// training pass, and setting them on the cell for exactly the duration of a pass.
import { Random, RnnkitError } from '@rnnkit/tensor';
import type { DropoutMasks, RecurrentCell } from './cell.js';
import { describeValue } from './common.js';

/** Whether the cell drops anything while training. */
function dropsWhileTraining(cell: RecurrentCell): boolean {
  return typeof cell.drawDropoutMasks === 'function' && ((cell.dropout ?? 0) > 0 || (cell.recurrentDropout ?? 0) > 0);
}

/** A recurrent layer's generator of dropout masks. */
export class DropoutMaskSource {
  #seed: number | undefined;
  #random: Random | null = null;

  constructor(api: string, seed: unknown) {
    if (seed !== undefined && (typeof seed !== 'number' || !Number.isFinite(seed))) {
      throw new RnnkitError(api, `seed must be a finite number, got ${describeValue(seed)}`);
    }
    this.#seed = seed;
    if (seed !== undefined) this.#random = new Random(seed);
  }

  /** The seed of the masks: given, or drawn at build (only for a cell with dropout); undefined before. */
  get seed(): number | undefined {
    return this.#seed;
  }

  /**
   * At build: a cell with dropout and no `seed` takes one from the model's generator. A cell
   * without dropout draws nothing, so the weights of the layers built after it are unchanged.
   */
  build(cell: RecurrentCell, random: Random): void {
    if (this.#random !== null || !dropsWhileTraining(cell)) return;
    this.#seed = random.nextUint32();
    this.#random = new Random(this.#seed);
  }

  /** The masks of one pass over `batch` sequences: drawn for a training pass of a cell with dropout, else null. */
  masks(cell: RecurrentCell, batch: number, training: boolean): DropoutMasks | null {
    if (!training || !dropsWhileTraining(cell)) return null;
    this.#random ??= new Random((this.#seed ??= 0));
    return cell.drawDropoutMasks!(batch, this.#random);
  }
}

/** Runs `pass` with the cell's `dropoutMasks` set to `masks` (when there are any), and cleared after. */
export function withDropoutMasks<T>(cell: RecurrentCell, masks: DropoutMasks | null | undefined, pass: () => T): T {
  if (masks === null || masks === undefined) return pass();
  cell.dropoutMasks = masks;
  try {
    return pass();
  } finally {
    cell.dropoutMasks = null;
  }
}
