/**
 * The demo model's VAE, set by hand so that `decode(encode(x))` is a blurred copy of `x` (the tiny config keeps one
 * RGB value per 8×8 block: 12×8 for the 96×64 demo picture). Same AutoencoderKL structure and code path as a real
 * checkpoint; only the values differ.
 *
 * Every resnet's residual branch is off (conv2 zeroed) and so is the mid-block attention (to_out zeroed), so the
 * main path is the convolutions between them. The encoder's conv_in writes each colour twice, `+x_k` and `−x_k`
 * (image units, [−1, 1]); the stride-2 downsamplers average 2×2 pixels; the last mid-block resnet's conv2 bias
 * adds the constants `+K, −K` beside each pair, so each GroupNorm group before conv_out is `{x_k, −x_k, K, −K}`:
 * mean 0 exactly, variance `(E[x_k²] + K²)/2`, and γ = K/√2 makes the norm the identity to `E[x²]/2K²` (≤ 5e−5
 * for K = 100). conv_out takes `SiLU(x) − SiLU(−x) = x` and scales it by `1/scaling_factor`, so the scaled latent
 * the U-Net sees is the image's colour (4th channel 0); logvar is −30, so a posterior sample is the mean to ~1e−6.
 *
 * The decoder undoes the scaling in post_quant_conv, writes the pairs `{x_k, −x_k}` and upsamples with nearest ×2
 * then a [1 2 1]⊗[1 2 1]/16 conv: together bilinear ×2 (the convs' zero padding pulls the outer few pixels towards
 * grey). Its GroupNorm before conv_out has only two channels per group (16 channels, 8 groups), so no constant can
 * pin the statistics: a group's output is `x_k / rms(x_k)` over the picture, one unknown gain per colour and
 * picture. conv_out multiplies by a typical rms `r`, so a colour whose rms is `r` comes back exactly and others come
 * back with their contrast about mid-grey scaled by `r / rms` (signs kept: dark stays dark, light stays light).
 * Offsetting the pairs by a constant `c` before the norm would instead lose a flat picture's brightness (a
 * channel's mean comes out as about `r − c` whatever it was): on night, snow and field test pictures that cost
 * 3–8 dB against `c = 0`.
 */
import type { PiaModelConfig } from '../models/index.js';
import { PipelineError } from './errors.js';

/** How the demo VAE is set. */
export interface DemoVaeSettings {
  /** The constant channels that pin the encoder's last GroupNorm groups. */
  readonly pin: number;
  /** Typical rms of a colour channel over a picture, in image units ([−1, 1]): the decoder's output gain. */
  readonly rms: number;
  /** The encoder's log-variance (the clamp's floor: the posterior is a point). */
  readonly logvar: number;
}

/**
 * rms 0.6: a photograph's `2p − 1` (pixel values of mean 0.45 and spread 0.25 in [0, 1]) has rms 0.51; the
 * channels of the demo picture and of three flat test illustrations (night, snow, field) range 0.36–0.92. Mean
 * round-trip PSNR over those four pictures was 16.2, 16.8 and 17.1 dB for 0.5, 0.6 and 0.7 (18.1–19.9 dB with
 * the norm's gain exact, the blur alone).
 */
export const DEMO_VAE: DemoVaeSettings = { pin: 100, rms: 0.6, logvar: -30 };

const RGB = 3;

function kernelCentre(k: number): number {
  return Math.floor(k / 2) * k + Math.floor(k / 2);
}

/** Index of `[out, in, y, x]` in a conv weight of shape `[·, inC, k, k]`. */
function at(shape: readonly number[], out: number, input: number, y: number, x: number): number {
  const [, inC, k] = shape as [number, number, number];
  return ((out * inC + input) * k + y) * k + x;
}

function check(cfg: PiaModelConfig): void {
  const v = cfg.vae;
  const last = v.blockOutChannels[v.blockOutChannels.length - 1]!;
  const first = v.blockOutChannels[0]!;
  const fits =
    v.imageChannels === RGB &&
    v.latentChannels >= RGB &&
    last / v.normGroups === 4 &&
    last >= 4 * v.latentChannels &&
    first >= 4 * RGB &&
    (first / v.normGroups) % 2 === 0;
  if (!fits) {
    throw new PipelineError(
      'bad-option',
      `the demo VAE needs RGB, ≥ 3 latent channels, groups of 4 channels in the last block and ≥ 12 channels in even groups in the first; config ${cfg.name} has not`,
    );
  }
}

