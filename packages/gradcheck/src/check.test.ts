import { Param, RnnkitError, tensor, zeros } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { checkGradients, experiment4Preset } from './check.js';
import { gradientSubject } from './make-subject.js';
import type { GradientSubject } from './subject.js';

/**
 * f(w, x) = Σ w_i · x_i², so ∂f/∂w_i = x_i² and ∂f/∂x_i = 2·w_i·x_i.
 * `corrupt` adds an error to one element of the analytic ∂f/∂w.
 */
function weightedSquares(options: { dtype?: 'float32' | 'float64'; corrupt?: { index: number; by: number } } = {}) {
  const dtype = options.dtype ?? 'float64';
  const w = new Param('w', tensor([[0.5, -1.2, 2.0], [0.3, 0.9, -0.7]], dtype));
  const x = tensor([[1.5, 0.25, -2.0], [0.8, -1.1, 0.6]], dtype);
  const subject = gradientSubject({
    params: [w],
    input: x,
    forward: () => {
      let loss = 0;
      for (let i = 0; i < x.size; i++) loss += w.value.data[i]! * x.data[i]! ** 2;
      return { loss, cache: null };
    },
    backward: () => {
      const dx = zeros(x.shape, dtype);
      for (let i = 0; i < x.size; i++) {
        w.grad.data[i]! += x.data[i]! ** 2;
        dx.data[i] = 2 * w.value.data[i]! * x.data[i]!;
      }
      if (options.corrupt) w.grad.data[options.corrupt.index]! += options.corrupt.by;
      return dx;
    },
  });
  return { subject, w, x };
}

/** A subject that records which flat indices of its single parameter were perturbed. */
function recordingSubject(size: number): { subject: GradientSubject; touched: Set<number> } {
  const p = new Param('p', zeros([size], 'float64'));
  const touched = new Set<number>();
  const subject: GradientSubject = {
    params: [p],
    loss: () => {
      p.value.data.forEach((v, i) => {
        if (v !== 0) touched.add(i);
      });
      return 0;
    },
    gradients: () => ({ loss: 0 }),
  };
  return { subject, touched };
}

