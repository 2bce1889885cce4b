/**
 * AnimateDiff's motion module (`VanillaTemporalModule` → `TemporalTransformer3DModel`, pia-model.md §3.3) on
 * frames folded into the batch: attention runs along the F frames of each (sample, pixel).
 */
import type { Value } from '../onnx/index.js';
import { attention, geglu, groupNorm, groupNormAcrossFrames, layerNorm, linear, type AttentionSettings } from './layers.js';
import type { Params } from './tensors.js';

/**
 * The sinusoidal position encoding AnimateDiff adds before q/k/v: `pe[p, 2i] = sin(p·d_i)`, `pe[p, 2i+1] = cos(p·d_i)`
 * with `d_i = exp(2i · (−ln 10000 / C))`. Recomputed here rather than read from the checkpoint's `pe` buffers,
 * which hold these same values (computed in float32 by torch).
 */
export function positionEncoding(maxFrames: number, channels: number): Float32Array {
  const pe = new Float32Array(maxFrames * channels);
  const scale = Math.fround(-Math.log(10000) / channels);
  for (let i = 0; i < channels / 2; i++) {
    const div = Math.fround(Math.exp(Math.fround(2 * i * scale)));
    for (let p = 0; p < maxFrames; p++) {
      const angle = Math.fround(p * div);
      pe[p * channels + 2 * i] = Math.sin(angle);
      pe[p * channels + 2 * i + 1] = Math.cos(angle);
    }
  }
  return pe;
}

/** Settings of a motion module. */
export interface MotionSettings extends AttentionSettings {
  readonly groups: number;
  readonly heads: number;
  readonly maxFrames: number;
  /** The module's GroupNorm over all frames of a sample (ADE's GroupNorm hack) instead of per frame. */
  readonly normAcrossFrames?: boolean;
}

/** One motion module on `x [B·F, C, H, W]` with `frames` = F (int64 `[1]`); returns the same shape (residual added). */
export function motionModule(p: Params, name: string, x: Value, frames: Value, s: MotionSettings): Value {
  const m = p.sub(name);
  const g = p.g;
  const c = m.shape('proj_in.weight')[0]!;
  return g.scope(name, () => {
    const normed = s.normAcrossFrames ? groupNormAcrossFrames(m, 'norm', x, frames, s.groups, 1e-6) : groupNorm(m, 'norm', x, s.groups, 1e-6);
    // [B·F, C, H, W] → [B, F, C, H, W] → [B, H, W, F, C] → [B·H·W, F, C]
    const five = g.reshape(normed, g.concat([g.constInt64([-1]), frames, g.shape(x, 1, 4)], 0));
    const bhwfc = g.transpose(five, [0, 3, 4, 1, 2]);
    let h = linear(m, 'proj_in', g.reshape(bhwfc, g.concat([g.constInt64([-1]), frames, g.constInt64([c])], 0)));
    const dtype = x.dtype ?? 'float32';
    const table = g.constant(dtype, [s.maxFrames, c], Array.from(positionEncoding(s.maxFrames, c)));
    const pe = g.slice(table, g.constInt64([0]), frames, g.constInt64([0]));
    const b = m.sub('transformer_blocks.0');
    g.scope('transformer_blocks.0', () => {
      for (const k of [1, 2]) {
        const q = g.add(layerNorm(b, `norm${k}`, h), pe);
        h = g.add(attention(b, `attn${k}`, q, undefined, s.heads, s), h);
      }
      h = g.add(geglu(b, 'ff', layerNorm(b, 'norm3', h)), h);
    });
    const out = linear(m, 'proj_out', h);
    // [B·H·W, F, C] → [B, H, W, F, C] → [B, F, C, H, W] → [B·F, C, H, W]
    const back = g.reshape(out, g.concat([g.constInt64([-1]), g.shape(x, 2, 4), frames, g.constInt64([c])], 0));
    return g.add(g.reshape(g.transpose(back, [0, 3, 4, 1, 2]), g.shape(x)), x);
  });
}