/** The value of every VAE tensor the demo sets, by canonical name (`encoder.…`, `decoder.…`, `quant_conv.…`); undefined for the others. */
export function demoVaeTensor(cfg: PiaModelConfig, name: string, shape: readonly number[], settings = DEMO_VAE): Float32Array | undefined {
  check(cfg);
  const v = cfg.vae;
  const lc = v.latentChannels;
  const zero = () => new Float32Array(shape.reduce((a, b) => a * b, 1));
  const identity = (gain = 1) => {
    // [out, in, k, k] (or [out, in]): the centre tap copies channel i to i for the channels both sides have.
    const w = zero();
    const k = shape[2] ?? 1;
    for (let c = 0; c < Math.min(shape[0]!, shape[1]!); c++) w[at(shape, c, c, 0, 0) + kernelCentre(k)] = gain;
    return w;
  };
  const encPair = (k: number, sign: 1 | -1) => 4 * k + (sign > 0 ? 0 : 1);
  const decPair = (k: number, sign: 1 | -1) => 2 * k + (sign > 0 ? 0 : 1);

  if (/\.resnets\.\d+\.conv2\.weight$/.test(name) || /\.attentions\.\d+\.to_out\.0\.(weight|bias)$/.test(name)) return zero();
  if (/\.resnets\.\d+\.conv_shortcut\.weight$/.test(name)) return identity();
  if (/\.resnets\.\d+\.(conv2|conv_shortcut)\.bias$/.test(name)) {
    const b = zero();
    if (name === 'encoder.mid_block.resnets.1.conv2.bias') {
      for (let k = 0; k < lc; k++) {
        b[4 * k + 2] = settings.pin;
        b[4 * k + 3] = -settings.pin;
      }
    }
    return b;
  }
  if (/downsamplers\.0\.conv\.weight$/.test(name)) {
    // Stride 2, padded only bottom/right: taps (0..1, 0..1) are the 2×2 block the output pixel stands for.
    const w = zero();
    for (let c = 0; c < shape[0]!; c++) for (const [y, x] of [[0, 0], [0, 1], [1, 0], [1, 1]]) w[at(shape, c, c, y!, x!)] = 0.25;
    return w;
  }
  if (/upsamplers\.0\.conv\.weight$/.test(name)) {
    // After nearest ×2, [1 2 1]/4 per axis gives each pixel ¾ of its own source and ¼ of the next: bilinear ×2.
    const w = zero();
    const taps = [1, 2, 1];
    for (let c = 0; c < shape[0]!; c++) for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) w[at(shape, c, c, y, x)] = (taps[y]! * taps[x]!) / 16;
    return w;
  }
  if (/(down|up)samplers\.0\.conv\.bias$/.test(name)) return zero();

  switch (name) {
    case 'encoder.conv_in.weight': {
      const w = zero();
      for (let k = 0; k < RGB; k++) {
        w[at(shape, encPair(k, 1), k, 0, 0) + kernelCentre(shape[2]!)] = 1;
        w[at(shape, encPair(k, -1), k, 0, 0) + kernelCentre(shape[2]!)] = -1;
      }
      return w;
    }
    case 'encoder.conv_norm_out.weight': {
      const g = zero().fill(1);
      for (let k = 0; k < lc; k++) g[encPair(k, 1)] = g[encPair(k, -1)] = settings.pin / Math.SQRT2;
      return g;
    }
    case 'encoder.conv_out.weight': {
      const w = zero();
      const gain = 1 / v.scalingFactor;
      for (let k = 0; k < lc; k++) {
        w[at(shape, k, encPair(k, 1), 0, 0) + kernelCentre(shape[2]!)] = gain;
        w[at(shape, k, encPair(k, -1), 0, 0) + kernelCentre(shape[2]!)] = -gain;
      }
      return w;
    }
    case 'encoder.conv_out.bias': {
      const b = zero();
      for (let k = lc; k < 2 * lc; k++) b[k] = settings.logvar;
      return b;
    }
    case 'quant_conv.weight':
      return identity();
    case 'post_quant_conv.weight':
      return identity(v.scalingFactor);
    case 'decoder.conv_in.weight': {
      const w = zero();
      for (let k = 0; k < RGB; k++) {
        w[at(shape, decPair(k, 1), k, 0, 0) + kernelCentre(shape[2]!)] = 1;
        w[at(shape, decPair(k, -1), k, 0, 0) + kernelCentre(shape[2]!)] = -1;
      }
      return w;
    }
    case 'decoder.conv_out.weight': {
      const w = zero();
      for (let k = 0; k < RGB; k++) {
        w[at(shape, k, decPair(k, 1), 0, 0) + kernelCentre(shape[2]!)] = settings.rms;
        w[at(shape, k, decPair(k, -1), 0, 0) + kernelCentre(shape[2]!)] = -settings.rms;
      }
      return w;
    }
    case 'encoder.conv_in.bias':
    case 'decoder.conv_in.bias':
    case 'encoder.conv_norm_out.bias':
    case 'decoder.conv_norm_out.bias':
    case 'decoder.conv_out.bias':
    case 'quant_conv.bias':
    case 'post_quant_conv.bias':
      return zero();
    case 'decoder.conv_norm_out.weight':
      return zero().fill(1);
    default:
      return undefined;
  }
}
