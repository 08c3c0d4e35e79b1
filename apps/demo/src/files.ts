// Writing result files without ever overwriting something the user owns unasked.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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

  /**
   * Checks, before any training, that the directory can be written: it is a writable
   * directory, or the nearest part of its path that exists is one (it is created on the
   * first write). A mistyped --out then fails at once instead of after the run.
   */
  checkWritable(): void {
    let existing = this.path;
    while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
    let isDirectory: boolean;
    try {
      isDirectory = statSync(existing).isDirectory();
    } catch (error) {
      throw new DemoError(`cannot write to ${this.path}: ${(error as Error).message}`);
    }
    if (!isDirectory) {
      throw new DemoError(
        existing === this.path
          ? `cannot write to ${this.path}: it exists and is not a directory (see --out)`
          : `cannot write to ${this.path}: ${existing} is a file, not a directory (see --out)`,
      );
    }
    try {
      accessSync(existing, constants.W_OK | constants.X_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'EROFS' ? 'the file system is read-only' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message;
      throw new DemoError(`cannot write to ${this.path}: ${existing === this.path ? '' : `${existing}: `}${why} (see --out)`);
    }
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
