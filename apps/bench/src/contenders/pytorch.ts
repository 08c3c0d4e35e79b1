// PyTorch on the CPU, a native engine as a yardstick: a Python process of its own (see
// apps/bench/python/torch_contender.py) builds the row's model and times its runs itself,
// so the pipe between the processes is not part of the figures. Without a Python that can
// `import torch` the rows say so (n/a, with the reason) and the rest of the bench runs on.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { makeData } from '../data.js';
import type { Contender, Task } from '../harness.js';
import type { BenchCase } from '../workloads.js';

const SCRIPT = fileURLToPath(new URL('../../python/torch_contender.py', import.meta.url));

export interface PytorchOptions {
  /**
   * The Python to run. @defaultValue `$RNNKIT_BENCH_PYTHON`, else the system's
   * `/usr/bin/python3` (where Debian's python3-torch installs), else `python3` on the PATH
   */
  readonly python?: string;
  /** The script speaking the contender protocol (tests pass a stand-in). @defaultValue torch_contender.py */
  readonly script?: string;
  /** Threads PyTorch may use (`torch.set_num_threads`). @defaultValue 1 */
  readonly threads?: number;
}

/** One request and its reply at a time, as JSON lines over the child's stdin and stdout. */
class Channel {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #replies: string[] = [];
  #waiting: ((line: string | null) => void) | null = null;
  #ended = false;
  #stderr = '';

  constructor(command: string, args: readonly string[]) {
    this.#child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-2000);
    });
    const end = (): void => {
      this.#ended = true;
      this.#waiting?.(null);
      this.#waiting = null;
    };
    this.#child.on('error', (error) => {
      this.#stderr ||= error.message;
      end();
    });
    this.#child.on('close', end);
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      if (this.#waiting !== null) {
        const resolve = this.#waiting;
        this.#waiting = null;
        resolve(line);
      } else {
        this.#replies.push(line);
      }
    });
  }

  async request(message: object): Promise<Record<string, unknown>> {
    if (this.#ended) throw new Error(this.#failure());
    this.#child.stdin.write(`${JSON.stringify(message)}\n`);
    const line = this.#replies.shift() ?? (await new Promise<string | null>((resolve) => (this.#waiting = resolve)));
    if (line === null) throw new Error(this.#failure());
    const reply = JSON.parse(line) as Record<string, unknown>;
    if (typeof reply.error === 'string') throw new Error(`PyTorch: ${reply.error}`);
    return reply;
  }

  #failure(): string {
    const last = this.#stderr.trim().split('\n').pop() ?? '';
    return `the PyTorch process ended${last === '' ? '' : `: ${last}`} (needs a python3 with torch, e.g. Debian's python3-torch)`;
  }

  close(): void {
    if (!this.#ended) this.#child.stdin.end(`${JSON.stringify({ op: 'close' })}\n`);
  }
}

/**
 * The setup request for a case: the case itself, the threads, and for a masked row (W6) each
 * sample's length in steps as the bench's data has them, so that PyTorch packs batches of the
 * same lengths as every other contender masks (its own inputs are random numbers of those sizes).
 */
export function setupRequest(c: BenchCase, threads: number): { op: 'setup'; case: BenchCase; threads: number; lengths: number[] | null } {
  const lengths = c.model.masking === true ? makeData(c).lengths : null;
  return { op: 'setup', case: c, threads, lengths: lengths === null ? null : Array.from(lengths) };
}

/** PyTorch CPU (one thread by default) on every row but W5's error comparison. */
export function pytorchContender(options: PytorchOptions = {}): Contender {
  const python = options.python ?? process.env.RNNKIT_BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const script = options.script ?? SCRIPT;
  const threads = options.threads ?? 1;
  return {
    id: 'pytorch-cpu',
    supports: () => true,
    async setup(c: BenchCase): Promise<Task> {
      const channel = new Channel(python, [script]);
      try {
        const reply = await channel.request(setupRequest(c, threads));
        if (reply.blas === 'reference') {
          throw new Error(
            "PyTorch runs on the reference BLAS here, 10–30× slower than an optimised one: not a fair yardstick (install one, e.g. Debian's libopenblas0-pthread)",
          );
        }
      } catch (error) {
        channel.close();
        throw error;
      }
      const timeRuns = async (runs: number): Promise<number> => {
        const reply = await channel.request({ op: 'time', runs });
        if (typeof reply.ms !== 'number' || !(reply.ms >= 0)) throw new Error(`PyTorch: expected {"ms": number}, got ${JSON.stringify(reply)}`);
        return reply.ms;
      };
      return {
        // W5 is timed per pass over every window (one update each), as rnnkit's W5 task.
        samplesPerRun: c.workload === 'W5' ? c.samples : c.batch,
        activate: () => Promise.resolve(false),
        run: async () => {
          await timeRuns(1);
        },
        timeRuns,
        dispose: () => channel.close(),
      };
    },
  };
}
