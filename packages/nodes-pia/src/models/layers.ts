/**
 * Layers shared by the U-Net and the VAE, as ONNX subgraphs. Images are `[N, C, H, W]`; in the U-Net N is
 * B·F (frames folded into the batch, sample-major), and `frames` is the int64 `[1]` tensor holding F.
 */
import type { Value } from '../onnx/index.js';
import type { Params } from './tensors.js';

/** Conv with the layer's weight and bias; `pads` as ONNX's `[top, left, bottom, right]`. */
export function conv(p: Params, name: string, x: Value, stride = 1, pads?: readonly number[]): Value {
  const k = p.shape(`${name}.weight`)[2] ?? 1;
  const pad = pads ?? new Array<number>(4).fill((k - 1) / 2);
  return p.g.scope(name, () =>
    p.g.conv(x, p.tensor(`${name}.weight`), p.has(`${name}.bias`) ? p.tensor(`${name}.bias`) : null, {
      pads: pad,
      strides: [stride, stride],
    }),
  );
}

/**
 * {@link conv} with the input channels zero-padded to `channels`, inputs and kernel alike, so the result is the same
 * sum. Some WebGPU drivers compute a Conv with 9 input channels (PIA's conv_in) wrongly in the provider's NHWC layout
 * while 16 are right (`device-self-check.ts`); padding keeps the whole graph in NHWC, the layout WebGPU's kernels are
 * fast in, instead of falling back to NCHW for every convolution. The kernel's padding is a constant-folded op on the
 * stored weight, so LoRA patches of that weight keep its stored shape.
 */
export function convPaddedTo(p: Params, name: string, x: Value, channels: number): Value {
  const [, inChannels = channels, k = 1] = p.shape(`${name}.weight`);
  if (inChannels >= channels) return conv(p, name, x);
  const extra = channels - inChannels;
  const g = p.g;
  return g.scope(name, () => {
    const input = g.padChannels(x, extra);
    const kernel = g.padChannels(p.tensor(`${name}.weight`), extra);
    const pad = (k - 1) / 2;
    return g.conv(input, kernel, p.has(`${name}.bias`) ? p.tensor(`${name}.bias`) : null, { pads: [pad, pad, pad, pad], strides: [1, 1] });
  });
}

/** A torch Linear on the last axis (bias when the weights have one). */
export function linear(p: Params, name: string, x: Value): Value {
  return p.g.scope(name, () => p.g.linear(x, p.linearWeight(`${name}.weight`), p.has(`${name}.bias`) ? p.tensor(`${name}.bias`) : null));
}

/** GroupNorm per image of `[N, C, …]`. */
export function groupNorm(p: Params, name: string, x: Value, groups: number, eps: number): Value {
  return p.g.scope(name, () => p.g.groupNorm(x, groups, eps, p.tensor(`${name}.weight`), p.tensor(`${name}.bias`)));
}

/**
 * GroupNorm whose statistics span all frames of a sample, as PIA's `torch.nn.GroupNorm` on `[B, C, F, H, W]`:
 * `[B·F, C, H, W]` is unfolded to that 5-D layout, normalised, and folded back. CFG halves are separate samples.
 */
export function groupNormAcrossFrames(p: Params, name: string, x: Value, frames: Value, groups: number, eps: number): Value {
  const g = p.g;
  return g.scope(name, () => {
    const fiveD = g.reshape(x, g.concat([g.constInt64([-1]), frames, g.shape(x, 1, 4)], 0));
    const bcfhw = g.transpose(fiveD, [0, 2, 1, 3, 4]);
    const normed = g.groupNorm(bcfhw, groups, eps, p.tensor(`${name}.weight`), p.tensor(`${name}.bias`));
    return g.reshape(g.transpose(normed, [0, 2, 1, 3, 4]), g.shape(x));
  });
}

/** LayerNorm over the last axis. */
export function layerNorm(p: Params, name: string, x: Value, eps = 1e-5): Value {
  return p.g.scope(name, () => p.g.layerNorm(x, p.tensor(`${name}.weight`), p.tensor(`${name}.bias`), eps));
}

/** How attention is computed: onnxruntime's fused MultiHeadAttention, or plain MatMul/Softmax ops. */
export interface AttentionSettings {
  readonly fused: boolean;
}

/** diffusers `Attention`: to_q/to_k/to_v (bias when present), multi-head attention, to_out.0. `ctx` defaults to `x`. */
export function attention(p: Params, name: string, x: Value, ctx: Value | undefined, heads: number, settings: AttentionSettings): Value {
  const a = p.sub(name);
  return p.g.scope(name, () => {
    const q = linear(a, 'to_q', x);
    const k = linear(a, 'to_k', ctx ?? x);
    const v = linear(a, 'to_v', ctx ?? x);
    const dim = a.shape('to_q.weight')[0]!;
    const o = p.g.attention(q, k, v, { heads, headDim: dim / heads, fused: settings.fused });
    return linear(a, 'to_out.0', o);
  });
}

