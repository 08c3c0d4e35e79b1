// One vitest configuration for the whole repository.
//
// Tests import sibling packages by name (`@rnnkit/tensor`); the aliases below point those
// names at each package's TypeScript sources, so tests never need a build first.
// Four projects: `unit` (every other *.test.ts), `props` (the fast-check suites,
// *.props.test.ts), `types` (*.test-d.ts) and `slow` (*.slow.test.ts: end-to-end tests that
// spawn the CLIs, train a reference experiment in full or smoke-run the benchmark).
// `pnpm test` runs all four; `pnpm test:fast` all but `slow`, for the edit-test loop.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;

function sourceAliases(): { find: string; replacement: string }[] {
  const aliases: { find: string; replacement: string }[] = [];
  for (const group of ['packages', 'tooling']) {
    for (const dir of readdirSync(join(root, group))) {
      const file = join(root, group, dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
        name: string;
        exports?: Record<string, string | { source?: string }>;
      };
      for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
        if (typeof target !== 'object' || !target.source) continue;
        const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
        aliases.push({ find: specifier, replacement: resolve(root, group, dir, target.source) });
      }
    }
  }
  // Longest first, so `@rnnkit/datasets/node` is not caught by `@rnnkit/datasets`.
  aliases.sort((a, b) => b.find.length - a.find.length);
  return aliases.map((a) => ({ ...a, find: new RegExp(`^${a.find.replace(/[/]/g, '\\/')}$`) })) as never;
}

const shared = ['{packages,apps,tooling}/*/src/**/', '{packages,apps,tooling}/*/test/**/'];
// The benchmark's smoke test runs TF.js and brain.js, which only apps/bench's own install has
// (made on first `pnpm bench`): it runs with `pnpm test:bench` (apps/bench/vitest.config.ts).
export const benchContenderTests = ['apps/bench/src/bench.slow.test.ts'];

export default defineConfig({
  resolve: { alias: sourceAliases() },
  test: {
    setupFiles: [join(root, 'tooling/vitest-setup.ts')],
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: shared.map((s) => `${s}*.test.ts`),
          exclude: ['**/node_modules/**', '**/dist/**', '**/*.props.test.ts', '**/*.slow.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'props',
          include: shared.map((s) => `${s}*.props.test.ts`),
          exclude: ['**/node_modules/**', '**/dist/**'],
        },
      },
      {
        // Tests that take tens of seconds each on a busy machine; CI runs them with the rest.
        extends: true,
        test: {
          name: 'slow',
          include: shared.map((s) => `${s}*.slow.test.ts`),
          exclude: ['**/node_modules/**', '**/dist/**', ...benchContenderTests],
        },
      },
      {
        // Type tests (*.test-d.ts): compile-time laws such as "an unknown option does not compile".
        extends: true,
        test: {
          name: 'types',
          include: [],
          typecheck: {
            enabled: true,
            only: true,
            include: shared.map((s) => `${s}*.test-d.ts`),
            tsconfig: join(root, 'tsconfig.typetests.json'),
            // Errors in the sources are `tsc -p`'s job (per package); here only the type tests
            // themselves may fail, so one package's work in progress does not fail another's.
            ignoreSourceErrors: true,
          },
        },
      },
    ],
  },
});
