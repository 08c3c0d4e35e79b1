// The stream's no-allocation promise, measured in a Node process of its own: a fresh V8 whose
// type feedback comes from this float32 model alone, with synchronous optimisation. Inside the
// test runner's worker the same measurement depended on what had run before and on when the
// optimising compiler got to the step (190–380 B a step in some runs, 0 in others).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./stream-heap.script.ts', import.meta.url));

describe('createStream, memory', () => {
  it('should allocate nothing per step when given out: heap growth over many steps stays below 8 bytes a step', () => {
    const run = spawnSync(
      process.execPath,
      ['--expose-gc', '--no-concurrent-recompilation', '--import', 'tsx', '--conditions=source', script],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const growth = JSON.parse(run.stdout) as number[];
    expect(growth).toHaveLength(7);
    // The least of the repetitions: a step that allocates shows in every one of them (one
    // subarray a step reads about 96 bytes), while a collection of the runner's own garbage
    // only adds to some.
    expect(Math.min(...growth)).toBeLessThan(8);
  });
});
