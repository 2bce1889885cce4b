/**
 * The PIA U-Net as one ONNX graph: SD 1.5's U-Net with the 9-channel conv_in and AnimateDiff motion modules
 * after each resnet/attention pair of the down and up blocks (pia-model.md §3).
 *
 * Interface: `sample [B, 9, F, h, w]` (noisy latent | affinity | condition latent), `timestep [1]` (float32, the
 * same step for the whole batch), `encoder_hidden_states [B, L, D]` → `noise_pred [B, 4, F, h, w]`. Inside,
 * frames are folded into the batch (`[B·F, C, h, w]`, sample-major) so 2-D ops run per frame; resnet norms and
 * the final norm unfold them again to take statistics across all frames of a sample, as PIA's code does.
 * Latent sides need not be multiples of 8: each upsampler resizes to the size of the skip it meets next.
 */
import type { Value } from '../onnx/index.js';
import { channelsAt, downBlockHasAttention, upBlockHasAttention, type UNetConfig } from './config.js';
import { conv, downsample, groupNormAcrossFrames, linear, resnet, spatialTransformer, upsample, type AttentionSettings } from './layers.js';
import { motionModule } from './motion-module.js';
import { MissingWeightError, Params, type Builder, type ModelWeights, type Precision } from './tensors.js';

/** Graph input and output names of the U-Net. */
export const UNET_IO = {
  sample: 'sample',
  timestep: 'timestep',
  text: 'encoder_hidden_states',
  out: 'noise_pred',
} as const;

/** Options shared by the graph builders. */
export interface BuildOptions {
  /** Compute type of the graph; inputs and outputs stay float32 (cast at the edges). Default float32. */
  readonly precision?: Precision;
  /** Use onnxruntime's fused `com.microsoft` MultiHeadAttention (default true), else plain MatMul/Softmax. */
  readonly fusedAttention?: boolean;
}

/**
 * diffusers `Timesteps(dim, flip_sin_to_cos=True, downscale_freq_shift=0)`: `[cos(t·f) | sin(t·f)]` with
 * `f_i = exp(−ln(10000)·i/half)` computed in float32 as torch does.
 */
export function timestepFrequencies(dim: number): Float32Array {
  const half = dim / 2;
  const f = new Float32Array(half);
  const scale = Math.fround(-Math.log(10000));
  for (let i = 0; i < half; i++) f[i] = Math.exp(Math.fround(Math.fround(scale * i) / half));
  return f;
}

/** Time embedding `[1, T]` from `timestep [1]` (float32): sinusoidal features → linear_1 → SiLU → linear_2. */
export function timeEmbedding(p: Params, timestep: Value, dim: number, precision: Precision = 'float32'): Value {
  const g = p.g;
  return g.scope('time_embedding', () => {
    const freqs = g.constant('float32', [1, dim / 2], Array.from(timestepFrequencies(dim)));
    const angles = g.mul(g.unsqueeze(timestep, [1]), freqs);
    const fp32 = g.concat([g.cos(angles), g.sin(angles)], 1);
    const feats = precision === 'float32' ? fp32 : g.cast(fp32, precision);
    const t = p.sub('time_embedding');
    return linear(t, 'linear_2', g.silu(linear(t, 'linear_1', feats)));
  });
}

/**
 * Which U-Net a set of weights makes: the plain SD 1.5 U-Net (4 input channels, no motion modules: every frame is an
 * independent image, so an image batch runs as the frames of one sample), or PIA's (9 channels, motion modules).
 * Read off the weights rather than the config, so one config serves the image and the video graphs.
 */
export interface UNetVariant {
  /** Channels of `sample`: conv_in's input channels. */
  readonly inChannels: number;
  /** Whether temporal layers mix the frames (then at most `motionMaxFrames` frames per call). */
  readonly motion: boolean;
}

/** The first motion module's path: present in every motion-module layout. */
const FIRST_MOTION_MODULE = 'down_blocks.0.motion_modules.0';

/** The variant that `weights` build. */
export function unetVariantOf(weights: ModelWeights): UNetVariant {
  const convIn = weights.get('conv_in.weight');
  if (!convIn) throw new MissingWeightError('conv_in.weight');
  return { inChannels: convIn.shape[1]!, motion: weights.has(`${FIRST_MOTION_MODULE}.proj_in.weight`) };
}

