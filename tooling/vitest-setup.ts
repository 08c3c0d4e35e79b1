// Global fast-check settings for every property suite.
//
//   FC_SEED=123 pnpm test:props      replay a run (fast-check prints the seed and path on failure)
//   FC_NUM_RUNS=1000 pnpm test:props  search harder than the default 100 runs
import fc from 'fast-check';

function integerFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    throw new Error(`vitest setup: ${name} must be an integer, got "${raw}"`);
  }
  return value;
}

const seed = integerFromEnv('FC_SEED');
const numRuns = integerFromEnv('FC_NUM_RUNS');
fc.configureGlobal({
  ...(seed !== undefined ? { seed } : {}),
  ...(numRuns !== undefined ? { numRuns } : {}),
  // A failure report names the seed and the shrunk path so anyone can replay it.
  verbose: 1,
});