/** diffusers `FeedForward(activation_fn="geglu")`: `net.0.proj` → value · gelu(gate) → `net.2`. */
export function geglu(p: Params, name: string, x: Value): Value {
  const f = p.sub(name);
  return p.g.scope(name, () => {
    const [value, gate] = p.g.split(linear(f, 'net.0.proj', x), 2, -1) as [Value, Value];
    return linear(f, 'net.2', p.g.mul(value, p.g.gelu(gate)));
  });
}

/** Settings of a resnet block. */
export interface ResnetSettings {
  readonly groups: number;
  readonly eps: number;
  /** When given, norm1/norm2 take statistics across this many frames per sample (the PIA U-Net). */
  readonly frames?: Value;
}

/** ResnetBlock2D: (norm, SiLU, conv) ×2 with the time embedding added between, plus a (1×1 conv) shortcut. */
export function resnet(p: Params, name: string, x: Value, temb: Value | undefined, s: ResnetSettings): Value {
  const r = p.sub(name);
  const g = p.g;
  const norm = (n: string, v: Value): Value =>
    s.frames ? groupNormAcrossFrames(r, n, v, s.frames, s.groups, s.eps) : groupNorm(r, n, v, s.groups, s.eps);
  return g.scope(name, () => {
    let h = conv(r, 'conv1', g.silu(norm('norm1', x)));
    if (temb) h = g.add(h, g.unsqueeze(linear(r, 'time_emb_proj', g.silu(temb)), [2, 3]));
    h = conv(r, 'conv2', g.silu(norm('norm2', h)));
    const shortcut = r.has('conv_shortcut.weight') ? conv(r, 'conv_shortcut', x) : x;
    return g.add(shortcut, h);
  });
}

/** `[N, C, H, W]` → `[N, H·W, C]` tokens. */
export function toTokens(p: Params, x: Value, channels: number): Value {
  return p.g.reshape(p.g.transpose(x, [0, 2, 3, 1]), [0, -1, channels]);
}

/** `[N, H·W, C]` tokens → `[N, C, H, W]` shaped like `like`. */
export function fromTokens(p: Params, t: Value, like: Value, channels: number): Value {
  const g = p.g;
  const nhwc = g.reshape(t, g.concat([g.shape(like, 0, 1), g.shape(like, 2, 4), g.constInt64([channels])], 0));
  return g.transpose(nhwc, [0, 3, 1, 2]);
}

/**
 * Transformer2DModel with 1×1 conv projections (`use_linear_projection: false`): per-image GroupNorm (eps 1e-6),
 * self-attention, cross-attention on `ctx [N, L, D]`, GEGLU feed-forward, residual.
 */
export function spatialTransformer(
  p: Params,
  name: string,
  x: Value,
  ctx: Value,
  groups: number,
  heads: number,
  settings: AttentionSettings,
  normFrames?: Value,
): Value {
  const t = p.sub(name);
  const g = p.g;
  const c = t.shape('proj_in.weight')[0]!;
  return g.scope(name, () => {
    // `normFrames`: the GroupNorm takes statistics across that many frames per sample (AnimateDiff-Evolved's GroupNorm hack).
    const normed = normFrames ? groupNormAcrossFrames(t, 'norm', x, normFrames, groups, 1e-6) : groupNorm(t, 'norm', x, groups, 1e-6);
    let h = toTokens(t, conv(t, 'proj_in', normed), c);
    const b = t.sub('transformer_blocks.0');
    g.scope('transformer_blocks.0', () => {
      h = g.add(attention(b, 'attn1', layerNorm(b, 'norm1', h), undefined, heads, settings), h);
      h = g.add(attention(b, 'attn2', layerNorm(b, 'norm2', h), ctx, heads, settings), h);
      h = g.add(geglu(b, 'ff', layerNorm(b, 'norm3', h)), h);
    });
    return g.add(conv(t, 'proj_out', fromTokens(t, h, x, c)), x);
  });
}

/** U-Net Downsample2D: stride-2 3×3 conv with padding 1. */
export function downsample(p: Params, name: string, x: Value): Value {
  return conv(p, `${name}.conv`, x, 2);
}

/** VAE Downsample2D: pad right/bottom by one, stride-2 3×3 conv without padding. */
export function vaeDownsample(p: Params, name: string, x: Value): Value {
  return conv(p, `${name}.conv`, x, 2, [0, 0, 1, 1]);
}

/**
 * Upsample2D: nearest ×2, then a 3×3 conv. Given `like`, nearest-resizes to its spatial size instead, as diffusers'
 * U-Net does with `upsample_size` (the next skip's size): stride-2 downsampling gives ⌈h/2⌉, so an odd side
 * comes back one short of ×2.
 */
export function upsample(p: Params, name: string, x: Value, like?: Value): Value {
  return p.g.scope(name, () => conv(p, `${name}.conv`, like ? p.g.resizeNearestLike(x, like) : p.g.upsampleNearest(x, 2)));
}
