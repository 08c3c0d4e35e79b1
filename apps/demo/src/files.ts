// Writing result files without ever overwriting something the user owns unasked.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DemoError } from './errors.js';

/**
 * A marker the demo leaves in directories it created, listing the files it wrote there.
 * Those files may be replaced on the next run; any other existing file is the user's and is
 * only replaced with --overwrite.
 */
const MARKER = '.rnnkit-demo-output';

export class OutputDirectory {
  readonly path: string;
  readonly written: string[] = [];
  readonly #overwrite: boolean;

  constructor(path: string, options: { overwrite: boolean }) {
    this.path = resolve(path);
    this.#overwrite = options.overwrite;
  }

  /** Writes `name` under the directory; an existing file is an error unless `--overwrite`. */
  write(name: string, content: string): string {
    const file = join(this.path, name);
    const marker = join(this.path, MARKER);
    const ours = existsSync(marker) ? readFileSync(marker, 'utf8').split('\n') : [];
    if (existsSync(file) && !this.#overwrite && !ours.includes(name)) {
      throw new DemoError(`${file} already exists; pass --overwrite to replace it, or choose another --out directory`);
    }
    mkdirSync(this.path, { recursive: true });
    writeFileSync(file, content);
    if (!ours.includes(name)) writeFileSync(marker, [...ours.filter(Boolean), name].join('\n') + '\n');
    this.written.push(file);
    return file;
  }
}