describe('checkGradients', () => {
  it('should pass a subject whose backward is correct, parameters and input included', () => {
    const report = checkGradients(weightedSquares().subject);
    expect(report.passed).toBe(true);
    expect(report.entries.map((e) => [e.name, e.kind, e.checked, e.passed])).toEqual([
      ['w', 'param', 6, true],
      ['input', 'input', 6, true],
    ]);
    expect(report.maxAbsError).toBeLessThan(1e-8);
  });

  it('should fail a wrong backward and point at the wrong element', () => {
    const report = checkGradients(weightedSquares({ corrupt: { index: 4, by: 1e-3 } }).subject);
    expect(report.passed).toBe(false);
    const [w, input] = report.entries;
    expect(w!.passed).toBe(false);
    expect(w!.failures).toBe(1);
    expect(w!.worstIndex).toEqual([1, 1]);
    // x[1][1] = -1.1: the true gradient is 1.21, the corrupted one 1.211.
    expect(w!.worstNumeric).toBeCloseTo(1.21, 6);
    expect(w!.worstAnalytic).toBeCloseTo(1.211, 6);
    expect(w!.maxAbsError).toBeCloseTo(1e-3, 6);
    expect(input!.passed).toBe(true);
  });

  it('should catch an error just above the tolerance and accept one just below it', () => {
    // Gradient at [0, 0] is x² = 2.25; tolerance atol + rtol·2.25 ≈ 2.25e-5.
    const above = checkGradients(weightedSquares({ corrupt: { index: 0, by: 3e-5 } }).subject);
    const below = checkGradients(weightedSquares({ corrupt: { index: 0, by: 1.5e-5 } }).subject);
    expect(above.passed).toBe(false);
    expect(below.passed).toBe(true);
  });

  it('should restore every perturbed value exactly', () => {
    const { subject, w, x } = weightedSquares();
    w.value.data[2] = 0.1 + 0.2; // not a "round" float64
    const before = [Float64Array.from(w.value.data), Float64Array.from(x.data)];
    checkGradients(subject, { eps: 1e-3 });
    expect(Float64Array.from(w.value.data)).toEqual(before[0]);
    expect(Float64Array.from(x.data)).toEqual(before[1]);
  });

  it('should restore the perturbed value when the loss throws', () => {
    const p = new Param('p', tensor([0.5, 2], 'float64'));
    let calls = 0;
    const subject: GradientSubject = {
      params: [p],
      loss: () => {
        if (++calls === 2) throw new Error('forward failed');
        return 0;
      },
      gradients: () => ({ loss: 0 }),
    };
    expect(() => checkGradients(subject)).toThrow('forward failed');
    expect(Array.from(p.value.data)).toEqual([0.5, 2]);
  });

  it('should refuse a float32 parameter unless allowed', () => {
    const { subject } = weightedSquares({ dtype: 'float32' });
    expect(() => checkGradients(subject)).toThrow(RnnkitError);
    expect(() => checkGradients(subject)).toThrow(/checkGradients: parameter "w" is float32.*allowFloat32/s);
    const report = checkGradients(subject, { allowFloat32: true, eps: 1e-2, rtol: 1e-2, atol: 1e-3 });
    expect(report.passed).toBe(true);
  });

  it('should refuse a float32 input unless allowed', () => {
    const w = new Param('w', zeros([2], 'float64'));
    const subject: GradientSubject = {
      params: [w],
      input: zeros([2], 'float32'),
      loss: () => 0,
      gradients: () => ({ loss: 0, inputGrad: zeros([2], 'float32') }),
    };
    expect(() => checkGradients(subject)).toThrow(/the input is float32/);
    expect(checkGradients(subject, { allowFloat32: true }).passed).toBe(true);
  });

  it('should check every element when sample is not smaller than the size', () => {
    const { subject, touched } = recordingSubject(5);
    const report = checkGradients(subject, { sample: 5 });
    expect(report.entries[0]!.checked).toBe(5);
    expect([...touched].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('should check the same sampled elements for the same seed', () => {
    const first = recordingSubject(50);
    const second = recordingSubject(50);
    checkGradients(first.subject, { sample: 4, seed: 7 });
    checkGradients(second.subject, { sample: 4, seed: 7 });
    expect(first.touched.size).toBe(4);
    expect([...second.touched].sort()).toEqual([...first.touched].sort());
  });

  it('should sample different elements for different seeds', () => {
    const sets = [0, 1, 2, 3].map((seed) => {
      const { subject, touched } = recordingSubject(50);
      checkGradients(subject, { sample: 4, seed });
      return [...touched].sort((a, b) => a - b).join(',');
    });
    expect(new Set(sets).size).toBeGreaterThan(1);
  });

  it('should reject unknown and invalid options', () => {
    const { subject } = weightedSquares();
    expect(() => checkGradients(subject, { epsilon: 1e-6 } as never)).toThrow(/unknown option "epsilon"; valid options are eps, rtol/);
    expect(() => checkGradients(subject, { eps: 0 })).toThrow(/eps must be a finite number > 0, got 0/);
    expect(() => checkGradients(subject, { rtol: -1 })).toThrow(/rtol must be/);
    expect(() => checkGradients(subject, { atol: NaN })).toThrow(/atol must be/);
    expect(() => checkGradients(subject, { sample: 1.5 })).toThrow(/sample must be a positive integer/);
    expect(() => checkGradients(subject, { seed: Infinity })).toThrow(/seed must be/);
  });

  it('should fill in the documented defaults', () => {
    const report = checkGradients(weightedSquares().subject);
    expect(report.options).toEqual({ eps: 1e-6, rtol: 1e-5, atol: 1e-8, seed: 0, allowFloat32: false });
  });

  it('should refuse an input without an input gradient, or one of another shape', () => {
    const x = zeros([3], 'float64');
    const base = { params: [], input: x, loss: () => 0 };
    expect(() => checkGradients({ ...base, gradients: () => ({ loss: 0 }) })).toThrow(/returned no inputGrad/);
    expect(() => checkGradients({ ...base, gradients: () => ({ loss: 0, inputGrad: zeros([2], 'float64') }) })).toThrow(
      /inputGrad has shape \[2\], expected the input's shape \[3\]/,
    );
  });

  it('should report a NaN loss as a failure rather than a pass', () => {
    const p = new Param('p', zeros([2], 'float64'));
    const subject: GradientSubject = { params: [p], loss: () => NaN, gradients: () => ({ loss: NaN }) };
    const report = checkGradients(subject);
    expect(report.passed).toBe(false);
    expect(report.maxAbsError).toBeNaN();
  });

  it('should handle a parameter with no elements', () => {
    const p = new Param('empty', zeros([0, 3], 'float64'));
    const report = checkGradients({ params: [p], loss: () => 1, gradients: () => ({ loss: 1 }) });
    expect(report.passed).toBe(true);
    expect(report.entries[0]!.checked).toBe(0);
    expect(report.format()).toContain('empty');
  });
});

describe('GradientReport.format', () => {
  it('should name every entry and mark it PASS or FAIL', () => {
    const text = checkGradients(weightedSquares({ corrupt: { index: 1, by: 0.5 } }).subject).format();
    const lines = text.split('\n');
    expect(lines.find((l) => l.startsWith('w '))).toMatch(/FAIL \(1\)$/);
    expect(lines.find((l) => l.startsWith('input '))).toMatch(/PASS$/);
    expect(lines.at(-1)).toMatch(/^FAILED: 1 of 2 entries passed, 12 elements checked/);
  });

  it('should align the columns of the table', () => {
    const text = checkGradients(weightedSquares().subject).format();
    const [, header, ...rows] = text.split('\n');
    const column = (line: string, word: string) => line.indexOf(word) + word.length;
    // Right-aligned numeric columns end where their header ends.
    for (const row of rows.slice(0, 2)) {
      expect(row.indexOf('6/6') + 3).toBe(column(header!, 'checked'));
      expect(row.indexOf('PASS')).toBe(header!.indexOf('result'));
    }
  });

  it('should give the same text from toString and show a sampled setting', () => {
    const report = checkGradients(weightedSquares().subject, { sample: 2, seed: 3 });
    expect(String(report)).toBe(report.format());
    expect(report.format().split('\n')[0]).toBe('Gradient check (eps 1e-6, rtol 1e-5, atol 1e-8, sample 2 (seed 3))');
  });
});

describe('experiment4Preset', () => {
  it('should hold the tolerances of experiment 4', () => {
    expect({ ...experiment4Preset }).toEqual({ eps: 1e-7, rtol: 1e-5, atol: 1e-8 });
    expect(Object.isFrozen(experiment4Preset)).toBe(true);
  });

  it('should be usable as options directly', () => {
    const report = checkGradients(weightedSquares().subject, experiment4Preset);
    expect(report.options.eps).toBe(1e-7);
    expect(report.passed).toBe(true);
  });
});

describe('gradientSubject', () => {
  it('should zero the gradients before each backward pass', () => {
    const { subject, w } = weightedSquares();
    subject.gradients();
    const once = Float64Array.from(w.grad.data);
    subject.gradients();
    expect(Float64Array.from(w.grad.data)).toEqual(once);
  });

  it('should omit input from a subject without one', () => {
    const subject = gradientSubject({ params: [], forward: () => ({ loss: 2, cache: 0 }), backward: () => undefined });
    expect('input' in subject).toBe(false);
    expect(subject.gradients()).toEqual({ loss: 2 });
  });

  it('should reject a malformed definition or forward result', () => {
    expect(() => gradientSubject({ params: [] } as never)).toThrow(/gradientSubject: expected/);
    const bad = gradientSubject({ params: [], forward: () => 3 as never, backward: () => undefined });
    expect(() => bad.loss()).toThrow(/forward\(\) must return \{ loss: number, cache \}/);
  });
});

