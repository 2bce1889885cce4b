import { describe, expect, it } from 'vitest';
import { parseObjectInfo } from '../src/defs/object-info.js';
import { setNodeUi } from '../src/document/edits.js';
import { applySeedAdvances, applySeedControls, nextSeed, seedAdvances, seedControlOf } from '../src/document/seed-control.js';
import { samplerDocument } from './fixtures/docs.js';
import { objectInfo } from './fixtures/object-info.js';

const schemas = parseObjectInfo(objectInfo);
const withControl = (control: unknown) => setNodeUi(samplerDocument(), '3', 'controlAfterGenerate', { seed: control }).doc;

describe('nextSeed', () => {
  it('keeps a fixed seed', () => {
    expect(nextSeed(7, 'fixed', { min: 0, max: 10 }, Math.random)).toBe(7);
  });

  it('increments and wraps past max to min', () => {
    expect(nextSeed(7, 'increment', { min: 0, max: 10 }, Math.random)).toBe(8);
    expect(nextSeed(10, 'increment', { min: 2, max: 10 }, Math.random)).toBe(2);
  });

  it('decrements and wraps below min to max', () => {
    expect(nextSeed(2, 'decrement', { min: 2, max: 10 }, Math.random)).toBe(10);
  });

  it('draws a random seed over the whole inclusive range', () => {
    expect(nextSeed(0, 'randomize', { min: 3, max: 10 }, () => 0)).toBe(3);
    expect(nextSeed(0, 'randomize', { min: 3, max: 10 }, () => 0.999999)).toBe(10);
  });
});

describe('applySeedControls', () => {
  it('advances a seed by its control mode before queueing', () => {
    const { doc } = applySeedControls(withControl('increment'), schemas);
    expect(doc.nodes['3']!.values.seed).toBe(6);
  });

  it('randomizes a seed without a stored mode (the default)', () => {
    const { doc } = applySeedControls(samplerDocument(), schemas, () => 0.5);
    // min 0, max 10: 0 + floor(0.5 * 11) = 5, the same value, so nothing changes.
    expect(doc.nodes['3']!.values.seed).toBe(5);
    expect(applySeedControls(samplerDocument(), schemas, () => 0.95).doc.nodes['3']!.values.seed).toBe(10);
  });

  it('reads ComfyUI’s legacy `true` control value as the default mode', () => {
    expect(seedControlOf(withControl(true), '3', 'seed')).toBe('randomize');
  });

  it('leaves a seed fed by a link alone', () => {
    const doc = withControl('increment');
    const linked = { ...doc, links: { ...doc.links, '9': { id: '9', source: { node: '1', output: 0 }, target: { node: '3', input: 'seed' }, type: 'INT' } } };
    expect(applySeedControls(linked, schemas).patches).toEqual([]);
  });

  it('touches nothing but seed widgets', () => {
    const { patches } = applySeedControls(withControl('increment'), schemas);
    expect(patches.map((p) => p.path.join('/'))).toEqual(['nodes/3/values/seed']);
  });

  it('applies advances computed earlier to the document as it is now, skipping nodes deleted since', () => {
    const before = withControl('increment');
    const advances = seedAdvances(before, schemas);
    expect(advances).toEqual([{ nodeId: '3', input: 'seed', value: (before.nodes['3']!.values.seed as number) + 1 }]);
    const { '3': _gone, ...rest } = before.nodes;
    expect(applySeedAdvances({ ...before, nodes: rest }, advances).patches).toEqual([]);
  });
});
