import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputDirectory } from './files.js';
import { demo } from './cli.test-util.js';

describe('rnnkit-demo command line', () => {
  it('should list every experiment of docs/experiments.md in --help', async () => {
    const { code, stdout } = await demo('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('docs/experiments.md');
    for (const id of ['turbine', 'addition-rnn', 'lstm-toy', 'keras-sine', 'addition-tensor', 'lstm-scratch', 'all', 'predict', 'export']) {
      expect(stdout).toContain(id);
    }
  });

  it('should refuse an unknown experiment in one line with a non-zero exit', async () => {
    const { code, stdout, stderr } = await demo('nope');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^rnnkit-demo: unknown experiment "nope"; choose one of turbine, /);
  });

  it('should refuse a bad flag value in one line', async () => {
    const { code, stderr } = await demo('lstm-scratch', '--epochs', 'many');
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('rnnkit-demo: --epochs expects a non-negative integer, got "many"');
  });

  it('should run an experiment on the WebAssembly kernels with --kernels wasm, close to the JS figures', async () => {
    const args = ['lstm-scratch', '--epochs', '20', '--json', '--quiet', '--out', mkdtempSync(join(tmpdir(), 'rnnkit-demo-k-'))];
    const js = await demo(...args);
    const wasm = await demo(...args, '--kernels', 'wasm', '--overwrite');
    expect(js.code, js.stderr).toBe(0);
    expect(wasm.code, wasm.stderr).toBe(0);
    const a = JSON.parse(js.stdout) as { kernels: string; metrics: { final_loss: number } };
    const b = JSON.parse(wasm.stdout) as { kernels: string; metrics: { final_loss: number } };
    expect(a.kernels).toBe('js');
    expect(b.kernels).toMatch(/^wasm-(relaxed-)?simd/);
    // Same seed and data; only float32 rounding differs, so 20 epochs end close together.
    expect(Math.abs(b.metrics.final_loss - a.metrics.final_loss)).toBeLessThan(0.05 * a.metrics.final_loss);
  }, 120_000);

  it('should refuse unknown kernels in one line', async () => {
    const { code, stderr } = await demo('lstm-toy', '--kernels', 'gpu');
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('rnnkit-demo: --kernels expects js or wasm, got "gpu"');
  });

  it('should refuse an unknown flag in one line', async () => {
    const { code, stderr } = await demo('lstm-scratch', '--epocs', '3');
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain("Unknown option '--epocs'");
  });
});

describe('rnnkit-demo failures in --json mode and with untrusted files', () => {
  it('should print exactly one JSON line on stdout for an error in --json mode, and exit non-zero', async () => {
    const unknown = await demo('nope', '--json');
    expect(unknown.code).toBe(2);
    expect(unknown.stdout.split('\n')).toEqual([expect.any(String), '']);
    expect(JSON.parse(unknown.stdout)).toEqual({ error: expect.stringMatching(/^unknown experiment "nope"; choose one of turbine, /), exitCode: 2 });
    // Even when the flags themselves cannot be parsed.
    const badFlag = await demo('lstm-scratch', '--json', '--epocs', '3');
    expect(badFlag.code).toBe(2);
    expect(JSON.parse(badFlag.stdout)).toEqual({ error: expect.stringContaining("Unknown option '--epocs'"), exitCode: 2 });
    // No command: JSON too, not the usage text.
    const none = await demo('--json');
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout)).toEqual({ error: 'expected an experiment, all, predict, export or explain (see rnnkit-demo --help)', exitCode: 2 });
  });

  it('should escape terminal controls from a crafted CSV, on stderr and in JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-demo-csv-'));
    const csv = join(dir, 'crafted.csv');
    writeFileSync(csv, 'Wind_turbine_name;Date_time;\x1b]2:owned\x07\x1b[2J\u202eWs\nR1;2013-01-01T00:00:00Z;1\n');
    const human = await demo('turbine', '--csv', csv, '--out', dir);
    expect(human.code).toBe(1);
    expect(human.stderr).toBe(
      `rnnkit-demo: turbine: cannot use --csv ${csv}: loadScada: ${csv}, line 1: missing column Wa_c_avg; columns found: Wind_turbine_name, Date_time, \\x1b]2:owned\\x07\\x1b[2J\\u202eWs\n`,
    );
    const json = await demo('turbine', '--csv', csv, '--out', dir, '--json');
    expect(json.code).toBe(1);
    const line = JSON.parse(json.stdout) as { error: string; exitCode: number };
    expect(line.exitCode).toBe(1);
    expect(line.error).toContain('\\x1b]2:owned');
    // Escaped before JSON: the parsed message holds no raw control either.
    expect(line.error).not.toContain('\u001b');
    expect(line.error).not.toContain('\u202e');
  });

  it('should refuse an --out it cannot write to before training starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-demo-out-'));
    const file = join(dir, 'plots');
    writeFileSync(file, 'not a directory');
    const below = await demo('lstm-scratch', '--out', join(file, 'sub'));
    expect(below.code).toBe(1);
    expect(below.stdout).toBe(''); // not even the experiment's title: nothing ran
    expect(below.stderr).toBe(`rnnkit-demo: cannot write to ${join(file, 'sub')}: ${file} is a file, not a directory (see --out)\n`);
    const itself = await demo('lstm-scratch', '--out', file, '--json');
    expect(itself.code).toBe(1);
    expect(JSON.parse(itself.stdout)).toEqual({ error: `cannot write to ${file}: it exists and is not a directory (see --out)`, exitCode: 1 });
  });
});

describe('OutputDirectory', () => {
  it('should accept a directory that does not exist yet below a writable one, without creating it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-demo-out-'));
    const out = new OutputDirectory(join(dir, 'a', 'b'), { overwrite: false });
    out.checkWritable();
    expect(existsSync(join(dir, 'a'))).toBe(false);
  });

  it('should never overwrite a file the user owns unless asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-demo-out-'));
    writeFileSync(join(dir, 'loss.svg'), 'mine');
    expect(() => new OutputDirectory(dir, { overwrite: false }).write('loss.svg', '<svg/>')).toThrow(/already exists; pass --overwrite/);
    expect(readFileSync(join(dir, 'loss.svg'), 'utf8')).toBe('mine');
    new OutputDirectory(dir, { overwrite: true }).write('loss.svg', '<svg/>');
    expect(readFileSync(join(dir, 'loss.svg'), 'utf8')).toBe('<svg/>');
  });

  it('should replace its own files on the next run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-demo-out-'));
    new OutputDirectory(dir, { overwrite: false }).write('curve.svg', 'first');
    new OutputDirectory(dir, { overwrite: false }).write('curve.svg', 'second');
    expect(readFileSync(join(dir, 'curve.svg'), 'utf8')).toBe('second');
  });
});
