// Text and Markdown renderings of a benchmark report.
import type { CaseResult, ContenderId, Measurement } from './harness.js';
import type { BenchReport } from './run.js';
import type { Spread } from './stats.js';

/** GFLOP/s targets of W4 training per rnnkit backend (docs/benchmarks.md). */
export const GFLOPS_TARGETS: Readonly<Partial<Record<ContenderId, number>>> = { 'rnnkit-js': 2.5, 'rnnkit-wasm': 15 };

function number(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value.toPrecision(3);
}

function range(s: Spread): string {
  return `${number(s.min)}–${number(s.max)}`;
}

function ratioOf(result: CaseResult, id: ContenderId): string {
  const r = result.ratios.find((x) => x.contender === id);
  return r === undefined ? '' : `${r.ratio.toFixed(2)}×`;
}

function anchorOf(result: CaseResult): string {
  const target = result.case.target;
  const anchor = result.ratios[0]?.anchor;
  if (target === null) return anchor ?? '';
  return `≥${target.ratio}× ${target.against}${anchor ? ` (${anchor})` : ''}`;
}

function verdict(met: boolean | null): string {
  return met === null ? 'n/a' : met ? 'met' : 'NOT met';
}

/** Contenders whose work runs in native code (PyTorch's and ONNX Runtime's C++ kernels), not JavaScript or WebAssembly. */
export const NATIVE_CONTENDERS: ReadonlySet<ContenderId> = new Set(['pytorch-cpu', 'onnxruntime', 'rnnkit-onnx']);

/** The native engines themselves (rnnkit-onnx is rnnkit's model run by one of them). */
const NATIVE_ENGINES: ReadonlySet<ContenderId> = new Set(['pytorch-cpu', 'onnxruntime']);

/** The note of a native contender; onnxRunner's also gives its throughput ÷ ONNX Runtime used directly. */
function nativeNote(result: CaseResult, m: Measurement): string {
  const raw = result.measurements.find((x) => x.contender === 'onnxruntime' && x.status === 'ok');
  if (m.contender !== 'rnnkit-onnx' || raw === undefined) return 'native code';
  return `native code, ${(m.samplesPerSecond!.median / raw.samplesPerSecond!.median).toFixed(2)}× onnxruntime`;
}

/** Rows of [cells] for one case: one per contender. */
function caseRows(result: CaseResult): string[][] {
  const w5 = result.case.workload === 'W5';
  return result.measurements.map((m: Measurement) => {
    if (m.status !== 'ok') return [result.case.id, m.contender, 'n/a', '', '', '', '', m.reason ?? ''];
    const notes = [...(NATIVE_CONTENDERS.has(m.contender) ? [nativeNote(result, m)] : []), ...(m.error === undefined ? [] : [`error ${m.error.toFixed(4)}`])];
    const perRun = m.msPerRun!;
    return [
      result.case.id,
      m.contender,
      number(m.samplesPerSecond!.median),
      range(m.samplesPerSecond!),
      `${number(perRun.median)}${w5 ? ' /pass' : ''}`,
      number(m.gflops!),
      ratioOf(result, m.contender),
      notes.join('; '),
    ];
  });
}

const HEADER = ['row', 'contender', 'samples/s (median)', 'min–max', 'ms per run', 'GFLOP/s', 'ratio', 'note'];

