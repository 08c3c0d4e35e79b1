// How work is shared out among threads: rows (or depths) in blocks of 4, the micro-tile
// height, so that no two threads write into one tile, the rows past the last whole block
// going with the last share: every share of 4 or more rows takes the products' blocked path,
// as the whole would, so sharing rows out never changes a result's bits (a share of 1–3
// rows would take the matrix–vector path, which sums in another order).

/**
 * Where share `part` of `total` rows starts when they are shared out among `parts` threads
 * in whole blocks of 4 (the micro-tile height) as evenly as possible, the last share also
 * taking the 1–3 rows past the last whole block; `parts` must not exceed the number of whole
 * blocks (or be 1). Arithmetic only: gemm runs once per time step and must not allocate.
 */
export function shareStart(total: number, parts: number, part: number): number {
  if (part >= parts) return total;
  const blocks = Math.max(1, Math.floor(total / 4));
  const base = Math.floor(blocks / parts);
  return Math.min(total, 4 * (part * base + Math.min(part, blocks % parts)));
}

/** At most `parts` threads for `total` rows: no more than one per whole block of 4 rows. */
export function usableParts(total: number, parts: number): number {
  return Math.max(1, Math.min(parts, Math.floor(total / 4)));
}

/** The rows of each share (see {@link shareStart}), as a list. */
export function splitRows(batch: number, parts: number): number[] {
  const count = usableParts(batch, parts);
  const rows: number[] = [];
  for (let part = 0; part < count; part++) rows.push(shareStart(batch, count, part + 1) - shareStart(batch, count, part));
  return rows;
}
