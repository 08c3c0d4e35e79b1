// Keeps docs/how-an-lstm-learns.md honest: the page quotes lines of the reference cells in
// backticks, each followed by a link to its line (`code` ([file#L98](../packages/…#L98))), and
// this test checks that every such line still holds the quoted code. Editing a cell so that a
// quoted line moves or changes fails here until the page is updated.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const pagePath = resolve(root, 'docs/how-an-lstm-learns.md');

/** A line link of the page: the code quoted next to it (if any), the file and the 1-based line. */
interface Anchor {
  code: string | undefined;
  file: string;
  line: number;
  text: string;
}

/** Every `](path#Lnn)` link of a page, with the code span written just before it: `` `code` ([…](path#Lnn)) ``. */
function lineAnchors(page: string): Anchor[] {
  const anchors: Anchor[] = [];
  for (const match of page.matchAll(/\]\(([^)#\s]+)#L(\d+)\)/g)) {
    const before = page.slice(0, match.index);
    // The code span must end right before "([": `code` ([label](path#L12)).
    const quoted = /`([^`\n]+)`\s*\(\[[^\]\n]*$/.exec(before);
    anchors.push({ code: quoted?.[1], file: match[1]!, line: Number(match[2]), text: match[0] });
  }
  return anchors;
}

/** What is wrong with each anchor against the files (relative to the page's folder); empty when all hold. */
function anchorProblems(anchors: readonly Anchor[], pageDir: string, read: (path: string) => string | undefined): string[] {
  const problems: string[] = [];
  for (const anchor of anchors) {
    const text = read(resolve(pageDir, anchor.file));
    if (text === undefined) {
      problems.push(`${anchor.text}: no such file`);
      continue;
    }
    const line = text.split('\n')[anchor.line - 1];
    if (line === undefined) problems.push(`${anchor.text}: the file has fewer lines`);
    // A link to the header comment (the equations) quotes no code: it must point at a comment.
    else if (anchor.code === undefined) {
      if (!line.trimStart().startsWith('//')) problems.push(`${anchor.text}: quotes no code and line ${anchor.line} is not a comment: ${line.trim()}`);
    } else if (!line.includes(anchor.code)) problems.push(`${anchor.text}: line ${anchor.line} is "${line.trim()}", not "${anchor.code}"`);
  }
  return problems;
}

const readIfExists = (path: string): string | undefined => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

describe('docs/how-an-lstm-learns.md', () => {
  const page = readFileSync(pagePath, 'utf8');
  const anchors = lineAnchors(page);

  it('should link the lines of the LSTM cell that compute each equation, forward and backward', () => {
    const cellLines = anchors.filter((a) => a.file.endsWith('cells/lstm-cell.ts')).map((a) => a.line);
    expect(cellLines.length).toBeGreaterThanOrEqual(15);
  });

  it('should find at every line anchor the code the page quotes next to it', () => {
    expect(anchorProblems(anchors, dirname(pagePath), readIfExists)).toEqual([]);
  });

  it('should quote code next to every anchor but the one to the equations in the header comment', () => {
    expect(anchors.filter((a) => a.code === undefined).map((a) => a.text)).toEqual(['](../packages/layers/src/cells/lstm-cell.ts#L5)']);
  });

  it('should report an anchor whose line moved, changed or is gone', () => {
    const cell = 'line one\n  const cNext = f * cPrev + i * g; // (3)\n// a comment\n';
    const read = (path: string) => (path.endsWith('cell.ts') ? cell : undefined);
    const anchorsOf = (markdown: string) => anchorProblems(lineAnchors(markdown), '/docs', read);
    expect(anchorsOf('`const cNext = f * cPrev + i * g;` ([cell.ts#L2](../cell.ts#L2))')).toEqual([]);
    expect(anchorsOf('`const cNext = f * cPrev + i * g;` ([cell.ts#L1](../cell.ts#L1))')[0]).toMatch(/line 1 is "line one"/);
    expect(anchorsOf('`const cNext = f * cPrev;` ([cell.ts#L2](../cell.ts#L2))')).toHaveLength(1);
    expect(anchorsOf('`x` ([cell.ts#L9](../cell.ts#L9))')[0]).toMatch(/fewer lines/);
    expect(anchorsOf('`x` ([gone.ts#L1](../gone.ts#L1))')[0]).toMatch(/no such file/);
    expect(anchorsOf('see [the equations](../cell.ts#L3)')).toEqual([]);
    expect(anchorsOf('see [line 2](../cell.ts#L2)')[0]).toMatch(/quotes no code and line 2 is not a comment/);
  });
});
