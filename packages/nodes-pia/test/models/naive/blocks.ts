/**
 * Plain-loop building blocks of the PIA U-Net, the VAE and CLIP, written from the PyTorch modules they mirror
 * (diffusers ResnetBlock2D/Transformer2DModel, AnimateDiff TemporalTransformer3DModel, HF CLIPEncoderLayer).
 * `w(name)` returns the weight called `name` relative to the block.
 */
import { attention, conv2d, groupNorm, layerNorm, linear, positionEncoding, resizeNearest, timestepFeatures, upsample2x } from './ops.js';
import { add, gelu, map, quickGelu, silu, tensor, type T } from './tensor.js';

export type Weights = (name: string) => T;
const has = (w: Weights, name: string): boolean => {
  try {
    w(name);
    return true;
  } catch {
    return false;
  }
};
const sub = (w: Weights, prefix: string): Weights => (n) => w(`${prefix}.${n}`);

/** `[N,C,H,W]` ↔ `[N,H·W,C]`. */
export function toTokens(x: T): T {
  const [N, C, H, W] = x.dims as [number, number, number, number];
  const out = tensor([N, H * W, C]);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) out.data[(n * H * W + p) * C + c] = x.data[(n * C + c) * H * W + p]!;
  return out;
}
export function fromTokens(x: T, H: number, W: number): T {
  const [N, , C] = x.dims as [number, number, number];
  const out = tensor([N, C, H, W]);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) out.data[(n * C + c) * H * W + p] = x.data[(n * H * W + p) * C + c]!;
  return out;
}

/** diffusers TimestepEmbedding on Timesteps(dim, flip_sin_to_cos, 0): linear_1 → SiLU → linear_2. */
export function timeEmbedding(t: number, dim: number, w: Weights): T {
  const h = map(linear(timestepFeatures(t, dim), w('linear_1.weight'), w('linear_1.bias')), silu);
  return linear(h, w('linear_2.weight'), w('linear_2.bias'));
}

/**
 * U-Net ResnetBlock2D on `[B·F,C,H,W]` with one time embedding `[1,T]` for every image; `frames` consecutive
 * images share GroupNorm statistics (PIA's 5-D GroupNorm). VAE resnets pass `temb` undefined and eps 1e-6.
 */
export function resnet(x: T, temb: T | undefined, w: Weights, groups: number, eps: number, frames = 1): T {
  let h = map(groupNorm(x, groups, eps, w('norm1.weight'), w('norm1.bias'), frames), silu);
  h = conv2d(h, w('conv1.weight'), w('conv1.bias'), 1, [1, 1, 1, 1]);
  if (temb) {
    const e = linear(map(temb, silu), w('time_emb_proj.weight'), w('time_emb_proj.bias'));
    const [N, C, H, W] = h.dims as [number, number, number, number];
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) h.data[(n * C + c) * H * W + p]! += e.data[c]!;
  }
  h = map(groupNorm(h, groups, eps, w('norm2.weight'), w('norm2.bias'), frames), silu);
  h = conv2d(h, w('conv2.weight'), w('conv2.bias'), 1, [1, 1, 1, 1]);
  const shortcut = has(w, 'conv_shortcut.weight') ? conv2d(x, w('conv_shortcut.weight'), w('conv_shortcut.bias'), 1, [0, 0, 0, 0]) : x;
  return add(shortcut, h);
}

/** diffusers Attention (to_q/to_k/to_v without bias unless present, to_out.0 with bias). */
function attn(x: T, ctx: T, w: Weights, heads: number, causal = false): T {
  const bias = (n: string) => (has(w, `${n}.bias`) ? w(`${n}.bias`) : undefined);
  const q = linear(x, w('to_q.weight'), bias('to_q'));
  const k = linear(ctx, w('to_k.weight'), bias('to_k'));
  const v = linear(ctx, w('to_v.weight'), bias('to_v'));
  return linear(attention(q, k, v, heads, causal), w('to_out.0.weight'), w('to_out.0.bias'));
}

/** GEGLU feed-forward: `net.0.proj` → a·gelu(gate) (halves of the projection) → `net.2`. */
function geglu(x: T, w: Weights): T {
  const p = linear(x, w('net.0.proj.weight'), w('net.0.proj.bias'));
  const inner = p.dims[p.dims.length - 1]! / 2;
  const rows = p.data.length / (2 * inner);
  const h = tensor([...p.dims.slice(0, -1), inner]);
  for (let r = 0; r < rows; r++) for (let i = 0; i < inner; i++) h.data[r * inner + i] = p.data[r * 2 * inner + i]! * gelu(p.data[r * 2 * inner + inner + i]!);
  return linear(h, w('net.2.weight'), w('net.2.bias'));
}

/**
 * Spatial Transformer2DModel (1×1 conv projections) per image, cross-attending to `ctx [N,L,D]`; `frames` > 1 makes
 * its GroupNorm span that many consecutive images (AnimateDiff-Evolved's GroupNorm hack).
 */
