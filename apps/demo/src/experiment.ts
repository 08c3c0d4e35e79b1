import type { OutputDirectory } from './files.js';
import type { Reporter } from './reporter.js';

/** Flags every experiment understands; each experiment says which of them it uses. */
export interface CommonFlags {
  readonly seed?: number;
  /** Iterations or epochs, whichever the experiment counts. */
  readonly epochs?: number;
  readonly lr?: number;
  readonly optimizer?: string;
  /** experiment-specific: forecast horizon in time steps (turbine-forecast). */
  readonly steps?: number;
  /** experiment-specific: a CSV path (turbine, turbine-forecast). */
  readonly csv?: string;
  /** experiment-specific: a named variant (e.g. `improved` for addition-tensor). */
  readonly variant?: string;
}

export interface ExperimentContext {
  readonly flags: CommonFlags;
  readonly reporter: Reporter;
  readonly out: OutputDirectory;
}

/** One line of the "reached vs reported" table. */
export interface Comparison {
  readonly what: string;
  readonly reached: string;
  readonly reported: string;
}

export interface ExperimentResult {
  readonly seed: number;
  /** Stable keys (see the demo README); more may be added. */
  readonly metrics: Record<string, unknown>;
  /** What the original write-up reported, from docs/experiments.md. */
  readonly reference: Record<string, unknown>;
  readonly comparisons: readonly Comparison[];
  /** The loss curve shown as an ASCII chart at the end. */
  readonly lossCurve?: readonly number[];
}

export interface Experiment {
  readonly id: string;
  readonly title: string;
  /** Which common flags this experiment accepts besides --seed, --out, --json. */
  readonly flags: readonly (keyof CommonFlags)[];
  /** Accepted values of --variant, when it takes one. */
  readonly variants?: readonly string[];
  /** Accepted values of --optimizer, when it takes one. */
  readonly optimizers?: readonly string[];
  run(context: ExperimentContext): Promise<ExperimentResult>;
}
