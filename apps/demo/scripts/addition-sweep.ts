// How often does experiment 4 converge? Trains the addition-tensor network for each seed and
// variant and prints the exact-addition accuracy on 1,000 fresh samples. The table it prints
// is pasted into apps/demo/README.md.
//
//   npx tsx --conditions=source apps/demo/scripts/addition-sweep.ts [--seeds 10] [--variants original,disjoint,improved]
import { parseArgs } from 'node:util';
import { ADDITION_TENSOR_VARIANTS, trainAdditionTensor } from '../src/experiments/addition-tensor.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '10' },
    variants: { type: 'string', default: Object.keys(ADDITION_TENSOR_VARIANTS).join(',') },
  },
});
const seeds = Number(values.seeds);
if (!Number.isSafeInteger(seeds) || seeds < 1) throw new Error(`--seeds expects a positive integer, got ${values.seeds}`);
const variants = values.variants.split(',');
for (const name of variants) {
  if (!(name in ADDITION_TENSOR_VARIANTS)) {
    throw new Error(`unknown variant "${name}"; choose from ${Object.keys(ADDITION_TENSOR_VARIANTS).join(', ')}`);
  }
}

const header = ['variant', ...Array.from({ length: seeds }, (_, s) => `seed ${s}`), '100 %', 'seconds'];
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => ' --- ').join('|')}|`);
for (const name of variants) {
  const config = ADDITION_TENSOR_VARIANTS[name]!;
  const cells: string[] = [];
  let perfect = 0;
  const started = performance.now();
  for (let seed = 0; seed < seeds; seed++) {
    const { score } = trainAdditionTensor({ ...config, seed });
    if (score.correct === score.count) perfect++;
    cells.push(`${(score.accuracy * 100).toFixed(1)}`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`| ${[name, ...cells, `${perfect} of ${seeds}`, seconds].join(' | ')} |`);
}
