// The text a Sequential model shows of itself: the Keras-like `summary()` table and the
// shape and count formats it and the model's error messages use.
import type { Param } from '@rnnkit/tensor';
import type { Layer, SymbolicShape } from './layer.js';

/** What {@link summaryTable} needs of a built model. */
export interface SummaryInput {
  /** The model's name. */
  readonly name: string;
  readonly layers: readonly Layer[];
  /** The name of each layer within the model. */
  readonly layerNames: readonly string[];
  /** The output shape of each layer (batch first). */
  readonly shapes: readonly SymbolicShape[];
  /** Every parameter of the model. */
  readonly params: readonly Param[];
}

/**
 * A Keras-like table of the layers: name (type), output shape and parameter count, then
 * the total, trainable and non-trainable counts.
 *
 * ```text
 * Model: "sequential"
 * ____________________________________________________________________
 *  Layer (type)                   Output Shape                Param #
 * ====================================================================
 *  lstm (LSTM)                    (None, 32)                    4,352
 *
 *  dense (Dense)                  (None, 1)                        33
 *
 * ====================================================================
 * Total params: 4,385
 * Trainable params: 4,385
 * Non-trainable params: 0
 * ____________________________________________________________________
 * ```
 */
export function summaryTable(model: SummaryInput): string {
  const rows = model.layers.map((layer, i) => [
    `${model.layerNames[i]} (${layer.className})`,
    kerasShape(model.shapes[i]!),
    withSeparators(countOf(layer.params())),
  ]);
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  const widths = [30, 26, 10].map((minimum, c) =>
    Math.max(minimum, header[c]!.length + 2, ...rows.map((r) => r[c]!.length + 2)),
  );
  const line = (cells: string[]): string =>
    (' ' + cells[0]!.padEnd(widths[0]!) + cells[1]!.padEnd(widths[1]!) + cells[2]!.padStart(widths[2]!)).trimEnd();
  const width = 1 + widths[0]! + widths[1]! + widths[2]!;
  const all = model.params;
  const trainable = countOf(all.filter((p) => p.trainable));
  const total = countOf(all);
  return [
    `Model: "${model.name}"`,
    '_'.repeat(width),
    line(header),
    '='.repeat(width),
    ...rows.flatMap((row, i) => (i === 0 ? [line(row)] : ['', line(row)])),
    '='.repeat(width),
    `Total params: ${withSeparators(total)}`,
    `Trainable params: ${withSeparators(trainable)}`,
    `Non-trainable params: ${withSeparators(total - trainable)}`,
    '_'.repeat(width),
  ].join('\n');
}

function countOf(params: readonly Param[]): number {
  return params.reduce((n, p) => n + p.value.size, 0);
}

/** `4385` → `"4,385"` (no locale lookup, so the output is the same everywhere). */
export function withSeparators(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Keras' rendering of a shape: `(None, 25, 32)`. */
function kerasShape(shape: SymbolicShape): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')})`;
}

/** A symbolic shape in error messages: `[batch, null, 1]` (a leading `null` is the batch). */
export function formatSymbolic(shape: SymbolicShape): string {
  return `[${shape.map((d, i) => (d === null ? (i === 0 ? 'batch' : 'null') : String(d))).join(', ')}]`;
}