/** Builds the U-Net into `g` from canonical weights (spatial U-Net, plus motion modules and a merged conv_in for PIA). */
export function buildUNet(g: Builder, weights: ModelWeights, cfg: UNetConfig, options: BuildOptions = {}): void {
  const precision = options.precision ?? 'float32';
  const settings: AttentionSettings = { fused: options.fusedAttention ?? true };
  const p = new Params(g, weights);
  const variant = unetVariantOf(weights);
  const temporal = variant.motion ? motionModule : (_p: Params, _name: string, x: Value) => x;
  const sample = g.input(UNET_IO.sample, 'float32', ['batch', variant.inChannels, 'frames', 'height', 'width']);
  const timestep = g.input(UNET_IO.timestep, 'float32', [1]);
  const text = g.input(UNET_IO.text, 'float32', ['batch', 'tokens', cfg.crossAttentionDim]);
  const toCompute = (v: Value): Value => (precision === 'float32' ? v : g.cast(v, precision));

  const frames = g.shape(sample, 2, 3);
  const folded = g.reshape(g.transpose(toCompute(sample), [0, 2, 1, 3, 4]), g.concat([g.constInt64([-1]), g.shape(sample, 1, 2), g.shape(sample, 3, 5)], 0));
  const ctx = g.scope('text_per_frame', () => {
    const expanded = g.expand(g.unsqueeze(toCompute(text), [1]), g.concat([g.shape(text, 0, 1), frames, g.shape(text, 1, 3)], 0));
    return g.reshape(expanded, g.concat([g.constInt64([-1]), g.shape(text, 1, 3)], 0));
  });
  const temb = timeEmbedding(p, timestep, channelsAt(cfg.blockOutChannels, 0), precision);
  const res = { groups: cfg.normGroups, eps: 1e-5, frames };
  const motion = { groups: cfg.normGroups, heads: cfg.motionHeads, maxFrames: cfg.motionMaxFrames, fused: settings.fused };
  const nb = cfg.blockOutChannels.length;
  const L = cfg.layersPerBlock;

  let h = conv(p, 'conv_in', folded);
  const skips: Value[] = [h];
  for (let b = 0; b < nb; b++) {
    g.scope(`down_blocks.${b}`, () => {
      for (let l = 0; l < L; l++) {
        h = resnet(p, `down_blocks.${b}.resnets.${l}`, h, temb, res);
        if (downBlockHasAttention(cfg, b)) h = spatialTransformer(p, `down_blocks.${b}.attentions.${l}`, h, ctx, cfg.normGroups, cfg.attentionHeads, settings);
        h = temporal(p, `down_blocks.${b}.motion_modules.${l}`, h, frames, motion);
        skips.push(h);
      }
      if (b < nb - 1) {
        h = downsample(p, `down_blocks.${b}.downsamplers.0`, h);
        skips.push(h);
      }
    });
  }
  g.scope('mid_block', () => {
    h = resnet(p, 'mid_block.resnets.0', h, temb, res);
    h = spatialTransformer(p, 'mid_block.attentions.0', h, ctx, cfg.normGroups, cfg.attentionHeads, settings);
    h = resnet(p, 'mid_block.resnets.1', h, temb, res);
  });
  for (let b = 0; b < nb; b++) {
    g.scope(`up_blocks.${b}`, () => {
      for (let l = 0; l <= L; l++) {
        const skip = skips.pop()!;
        h = resnet(p, `up_blocks.${b}.resnets.${l}`, g.concat([h, skip], 1), temb, res);
        if (upBlockHasAttention(cfg, b)) h = spatialTransformer(p, `up_blocks.${b}.attentions.${l}`, h, ctx, cfg.normGroups, cfg.attentionHeads, settings);
        h = temporal(p, `up_blocks.${b}.motion_modules.${l}`, h, frames, motion);
      }
      if (b < nb - 1) h = upsample(p, `up_blocks.${b}.upsamplers.0`, h, skips[skips.length - 1]);
    });
  }
  h = conv(p, 'conv_out', g.silu(groupNormAcrossFrames(p, 'conv_norm_out', h, frames, cfg.normGroups, 1e-5)));

  const unfolded = g.reshape(h, g.concat([g.shape(sample, 0, 1), frames, g.constInt64([cfg.latentChannels]), g.shape(sample, 3, 5)], 0));
  let out = g.transpose(unfolded, [0, 2, 1, 3, 4]);
  if (precision !== 'float32') out = g.cast(out, 'float32');
  g.output(out, UNET_IO.out, { dtype: 'float32', shape: ['batch', cfg.latentChannels, 'frames', 'height', 'width'] });
}
