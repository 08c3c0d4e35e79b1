import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Law, runLaws } from './law-runner.js';
import { recurrentKernelLaws } from './recurrent-kernel-laws.js';
import { recurrentLaws } from './recurrent-laws.js';
import { type ToyCellBug, type ToyLayerBug, type ToyPassBug, ToyCell, ToyRNN, toyCellPlugin, toyPass } from './recurrent-toys.js';

const RUNS = { numRuns: 12, seed: 7 };

function lawsFor(cellBug: ToyCellBug = 'none', layerBug: ToyLayerBug = 'none'): Law[] {
  return recurrentLaws((dtype, units) => new ToyCell({ units, dtype, scale: 0.8, bug: cellBug }), {
    rnn: (options) => new ToyRNN(options, layerBug),
    plugin: toyCellPlugin,
  });
}

function only(laws: Law[], pattern: RegExp): Law[] {
  const picked = laws.filter((law) => pattern.test(law.name));
  expect(picked).toHaveLength(1);
  return picked;
}

describe('recurrentLaws (property)', () => {
  for (const law of lawsFor()) {
    it(`should hold for a correct toy cell: ${law.name}`, () => fc.assert(law.property, RUNS));
  }

  it('should catch a wrong recurrent-kernel gradient with the gradient check, naming the case and seed', () => {
    expect(() => runLaws(only(lawsFor('wrongRecurrentGrad'), /central differences/), RUNS)).toThrow(
      /ToyCell \(batch \d, time \d, features \d, units \d, .*seed \d+\)[\s\S]*recurrentKernel/,
    );
  });

  it('should catch a layer that ignores the initial state with the chunking law', () => {
    expect(() => runLaws(only(lawsFor('none', 'ignoresInitialState'), /two chunks/), RUNS)).toThrow(/split after step/);
  });

  it('should catch rows that share a state with the batch-split law', () => {
    expect(() => runLaws(only(lawsFor('rowsShareState'), /batches of one/), RUNS)).toThrow(/ToyCell/);
  });

  it('should catch a float32 cell that computes something else with the float32 law', () => {
    expect(() => runLaws(only(lawsFor('float32DropsBias'), /float32/), RUNS)).toThrow(/in float32/);
  });

  it('should catch a config that loses an option with the round-trip law', () => {
    expect(() => runLaws(only(lawsFor('configDropsScale'), /config/), RUNS)).toThrow(/rebuilt cell computes another output/);
  });

  it('should leave the config law out without a plugin', () => {
    const laws = recurrentLaws((dtype, units) => new ToyCell({ units, dtype }), { rnn: (o) => new ToyRNN(o) });
    expect(laws.map((law) => law.name).filter((name) => /config/.test(name))).toEqual([]);
  });
});

describe('recurrentKernelLaws (property)', () => {
  const cells = { toy: (units: number) => new ToyCell({ units, dtype: 'float32', scale: 0.8 }) };
  const kernelLaws = (bug: ToyPassBug) => recurrentKernelLaws(toyPass(bug), { cells });

  for (const law of kernelLaws('none')) {
    it(`should hold for a pass that runs the reference steps: ${law.name}`, () => fc.assert(law.property, RUNS));
  }

  it('should refuse a pass that does not support the cells it is given', () => {
    expect(() => runLaws(kernelLaws('supportsNothing'), RUNS)).toThrow(/does not support/);
  });

  it('should catch a pass that skips the last row of uneven batches', () => {
    expect(() => runLaws(kernelLaws('skipsLastRow'), RUNS)).toThrow(/toy pass \(skipsLastRow\) on toy \(batch (5|7|\d+)/);
  });

  it('should catch a pass that overwrites the parameter gradients instead of adding', () => {
    expect(() => runLaws(kernelLaws('overwritesGrads'), RUNS)).toThrow(/added to what was there/);
  });

  it('should catch an inference pass that writes the last output only', () => {
    expect(() => runLaws(kernelLaws('onlyFinalOutput').slice(1), RUNS)).toThrow(/keep false.*h history/);
  });

  it('should catch a pass that writes into x', () => {
    expect(() => runLaws(kernelLaws('changesX'), RUNS)).toThrow(/changed x/);
  });

  it('should catch a pass that claims one of the other cells and computes it differently', () => {
    const cellsOfScaleOne = { toy: (units: number) => new ToyCell({ units, dtype: 'float32', scale: 1 }) };
    // Right for the cells of scale 1 it was written for …
    runLaws(recurrentKernelLaws(toyPass('assumesScaleOne'), { cells: cellsOfScaleOne }), RUNS);
    // … but it claims the cells of scale 0.8 as well.
    expect(() => runLaws(recurrentKernelLaws(toyPass('assumesScaleOne'), { cells: cellsOfScaleOne, otherCells: { 'toy of scale 0.8': cells.toy } }), RUNS),
    ).toThrow(/on toy of scale 0\.8 \(/);
  });

  it('should let a pass decline the other cells', () => {
    const otherCells = { 'toy of another kind': (units: number) => Object.assign(new ToyCell({ units, dtype: 'float32' }), { kind: 'other' }) };
    runLaws(recurrentKernelLaws(toyPass(), { cells, otherCells }), RUNS);
  });

  it('should check masked sequences only for a pass that declares masks', () => {
    expect(kernelLaws('none').filter((law) => /masked sequences/.test(law.name))).toHaveLength(2);
    const unmasked = { ...toyPass(), masks: false };
    expect(recurrentKernelLaws(unmasked, { cells }).map((law) => law.name).filter((name) => /masked/.test(name))).toEqual([]);
  });

  it('should catch a pass that declares masks and ignores them', () => {
    const masked = (bug: ToyPassBug) => kernelLaws(bug).filter((law) => /masked sequences/.test(law.name));
    expect(() => runLaws(masked('ignoresMask').slice(0, 1), RUNS)).toThrow(/toy pass \(ignoresMask\).*paddings .*h history/);
    expect(() => runLaws(masked('ignoresMask').slice(1), RUNS)).toThrow(/keep false.*h history/);
  });

  it('should catch a masked pass whose backward does not pass the state gradients through masked steps', () => {
    const laws = kernelLaws('masksForwardOnly');
    // Right on sequences without a mask …
    runLaws(laws.filter((law) => !/masked sequences/.test(law.name)), RUNS);
    // … wrong on masked ones.
    expect(() => runLaws(laws.filter((law) => /masked sequences/.test(law.name)).slice(0, 1), RUNS)).toThrow(/paddings .*(gradient|dx)/);
  });

  it('should refuse an empty list of cells', () => {
    expect(() => recurrentKernelLaws(toyPass(), { cells: {} })).toThrow(/no cells given/);
  });
});
