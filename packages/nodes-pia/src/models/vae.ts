/**
 * AutoencoderKL as two ONNX graphs. The encoder gives the posterior's mean and log-variance (sampling is
 * TypeScript on those outputs); the decoder maps latents (already divided by the scaling factor) to images.
 * Both take a dynamic batch, so frames can be decoded in chunks of any size.
 */
import type { Value } from '../onnx/index.js';
import type { VaeConfig } from './config.js';
import { conv, groupNorm, resnet, toTokens, fromTokens, upsample, vaeDownsample, type AttentionSettings } from './layers.js';
import { Params, type Builder, type ModelWeights } from './tensors.js';
import type { BuildOptions } from './unet.js';

/** Graph input and output names of the VAE graphs. */
export const VAE_IO = {
  image: 'image',
  mean: 'latent_mean',
  logvar: 'latent_logvar',
  latent: 'latent',
  decoded: 'decoded',
} as const;

const EPS = 1e-6;

/** The mid-block attention: GroupNorm, one head over the H·W tokens (q/k/v with bias), residual. */
export function vaeAttention(p: Params, name: string, x: Value, groups: number, settings: AttentionSettings): Value {
  const a = p.sub(name);
  const g = p.g;
  const c = a.shape('to_q.weight')[0]!;
  return g.scope(name, () => {
    const t = toTokens(a, groupNorm(a, 'group_norm', x, groups, EPS), c);
    const lin = (n: string, v: Value) => g.scope(n, () => g.linear(v, a.linearWeight(`${n}.weight`), a.tensor(`${n}.bias`)));
    const o = g.attention(lin('to_q', t), lin('to_k', t), lin('to_v', t), { heads: 1, headDim: c, fused: settings.fused });
    return g.add(fromTokens(a, lin('to_out.0', o), x, c), x);
  });
}

function midBlock(p: Params, name: string, x: Value, groups: number, settings: AttentionSettings): Value {
  const s = { groups, eps: EPS };
  return p.g.scope(name, () => {
    let h = resnet(p, `${name}.resnets.0`, x, undefined, s);
    h = vaeAttention(p, `${name}.attentions.0`, h, groups, settings);
    return resnet(p, `${name}.resnets.1`, h, undefined, s);
  });
}

function computeIn(g: Builder, x: Value, options: BuildOptions): Value {
  return options.precision === 'float16' ? g.cast(x, 'float16') : x;
}

function outputFloat32(g: Builder, x: Value, options: BuildOptions): Value {
  return options.precision === 'float16' ? g.cast(x, 'float32') : x;
}

/** Encoder: `image [N, 3, H, W]` in [−1, 1] → `latent_mean`, `latent_logvar` `[N, 4, H/8, W/8]` (logvar clamped to [−30, 20]). */
export function buildVaeEncoder(g: Builder, weights: ModelWeights, cfg: VaeConfig, options: BuildOptions = {}): void {
  const p = new Params(g, weights);
  const settings = { fused: options.fusedAttention ?? true };
  const image = g.input(VAE_IO.image, 'float32', ['batch', cfg.imageChannels, 'height', 'width']);
  const s = { groups: cfg.normGroups, eps: EPS };
  const n = cfg.blockOutChannels.length;
  let h = conv(p, 'encoder.conv_in', computeIn(g, image, options));
  for (let i = 0; i < n; i++) {
    g.scope(`encoder.down_blocks.${i}`, () => {
      for (let j = 0; j < cfg.layersPerBlock; j++) h = resnet(p, `encoder.down_blocks.${i}.resnets.${j}`, h, undefined, s);
      if (i < n - 1) h = vaeDownsample(p, `encoder.down_blocks.${i}.downsamplers.0`, h);
    });
  }
  h = midBlock(p, 'encoder.mid_block', h, cfg.normGroups, settings);
  h = conv(p, 'encoder.conv_out', g.silu(groupNorm(p, 'encoder.conv_norm_out', h, cfg.normGroups, EPS)));
  const moments = conv(p, 'quant_conv', h);
  const [mean, logvar] = g.split(moments, 2, 1) as [Value, Value];
  const clamped = g.node('Clip', [logvar, g.constant(logvar.dtype ?? 'float32', [], [-30]), g.constant(logvar.dtype ?? 'float32', [], [20])])[0]!;
  const dims = ['batch', cfg.latentChannels, 'latent_height', 'latent_width'];
  g.output(outputFloat32(g, mean, options), VAE_IO.mean, { dtype: 'float32', shape: dims });
  g.output(outputFloat32(g, clamped, options), VAE_IO.logvar, { dtype: 'float32', shape: dims });
}

/** Decoder: `latent [N, 4, h, w]` (unscaled: divide by the scaling factor first) → `decoded [N, 3, 8h, 8w]` in about [−1, 1]. */
export function buildVaeDecoder(g: Builder, weights: ModelWeights, cfg: VaeConfig, options: BuildOptions = {}): void {
  const p = new Params(g, weights);
  const settings = { fused: options.fusedAttention ?? true };
  const latent = g.input(VAE_IO.latent, 'float32', ['batch', cfg.latentChannels, 'latent_height', 'latent_width']);
  const s = { groups: cfg.normGroups, eps: EPS };
  const n = cfg.blockOutChannels.length;
  let h = conv(p, 'decoder.conv_in', conv(p, 'post_quant_conv', computeIn(g, latent, options)));
  h = midBlock(p, 'decoder.mid_block', h, cfg.normGroups, settings);
  for (let i = 0; i < n; i++) {
    g.scope(`decoder.up_blocks.${i}`, () => {
      for (let j = 0; j <= cfg.layersPerBlock; j++) h = resnet(p, `decoder.up_blocks.${i}.resnets.${j}`, h, undefined, s);
      if (i < n - 1) h = upsample(p, `decoder.up_blocks.${i}.upsamplers.0`, h);
    });
  }
  h = conv(p, 'decoder.conv_out', g.silu(groupNorm(p, 'decoder.conv_norm_out', h, cfg.normGroups, EPS)));
  g.output(outputFloat32(g, h, options), VAE_IO.decoded, {
    dtype: 'float32',
    shape: ['batch', cfg.imageChannels, 'height', 'width'],
  });
}
