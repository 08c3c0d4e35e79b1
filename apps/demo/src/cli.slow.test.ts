import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { OutputDirectory } from './files.js';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', 'bin', 'rnnkit-demo.js');

async function demo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, INIT_CWD: tmpdir() } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('rnnkit-demo command line', () => {
  it('should list every experiment of SEEDS.md in --help', async () => {
    const { code, stdout } = await demo('--help');
    expect(code).toBe(0);
    for (const id of ['turbine', 'addition-rnn', 'lstm-toy', 'keras-sine', 'addition-tensor', 'lstm-scratch', 'all', 'predict']) {
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
    expect(b.kernels).toMatch(/^wasm-simd/);
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

describe('OutputDirectory', () => {
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
