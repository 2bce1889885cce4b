/**
 * The CLIP text tower (Hugging Face `CLIPTextModel`) as an ONNX graph: token + position embeddings, pre-LN
 * causal transformer layers with quick-GELU MLPs, final LayerNorm. With `clipSkip = k` the graph stops after
 * layer L−k and applies the final LayerNorm to that hidden state, as diffusers' `clip_skip` does.
 */
import type { Value } from '../onnx/index.js';
import type { ClipConfig } from './config.js';
import { layerNorm, linear } from './layers.js';
import { Params, type Builder, type ModelWeights } from './tensors.js';
import type { BuildOptions } from './unet.js';

/** Graph input and output names of the text encoder. */
export const CLIP_IO = { ids: 'input_ids', out: 'last_hidden_state' } as const;

/** Options of the text-encoder graph. */
export interface ClipBuildOptions extends BuildOptions {
  /** Skip the last k layers (0 = none, the SD 1.5 default). */
  readonly clipSkip?: number;
}

/** Causal self-attention with an additive mask (plain ops: 77 tokens need no fused kernel). */
function causalSelfAttention(p: Params, name: string, x: Value, heads: number, width: number, maxPositions: number): Value {
  const a = p.sub(name);
  const g = p.g;
  return g.scope(name, () => {
    const d = width / heads;
    const split = (v: Value): Value => g.transpose(g.reshape(v, [0, 0, heads, d]), [0, 2, 1, 3]);
    const q = split(g.mul(linear(a, 'q_proj', x), 1 / Math.sqrt(d)));
    const k = g.transpose(g.reshape(linear(a, 'k_proj', x), [0, 0, heads, d]), [0, 2, 3, 1]);
    const v = split(linear(a, 'v_proj', x));
    const mask = new Array<number>(maxPositions * maxPositions);
    for (let i = 0; i < maxPositions; i++) for (let j = 0; j < maxPositions; j++) mask[i * maxPositions + j] = j > i ? -Infinity : 0;
    const seq = g.shape(x, 1, 2);
    const zero = g.constInt64([0]);
    const full = g.constant(x.dtype ?? 'float32', [maxPositions, maxPositions], mask);
    const causal = g.slice(full, g.concat([zero, zero], 0), g.concat([seq, seq], 0), g.constInt64([0, 1]));
    const probs = g.softmax(g.add(g.matMul(q, k), causal), -1);
    const merged = g.reshape(g.transpose(g.matMul(probs, v), [0, 2, 1, 3]), [0, 0, width]);
    return linear(a, 'out_proj', merged);
  });
}

/** Quick GELU: x · sigmoid(1.702 x). */
function quickGelu(g: Builder, x: Value): Value {
  return g.scope('quick_gelu', () => g.mul(x, g.sigmoid(g.mul(x, 1.702))));
}

/** Builds the text encoder: `input_ids [B, S]` (int64, S ≤ max positions) → `last_hidden_state [B, S, width]`. */
export function buildClipTextEncoder(g: Builder, weights: ModelWeights, cfg: ClipConfig, options: ClipBuildOptions = {}): void {
  const skip = options.clipSkip ?? 0;
  if (!Number.isInteger(skip) || skip < 0 || skip >= cfg.layers) {
    throw new RangeError(`clipSkip must be an integer in [0, ${cfg.layers - 1}], got ${skip}`);
  }
  const p = new Params(g, weights);
  const ids = g.input(CLIP_IO.ids, 'int64', ['batch', 'tokens']);
  const tm = p.sub('text_model');
  let h = g.scope('embeddings', () => {
    const tokens = g.gather(tm.tensor('embeddings.token_embedding.weight'), ids, 0);
    const positions = g.slice(tm.tensor('embeddings.position_embedding.weight'), g.constInt64([0]), g.shape(ids, 1, 2), g.constInt64([0]));
    return g.add(tokens, positions);
  });
  if (options.precision === 'float16') h = g.cast(h, 'float16');
  for (let i = 0; i < cfg.layers - skip; i++) {
    const name = `encoder.layers.${i}`;
    const l = tm.sub(name);
    g.scope(name, () => {
      h = g.add(h, causalSelfAttention(l, 'self_attn', layerNorm(l, 'layer_norm1', h), cfg.heads, cfg.width, cfg.maxPositions));
      h = g.add(h, linear(l, 'mlp.fc2', quickGelu(g, linear(l, 'mlp.fc1', layerNorm(l, 'layer_norm2', h)))));
    });
  }
  let out = layerNorm(tm, 'final_layer_norm', h);
  if (options.precision === 'float16') out = g.cast(out, 'float32');
  g.output(out, CLIP_IO.out, { dtype: 'float32', shape: ['batch', 'tokens', cfg.width] });
}
