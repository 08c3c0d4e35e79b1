// What the tests of the law suites share: picking one law of a suite by its name, and running
// it quietly to see whether it catches a planted bug. (Not exported from index.ts.)
import fc from 'fast-check';
import type { Law } from './law-runner.js';

/** The law whose name contains `fragment`; throws when none does. */
export function lawNamed(laws: readonly Law[], fragment: string): Law {
  const law = laws.find((l) => l.name.includes(fragment));
  if (law === undefined) throw new Error(`no law mentions "${fragment}"`);
  return law;
}

/** Runs one law quietly (`numRuns` cases) and says whether fast-check found a counterexample. */
export function fails(law: Law, numRuns: number): boolean {
  return fc.check(law.property, { numRuns, verbose: 0 }).failed;
}
