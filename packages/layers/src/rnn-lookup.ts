// What the generic recurrent layer looks up: whether a value is a cell, and which of the
// current backend's fused passes (if any) computes a cell.
import { getBackend } from '@rnnkit/tensor';
import type { RecurrentCell, RecurrentPass } from './cell.js';

/** Whether `value` has the shape of a {@link RecurrentCell}. */
export function isCell(value: unknown): value is RecurrentCell {
  if (value === null || typeof value !== 'object') return false;
  const c = value as Partial<RecurrentCell>;
  return (
    typeof c.kind === 'string' &&
    Array.isArray(c.states) &&
    c.states.length > 0 &&
    Array.isArray(c.kept) &&
    typeof c.step === 'function' &&
    typeof c.backStep === 'function' &&
    typeof c.build === 'function' &&
    typeof c.params === 'function'
  );
}

/**
 * The first fused pass of the current backend that computes this cell, if any; for a
 * `masked` sequence, the first that also applies step masks.
 */
export function findPass(cell: RecurrentCell, masked: boolean): RecurrentPass | undefined {
  const fused = getBackend().fused;
  if (fused === undefined) return undefined;
  for (let i = 0; i < fused.length; i++) {
    const k = fused[i]!;
    if (k.family !== 'recurrent') continue;
    const pass = k as RecurrentPass;
    if ((!masked || pass.masks === true) && pass.supports(cell)) return pass;
  }
  return undefined;
}
