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
import { conv, convPaddedTo, downsample, groupNorm, groupNormAcrossFrames, linear, resnet, spatialTransformer, upsample, type AttentionSettings } from './layers.js';
import { motionModule } from './motion-module.js';
import { MissingWeightError, Params, type Builder, type ModelWeights, type Precision } from './tensors.js';

/** Graph input and output names of the U-Net. */
export const UNET_IO = {
  sample: 'sample',
  timestep: 'timestep',
  text: 'encoder_hidden_states',
  out: 'noise_pred',
} as const;

/**
 * How the U-Net's GroupNorms take their statistics on a video:
 * - `resnets-across-frames`: resnets and the final norm over all frames of a sample, transformers per frame (PIA's
 *   original code; the default);
 * - `all-across-frames`: every GroupNorm over all frames (AnimateDiff-Evolved's GroupNorm hack for AnimateDiff v1 and PIA);
 * - `per-frame`: every frame alone, as the image U-Net (ADE with AnimateDiff v2 and v3).
 */
export type FrameNorms = 'resnets-across-frames' | 'all-across-frames' | 'per-frame';

/** Options shared by the graph builders. */
export interface BuildOptions {
  /** Compute type of the graph; inputs and outputs stay float32 (cast at the edges). Default float32. */
  readonly precision?: Precision;
  /** Use onnxruntime's fused `com.microsoft` MultiHeadAttention (default true), else plain MatMul/Softmax. */
  readonly fusedAttention?: boolean;
  /** Motion modules from a motion-model file: its position-encoding length and how the norms run (default: the config's, PIA's). */
  readonly motion?: { readonly maxFrames: number; readonly norms: FrameNorms };
  /**
   * `encoder_hidden_states` holds one text per frame, `[B·F, L, D]` sample-major (prompt travel), instead of one per
   * sample `[B, L, D]` given to every frame.
   */
  readonly textPerFrame?: boolean;
  /** conv_in's input channels zero-padded to this many (same result; see `convPaddedTo`). Default: none. */
  readonly convInChannels?: number;
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
  /** Whether temporal layers mix the frames (then at most `maxFrames` frames per call). */
  readonly motion: boolean;
  /** The most frames one call takes (a motion-model file's position-encoding length); default the config's. */
  readonly maxFrames?: number;
  /** Whether `encoder_hidden_states` is per frame (`[B·F, L, D]`, see {@link BuildOptions.textPerFrame}). */
  readonly textPerFrame?: boolean;
}

/** The first motion module's path: present in every motion-module layout. */
const FIRST_MOTION_MODULE = 'down_blocks.0.motion_modules.0';
/** AnimateDiff v2's mid-block motion module. */
const MID_MOTION_MODULE = 'mid_block.motion_modules.0';

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
  const text = g.input(UNET_IO.text, 'float32', [options.textPerFrame ? 'batch_frames' : 'batch', 'tokens', cfg.crossAttentionDim]);
  const toCompute = (v: Value): Value => (precision === 'float32' ? v : g.cast(v, precision));

  const frames = g.shape(sample, 2, 3);
  const folded = g.reshape(g.transpose(toCompute(sample), [0, 2, 1, 3, 4]), g.concat([g.constInt64([-1]), g.shape(sample, 1, 2), g.shape(sample, 3, 5)], 0));
  const ctx = options.textPerFrame
    ? toCompute(text)
    : g.scope('text_per_frame', () => {
        const expanded = g.expand(g.unsqueeze(toCompute(text), [1]), g.concat([g.shape(text, 0, 1), frames, g.shape(text, 1, 3)], 0));
        return g.reshape(expanded, g.concat([g.constInt64([-1]), g.shape(text, 1, 3)], 0));
      });
  const temb = timeEmbedding(p, timestep, channelsAt(cfg.blockOutChannels, 0), precision);
  const norms = options.motion?.norms ?? 'resnets-across-frames';
  const res = norms === 'per-frame' ? { groups: cfg.normGroups, eps: 1e-5 } : { groups: cfg.normGroups, eps: 1e-5, frames };
  // Spatial transformers and motion modules normalise across frames only under ADE's GroupNorm hack.
  const allAcross = norms === 'all-across-frames' ? frames : undefined;
  const maxFrames = options.motion?.maxFrames ?? cfg.motionMaxFrames;
  const motion = { groups: cfg.motionNormGroups, heads: cfg.motionHeads, maxFrames, fused: settings.fused, normAcrossFrames: allAcross !== undefined };
  const nb = cfg.blockOutChannels.length;
  const L = cfg.layersPerBlock;

  let h = options.convInChannels ? convPaddedTo(p, 'conv_in', folded, options.convInChannels) : conv(p, 'conv_in', folded);
  const skips: Value[] = [h];
  for (let b = 0; b < nb; b++) {
    g.scope(`down_blocks.${b}`, () => {
      for (let l = 0; l < L; l++) {
        h = resnet(p, `down_blocks.${b}.resnets.${l}`, h, temb, res);
        if (downBlockHasAttention(cfg, b)) h = spatialTransformer(p, `down_blocks.${b}.attentions.${l}`, h, ctx, cfg.normGroups, cfg.attentionHeads, settings, allAcross);
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
    h = spatialTransformer(p, 'mid_block.attentions.0', h, ctx, cfg.normGroups, cfg.attentionHeads, settings, allAcross);
    // AnimateDiff v2 adds a motion module after the mid block's attention.
    if (variant.motion && weights.has(`${MID_MOTION_MODULE}.proj_in.weight`)) h = motionModule(p, MID_MOTION_MODULE, h, frames, motion);
    h = resnet(p, 'mid_block.resnets.1', h, temb, res);
  });
  for (let b = 0; b < nb; b++) {
    g.scope(`up_blocks.${b}`, () => {
      for (let l = 0; l <= L; l++) {
        const skip = skips.pop()!;
        h = resnet(p, `up_blocks.${b}.resnets.${l}`, g.concat([h, skip], 1), temb, res);
        if (upBlockHasAttention(cfg, b)) h = spatialTransformer(p, `up_blocks.${b}.attentions.${l}`, h, ctx, cfg.normGroups, cfg.attentionHeads, settings, allAcross);
        h = temporal(p, `up_blocks.${b}.motion_modules.${l}`, h, frames, motion);
      }
      if (b < nb - 1) h = upsample(p, `up_blocks.${b}.upsamplers.0`, h, skips[skips.length - 1]);
    });
  }
  const outNorm = norms === 'per-frame' ? groupNorm(p, 'conv_norm_out', h, cfg.normGroups, 1e-5) : groupNormAcrossFrames(p, 'conv_norm_out', h, frames, cfg.normGroups, 1e-5);
  h = conv(p, 'conv_out', g.silu(outNorm));

  const unfolded = g.reshape(h, g.concat([g.shape(sample, 0, 1), frames, g.constInt64([cfg.latentChannels]), g.shape(sample, 3, 5)], 0));
  let out = g.transpose(unfolded, [0, 2, 1, 3, 4]);
  if (precision !== 'float32') out = g.cast(out, 'float32');
  g.output(out, UNET_IO.out, { dtype: 'float32', shape: ['batch', cfg.latentChannels, 'frames', 'height', 'width'] });
}