export function spatialTransformer(x: T, ctx: T, w: Weights, groups: number, heads: number, frames = 1): T {
  const [, , H, W] = x.dims as [number, number, number, number];
  let h = groupNorm(x, groups, 1e-6, w('norm.weight'), w('norm.bias'), frames);
  h = toTokens(conv2d(h, w('proj_in.weight'), w('proj_in.bias'), 1, [0, 0, 0, 0]));
  const b = sub(w, 'transformer_blocks.0');
  const ln = (t: T, n: string) => layerNorm(t, b(`${n}.weight`), b(`${n}.bias`));
  let n1 = ln(h, 'norm1');
  h = add(attn(n1, n1, sub(b, 'attn1'), heads), h);
  h = add(attn(ln(h, 'norm2'), ctx, sub(b, 'attn2'), heads), h);
  h = add(geglu(ln(h, 'norm3'), sub(b, 'ff')), h);
  n1 = conv2d(fromTokens(h, H, W), w('proj_out.weight'), w('proj_out.bias'), 1, [0, 0, 0, 0]);
  return add(n1, x);
}

/**
 * AnimateDiff motion module on `[B·F,C,H,W]`: attention runs over the F frames of each (sample, pixel). Its GroupNorm
 * is per image unless `normAcrossFrames` (AnimateDiff-Evolved's GroupNorm hack).
 */
export function motionModule(x: T, frames: number, w: Weights, groups: number, heads: number, normAcrossFrames = false): T {
  const [N, C, H, W] = x.dims as [number, number, number, number];
  const B = N / frames;
  const HW = H * W;
  let h = toTokens(groupNorm(x, groups, 1e-6, w('norm.weight'), w('norm.bias'), normAcrossFrames ? frames : 1));
  h = linear(h, w('proj_in.weight'), w('proj_in.bias'));
  // [(b f), hw, c] → [(b hw), f, c]
  const seq = tensor([B * HW, frames, C]);
  for (let b = 0; b < B; b++) for (let f = 0; f < frames; f++) for (let p = 0; p < HW; p++) for (let c = 0; c < C; c++) seq.data[((b * HW + p) * frames + f) * C + c] = h.data[((b * frames + f) * HW + p) * C + c]!;
  const tb = sub(w, 'transformer_blocks.0');
  let s: T = seq;
  for (const k of [1, 2]) {
    const normed = layerNorm(s, tb(`norm${k}.weight`), tb(`norm${k}.bias`));
    for (let r = 0; r < B * HW; r++)
      for (let f = 0; f < frames; f++) {
        const pe = positionEncoding(f, C);
        for (let c = 0; c < C; c++) normed.data[(r * frames + f) * C + c]! += pe[c]!;
      }
    s = add(attn(normed, normed, sub(tb, `attn${k}`), heads), s);
  }
  s = add(geglu(layerNorm(s, tb('norm3.weight'), tb('norm3.bias')), sub(tb, 'ff')), s);
  const back = tensor([N, HW, C]);
  for (let b = 0; b < B; b++) for (let f = 0; f < frames; f++) for (let p = 0; p < HW; p++) for (let c = 0; c < C; c++) back.data[((b * frames + f) * HW + p) * C + c] = s.data[((b * HW + p) * frames + f) * C + c]!;
  const out = fromTokens(linear(back, w('proj_out.weight'), w('proj_out.bias')), H, W);
  return add(out, x);
}

/** U-Net Downsample2D: stride-2 3×3 conv, padding 1. */
export function downsample(x: T, w: Weights): T {
  return conv2d(x, w('conv.weight'), w('conv.bias'), 2, [1, 1, 1, 1]);
}

/** VAE Downsample2D: pad right and bottom by one, then a stride-2 3×3 conv without padding. */
export function vaeDownsample(x: T, w: Weights): T {
  return conv2d(x, w('conv.weight'), w('conv.bias'), 2, [0, 0, 1, 1]);
}

/** Upsample2D: nearest ×2 (or to `size` `[H, W]`, diffusers' `upsample_size`), then a 3×3 conv. */
export function upsample(x: T, w: Weights, size?: readonly [number, number]): T {
  const up = size ? resizeNearest(x, size[0], size[1]) : upsample2x(x);
  return conv2d(up, w('conv.weight'), w('conv.bias'), 1, [1, 1, 1, 1]);
}

/** The VAE mid-block attention: GroupNorm, one head over H·W tokens, residual. */
export function vaeAttention(x: T, w: Weights, groups: number): T {
  const [, , H, W] = x.dims as [number, number, number, number];
  const h = toTokens(groupNorm(x, groups, 1e-6, w('group_norm.weight'), w('group_norm.bias')));
  return add(fromTokens(attn(h, h, w, 1), H, W), x);
}

/** HF CLIPEncoderLayer: pre-LN causal self-attention and a quick-GELU MLP, each with a residual. */
export function clipLayer(x: T, w: Weights, heads: number): T {
  const h1 = layerNorm(x, w('layer_norm1.weight'), w('layer_norm1.bias'));
  const sa = sub(w, 'self_attn');
  const q = linear(h1, sa('q_proj.weight'), sa('q_proj.bias'));
  const k = linear(h1, sa('k_proj.weight'), sa('k_proj.bias'));
  const v = linear(h1, sa('v_proj.weight'), sa('v_proj.bias'));
  const x1 = add(x, linear(attention(q, k, v, heads, true), sa('out_proj.weight'), sa('out_proj.bias')));
  const h2 = layerNorm(x1, w('layer_norm2.weight'), w('layer_norm2.bias'));
  const m = linear(map(linear(h2, w('mlp.fc1.weight'), w('mlp.fc1.bias')), quickGelu), w('mlp.fc2.weight'), w('mlp.fc2.bias'));
  return add(x1, m);
}
