// What the two binary-addition experiments (addition-rnn, addition-tensor) share: scoring a
// model on fresh additions and showing its sums the way the original write-ups printed them.
import { type BinaryAdditionData, decodeSequences, formatAddition } from '@rnnkit/datasets';
import { type TrainableModel, predict } from '@rnnkit/model';
import type { Tensor } from '@rnnkit/tensor';

/** How a model does on a set of additions. */
export interface AdditionScore {
  /** Share of samples whose every bit is right (the decoded sum equals a + b). */
  readonly accuracy: number;
  readonly correct: number;
  readonly count: number;
  /** The model's bit probabilities, `[count, bits, 1]`. */
  readonly probabilities: Tensor;
  /** The decoded predicted sums. */
  readonly predicted: readonly number[];
}

/**
 * Exact-match accuracy on `data`. `toProbability` maps the model's outputs to bit
 * probabilities (identity when the model already ends in a sigmoid, the logistic function
 * when it outputs logits); a bit counts as 1 above 0.5.
 */
export function scoreAdditions(
  model: TrainableModel,
  data: BinaryAdditionData,
  toProbability: (output: Tensor) => Tensor = (output) => output,
): AdditionScore {
  const probabilities = toProbability(predict(model, data.inputs));
  const predicted = decodeSequences(probabilities, { order: data.order });
  let correct = 0;
  predicted.forEach((sum, i) => {
    if (sum === data.a[i]! + data.b[i]!) correct++;
  });
  return { accuracy: correct / predicted.length, correct, count: predicted.length, probabilities, predicted };
}

/** The first `count` samples written out like the originals: operand bits, true and predicted sums. */
export function sampleAdditions(data: BinaryAdditionData, probabilities: Tensor, count: number): string {
  const shown: string[] = [];
  for (let i = 0; i < Math.min(count, data.a.length); i++) {
    shown.push(formatAddition(data, i, { prediction: probabilities }));
  }
  return shown.join('\n\n');
}

/** `0.937` → `"93.7 %"`. */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}
