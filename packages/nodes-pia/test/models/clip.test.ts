import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { clipKeys } from '../../src/checkpoints/key-table.js';
import { buildClipTextEncoder } from '../../src/models/clip.js';
import { tiny } from '../../src/models/config.js';
import { clipLayer } from './naive/blocks.js';
import { layerNorm } from './naive/ops.js';
import { maxAbsDiff, tensor, type T } from './naive/tensor.js';
import { randomWeights, runGraph } from './helpers/graph-harness.js';

const cfg = { ...tiny.clip, vocabSize: 500, layers: 3 };
const ids = [49406 % 500, 17, 230, 4, 499, 77, 77, 77];

/** Embeddings, the first `layers` CLIP layers, final LayerNorm: plain loops. */
function naiveClip(w: (name: string) => T, layers: number): T {
  const W = cfg.width;
  const x = tensor([1, ids.length, W]);
  const tok = w('text_model.embeddings.token_embedding.weight');
  const pos = w('text_model.embeddings.position_embedding.weight');
  ids.forEach((id, s) => {
    for (let c = 0; c < W; c++) x.data[s * W + c] = tok.data[id * W + c]! + pos.data[s * W + c]!;
  });
  let h = x;
  for (let l = 0; l < layers; l++) h = clipLayer(h, (n) => w(`text_model.encoder.layers.${l}.${n}`), cfg.heads);
  return layerNorm(h, w('text_model.final_layer_norm.weight'), w('text_model.final_layer_norm.bias'));
}

async function run(clipSkip: number) {
  const { weights, naive } = randomWeights(clipKeys(cfg), '', 3);
  const out = await runGraph((g) => buildClipTextEncoder(g, weights, cfg, { clipSkip }), {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
  });
  return { got: out.last_hidden_state!, naive };
}

describe('CLIP text encoder', () => {
  it('computes embeddings, causal quick-GELU layers and the final LayerNorm as the naive reference', async () => {
    const { got, naive } = await run(0);
    expect(got.dims).toEqual([1, ids.length, cfg.width]);
    expect(maxAbsDiff(got.data as Float32Array, naiveClip(naive, 3).data)).toBeLessThan(1e-4);
  });

  it('with clip skip 1 applies the final LayerNorm to the penultimate layer output', async () => {
    const { got, naive } = await run(1);
    expect(maxAbsDiff(got.data as Float32Array, naiveClip(naive, 2).data)).toBeLessThan(1e-4);
  });

  it('refuses a clip skip that leaves no layer', async () => {
    const { weights } = randomWeights(clipKeys(cfg), '', 3);
    await expect(runGraph((g) => buildClipTextEncoder(g, weights, cfg, { clipSkip: 3 }), {})).rejects.toThrow(/clipSkip must be an integer in \[0, 2\], got 3/);
  });
});
