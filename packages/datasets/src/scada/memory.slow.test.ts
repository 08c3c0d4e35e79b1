// The SCADA loader's bounded memory, measured in a Node process of its own whose heap is
// smaller than the export: a loader that held the text (or every turbine's rows) would run
// out of it. The export is generated chunk by chunk and never exists whole.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./memory.script.ts', import.meta.url));

describe('parseScada, memory', () => {
  it('should stream a 500,000-row export (about 51 MB of text) through a 32 MB heap, keeping one turbine', { timeout: 180_000 }, () => {
    const run = spawnSync(process.execPath, ['--max-old-space-size=32', '--import', 'tsx', '--conditions=source', script, '500000'], {
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { rowsRead: number; kept: number; heapUsed: number };
    expect(result.rowsRead).toBe(500_000);
    // One turbine of four, duplicates dropped: about a quarter of the rows.
    expect(result.kept).toBeGreaterThan(120_000);
    expect(result.kept).toBeLessThan(126_000);
  });
});
