/** image/resample.ts against PyTorch's own F.interpolate (and a torch-op bislerp), numbers in fixtures/resample. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resampleBatch, roundHalfEven, type ResampleMethod } from '../../src/image/resample.js';

interface Case {
  input_dims: [number, number, number, number];
  input: number[];
  method: ResampleMethod;
  width: number;
  height: number;
  crop: 'disabled' | 'center';
  output_dims: number[];
  output: number[];
}

const { cases } = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/resample/expected.json'), 'utf8')) as { cases: Case[] };

describe('resampleBatch against PyTorch', () => {
  it('covers every method', () => {
    expect(new Set(cases.map((c) => c.method))).toEqual(new Set(['nearest-exact', 'bilinear', 'bicubic', 'area', 'bislerp']));
  });

  for (const c of cases) {
    it(`${c.method} [${c.input_dims.join('×')}] → ${c.width}×${c.height} (${c.crop})`, () => {
      const out = resampleBatch({ data: Float32Array.from(c.input), dims: c.input_dims }, c.width, c.height, c.method, c.crop);
      expect([...out.dims]).toEqual(c.output_dims);
      let worst = 0;
      for (let i = 0; i < c.output.length; i++) worst = Math.max(worst, Math.abs(out.data[i]! - c.output[i]!));
      expect(worst).toBeLessThan(2e-5);
    });
  }
});

describe('roundHalfEven (Python round)', () => {
  it('rounds halves to the even neighbour and everything else to the nearest', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6, 3].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 2, 3, 3]);
  });
});