function pad(rows: string[][]): string {
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** Targets, one line each: the row, what was asked, the best ratio, met or not. */
export function targetLines(report: BenchReport): string[][] {
  const lines: string[][] = [];
  for (const result of report.results) {
    if (result.case.target === null) continue;
    const best = result.ratios.reduce<{ id: string; ratio: number } | null>(
      (acc, r) => (acc === null || r.ratio > acc.ratio ? { id: r.contender, ratio: r.ratio } : acc),
      null,
    );
    lines.push([
      result.case.id,
      anchorOf(result),
      best === null ? 'n/a' : `${best.ratio.toFixed(2)}× (${best.id})`,
      verdict(result.targetMet),
    ]);
  }
  const w4 = report.results.find((r) => r.case.id === 'W4 train');
  if (w4 !== undefined) {
    for (const [id, goal] of Object.entries(GFLOPS_TARGETS)) {
      const m = w4.measurements.find((x) => x.contender === id && x.status === 'ok');
      lines.push([
        'W4 train GFLOP/s',
        `≥${goal} (${id})`,
        m === undefined ? 'n/a' : `${m.gflops!.toFixed(2)} GFLOP/s`,
        m === undefined ? 'n/a' : verdict(m.gflops! >= goal!),
      ]);
    }
  }
  if (report.heap.length > 0) {
    const worst = Math.max(...report.heap.map((h) => Math.max(h.forwardBytesPerStep, h.backwardBytesPerStep)));
    // Less than one small object per step: what measurement noise leaves when nothing is allocated.
    lines.push(['heap per step', '≈0 bytes (no allocation)', `${worst.toFixed(1)} bytes max`, verdict(worst < 16)]);
  }
  return lines;
}

/** Per row with a native engine: rnnkit's best median (JS or WebAssembly) ÷ the engine's ("0.42×": native is faster). */
export function nativeLines(report: BenchReport): string[][] {
  const lines: string[][] = [];
  for (const result of report.results) {
    const ok = result.measurements.filter((m) => m.status === 'ok');
    const rnnkit = ok.filter((m) => m.contender.startsWith('rnnkit-') && !NATIVE_CONTENDERS.has(m.contender));
    if (rnnkit.length === 0) continue;
    const best = rnnkit.reduce((a, b) => (b.samplesPerSecond!.median > a.samplesPerSecond!.median ? b : a));
    for (const native of ok.filter((m) => NATIVE_ENGINES.has(m.contender))) {
      const ratio = best.samplesPerSecond!.median / native.samplesPerSecond!.median;
      lines.push([result.case.id, native.contender, `${ratio.toFixed(2)}× (${best.contender})`]);
    }
  }
  return lines;
}

function machineLine(report: BenchReport): string {
  const m = report.machine;
  return (
    `${m.date} · ${m.cpu} · ${m.cores} cores · ${m.memoryGiB} GiB${m.caches === undefined ? '' : ` · caches ${m.caches} (measured)`} · Node ${m.node} · ${m.platform} · ` +
    `load ${m.loadAverage.join(' ')} · ${report.scale} sizes, ${report.timing.repetitions} repetitions`
  );
}

/** The report as plain text for a terminal. */
export function formatText(report: BenchReport): string {
  const out: string[] = [machineLine(report), ''];
  const rows: string[][] = [HEADER];
  for (const result of report.results) {
    rows.push(...caseRows(result));
  }
  out.push(pad(rows), '');
  out.push('Ratios: rnnkit median samples/s ÷ the anchor\'s (fastest TF.js backend unless the target names one).');
  out.push('Native code (PyTorch, ONNX Runtime) is a yardstick: it shows what remains to native speed and is never an anchor.');
  out.push('');
  const targets = [['row', 'target', 'best', 'verdict'], ...targetLines(report)];
  out.push(padColumns(targets), '');
  const native = nativeLines(report);
  if (native.length > 0) out.push(padColumns([['row', 'native engine', 'best rnnkit ÷ native'], ...native]), '');
  if (report.heap.length > 0) {
    const heap = [['layer', 'backend', 'forward bytes/step', 'backward bytes/step']];
    for (const h of report.heap) heap.push([h.layer, h.backend, h.forwardBytesPerStep.toFixed(1), h.backwardBytesPerStep.toFixed(1)]);
    out.push(`JS heap growth per time step (over ${report.heap[0]!.steps} steps):`, padColumns(heap));
  }
  return out.join('\n');
}

function padColumns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** The report as Markdown tables (for docs/benchmarks.md). */
export function formatMarkdown(report: BenchReport): string {
  const table = (rows: string[][]): string =>
    [rows[0]!, rows[0]!.map(() => '---'), ...rows.slice(1)].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const rows: string[][] = [HEADER];
  for (const result of report.results) rows.push(...caseRows(result));
  const out = [`Measured ${machineLine(report)}.`, '', table(rows), '', table([['row', 'target', 'best', 'verdict'], ...targetLines(report)])];
  const native = nativeLines(report);
  if (native.length > 0) out.push('', table([['row', 'native engine', 'best rnnkit ÷ native'], ...native]));
  if (report.heap.length > 0) {
    const heap = [['layer', 'backend', 'forward bytes/step', 'backward bytes/step']];
    for (const h of report.heap) heap.push([h.layer, h.backend, h.forwardBytesPerStep.toFixed(1), h.backwardBytesPerStep.toFixed(1)]);
    out.push('', `JS heap growth per time step (over ${report.heap[0]!.steps} steps):`, '', table(heap));
  }
  return out.join('\n');
}
