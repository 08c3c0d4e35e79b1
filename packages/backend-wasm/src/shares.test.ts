import { describe, expect, it } from 'vitest';
import { splitRows } from './shares.js';

describe('splitRows', () => {
  it('should share the batch out in blocks of 4 rows, as evenly as possible, covering every row once, no share under 4 rows', () => {
    expect(splitRows(1, 2)).toEqual([1]);
    expect(splitRows(4, 3)).toEqual([4]);
    expect(splitRows(7, 2)).toEqual([7]);
    expect(splitRows(13, 3)).toEqual([4, 4, 5]);
    expect(splitRows(9, 3)).toEqual([4, 5]);
    expect(splitRows(64, 2)).toEqual([32, 32]);
    expect(splitRows(600, 3)).toEqual([200, 200, 200]);
    for (let batch = 1; batch < 100; batch++) {
      for (let parts = 1; parts < 6; parts++) {
        const rows = splitRows(batch, parts);
        expect(rows.reduce((a, b) => a + b, 0)).toBe(batch);
        expect(rows.length).toBeLessThanOrEqual(parts);
        for (const r of rows.slice(0, -1)) expect(r % 4).toBe(0);
        // A share of 1–3 rows would sum in another order than the whole (module comment).
        if (batch >= 4) for (const r of rows) expect(r).toBeGreaterThanOrEqual(4);
      }
    }
  });
});
