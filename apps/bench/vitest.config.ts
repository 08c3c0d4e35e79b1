// The benchmark's smoke test (`pnpm test:bench`), apart from `pnpm test` because it needs the
// contenders that only apps/bench's own install has (tooling/scripts/bench-install.mjs).
// Same aliases and setup as the repository's configuration.
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import repository, { benchContenderTests } from '../../vitest.config.ts';

const root = join(import.meta.dirname, '..', '..');

export default defineConfig({
  root,
  resolve: repository.resolve,
  test: {
    setupFiles: repository.test?.setupFiles,
    testTimeout: 60_000,
    include: benchContenderTests,
  },
});
